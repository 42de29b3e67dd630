"""UCDP Georeferenced Event Dataset (GED) and Candidate GED exports -> events-schema records.

The precision rules are UCDP's own (GED Codebook): ``where_prec`` 1 the exact
place, 2 up to 25 km around it, 3 the ADM2 unit (its centroid is given: the
district is drawn, not that point), 4 the ADM1 unit, 5 larger than ADM1 or
between places, 6 the country, 7 water or air; ``date_prec`` 1 the day, 2 and
3 a range of up to a week, 4 the month, 5 the year.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .conflictdata import COUNTRIES, Context, coverage, district_id, record_id
from .events import Fatalities, Record, Source

LICENCE = "CC BY 4.0"
FATALITIES_NOTE = "UCDP's best estimate, with its low and high estimates"
VIOLENCE = {"1": "state-based conflict", "2": "non-state conflict", "3": "one-sided violence"}
WHERE = {
    "1": ("town", "UCDP where_prec 1: the exact place"),
    "2": ("near", "UCDP where_prec 2: within about 25 km of the place named"),
    "3": ("district", "UCDP where_prec 3: only the second-order unit (ADM2) is known; UCDP gives its centroid, "
                      "so the unit is drawn, not that point"),
    "4": ("province", "UCDP where_prec 4: only the first-order unit (ADM1) is known"),
    "5": ("region", "UCDP where_prec 5: an area larger than ADM1, or between places"),
}
UNPLACEABLE = {"6": "only the country is known (UCDP where_prec 6)",
               "7": "over water or in the air (UCDP where_prec 7)"}
_VERSION = re.compile(r"v(\d+)[_.](\d+)(?:[_.](\d+))?", re.I)


def dataset_name(ctx: Context) -> str:
    """The dataset and its version, from the option, else the file name UCDP gives it (GEDEvent_v24_1.csv)."""
    m = _VERSION.search(ctx.path.name)
    version = ctx.version or (".".join(g for g in m.groups() if g) if m else "")
    candidate = "candidate" in ctx.path.name.lower() or bool(m and m.group(3))
    name = "UCDP Candidate Events Dataset" if candidate else "UCDP Georeferenced Event Dataset (GED) Global"
    return f"{name} version {version}" if version else f"{name} (version not stated; give --dataset-version)"


def convert(rows: list[dict[str, str]], ctx: Context) -> tuple[list[Record], str]:
    name = dataset_name(ctx)
    cite = ("Sundberg and Melander (2013), Journal of Peace Research 50(4)" if "Candidate" not in name else
            "Hegre et al. (2020), Journal of Peace Research 57(5)")
    records, countries, days = [], [], []
    seen: set[str] = set()
    for n, row in enumerate(rows, 2):
        label = row.get("id") or f"line {n}"
        if label in seen:
            ctx.skip("not used: the id repeats an earlier row", label)
            continue
        seen.add(label)
        record = _record(row, ctx, label, name)
        if record is not None:
            records.append(record)
            countries.append(row.get("country", ""))
            days += [_day(row.get("date_start", "")), _day(row.get("date_end", ""))]  # the export's own dates
    citation = f"{name}, Uppsala Conflict Data Program ({LICENCE}); cite {cite}; rows: {coverage(countries, days)}"
    return [replace(r, dataset=citation) for r in records], citation


def _day(text: str) -> str:
    return text.strip()[:10]


def _date(row, ctx: Context, label: str) -> tuple[str, str, str] | None:
    got = _date_of(row.get("date_start", ""), row.get("date_end", ""), row.get("date_prec", ""))
    if isinstance(got, str):
        ctx.skip(got, label)
        return None
    return got


def _date_of(start: str, end: str, prec: str) -> tuple[str, str, str] | str:
    """(date, date_precision, date_note) of a row's dates and date_prec, or why the row is not used."""
    start, end = _day(start), _day(end)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", start) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", end or start):
        return "not used: date_start/date_end are not dates"
    end = end or start
    prec = prec.removesuffix(".0")
    note = f"UCDP date_prec {prec}"
    if prec == "1" or (prec in ("2", "3") and start == end):
        return start, "day", ""
    if prec in ("2", "3"):
        return f"{start}/{end}", "range", note + (": a known week" if prec == "3" else ": up to six days")
    if prec == "4":
        return (start[:7], "month", note + ": the month") if start[:7] == end[:7] else \
            (f"{start[:7]}/{end[:7]}", "range", note + ": the months")
    if prec == "5":
        return (start[:4], "year", note + ": the year") if start[:4] == end[:4] else \
            (f"{start[:4]}/{end[:4]}", "range", note + ": the years")
    return "not used: date_prec is not 1 to 5"


def _number(text: str) -> int | None:
    text = text.strip().removesuffix(".0")
    return int(text) if text.isdigit() else None


def _record(row: dict[str, str], ctx: Context, label: str, name: str) -> Record | None:
    country = COUNTRIES.get(row.get("country", "").lower())
    if country is None:
        ctx.skip("not used: the country is not Pakistan, Afghanistan or Iran", label)
        return None
    prec = row.get("where_prec", "").removesuffix(".0")
    if prec in UNPLACEABLE:
        ctx.skip(f"not used: {UNPLACEABLE[prec]}", label)
        return None
    if prec not in WHERE:
        ctx.skip("not used: where_prec is not 1 to 7", label)
        return None
    date = _date(row, ctx, label)
    if date is None:
        return None
    precision, basis = WHERE[prec]
    adm1 = re.sub(r"\s+(province|ostan)$", "", row.get("adm_1", ""), flags=re.I)
    province = ctx.names.code(country, adm1)
    lon = lat = None
    units: tuple[str, ...] = ()
    place = row.get("where_coordinates") or row.get("where_description", "")
    notes = []
    if precision in ("town", "near"):
        located = ctx.point(row, province, label, "adm_1")
        if located is None:
            return None
        lon, lat, province = located
    elif province is None:
        ctx.skip(f"not used: where_prec {prec} (located only to a unit) and adm_1 is not a known unit name",
                 f"{label} ({row.get('adm_1') or 'empty'})")
        return None
    elif precision == "district":
        adm2 = re.sub(r"\s+district$", "", row.get("adm_2", ""), flags=re.I)
        district = district_id(ctx, province, adm2)
        if district:
            units = (district,)
        else:  # drawn as the province it lies in: coarser than UCDP's, never finer
            precision, units = "province", (province,)
            notes.append(f"UCDP places it in {row.get('adm_2') or 'an unnamed district'} (ADM2); that district has "
                         "no embedded shape, so it is drawn as its province")
    else:
        units = (province,)
    fatalities, note = _fatalities(row.get("best", ""), row.get("low", ""), row.get("high", ""))
    notes += [note] if note else []
    violence = _violence(row.get("type_of_violence", ""))
    summary = f"UCDP GED: {violence}" + (f" ({row['dyad_name']})" if row.get("dyad_name") else "") + "."
    summary += _deaths(*(row.get(c, "") for c in DEATHS.values()))
    if row.get("source_headline"):
        summary += f" Source headline: {row['source_headline']}"
    sources = _sources(row.get("source_office", ""), f"{name}, event {row.get('id')}")
    actors = _actors(ctx, row.get("side_a", ""), row.get("side_b", ""))
    return Record(
        id=record_id("ucdp", row.get("id", label)),
        title=f"{violence.capitalize()}: {row.get('where_description') or row.get('adm_2') or adm1}",
        category="attack", date=date[0], date_precision=date[1], date_note="; ".join([date[2], *notes]).strip("; "),
        actors=actors, location_precision=precision, units=units, admin1=province if lon is not None else "",
        place=place if lon is not None else (row.get("adm_2") or row.get("adm_1", "")), location_basis=basis,
        summary=summary, sources=sources, lon=lon, lat=lat,
        fatalities=fatalities)


#: The deaths a summary lists, by UCDP's column for each.
DEATHS = {"side A": "deaths_a", "side B": "deaths_b", "civilians": "deaths_civilians", "unknown": "deaths_unknown"}


def _violence(text: str) -> str:
    return VIOLENCE.get(text.removesuffix(".0"), "organised violence")


def _deaths(*counts: str) -> str:
    """The summary's sentence on deaths by side ('' when the export gives none)."""
    deaths = ", ".join(f"{k} {v}" for k, v in zip(DEATHS, counts) if v)
    return f" Deaths by UCDP's best estimate: {deaths}." if deaths else ""


def _fatalities(best: str, low: str, high: str) -> tuple[Fatalities | None, str]:
    """UCDP's estimates, and a note when its low/high do not contain its best (then only the best is kept)."""
    best, low, high = _number(best), _number(low), _number(high)
    note = ""
    if best is not None and ((low is not None and low > best) or (high is not None and high < best)):
        low = high = None
        note = "UCDP's low/high do not contain its best estimate; only the best is shown"
    return (Fatalities(best, low, high, FATALITIES_NOTE) if best is not None else None), note


def _sources(offices: str, work: str) -> tuple[Source, ...]:
    named = [o.strip() for o in offices.split(";") if o.strip()]
    return tuple(Source(author=o, work=work, via="UCDP") for o in dict.fromkeys(named)) or (Source("UCDP", work),)


def _actors(ctx: Context, side_a: str, side_b: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ctx.actors.canonical(a) for a in (side_a, side_b) if a.strip()))


# --- the same mapping, column by column ---------------------------------------------------------------

def table(columns, ctx: Context) -> tuple:
    """:func:`convert` column by column: the same rows used, notes, citation and values, as an
    ``events.Table`` (its ``records()`` are :func:`convert`'s records); each rule runs once per distinct
    value or combination, and the rows' sources share their values (the event id is the row's own)."""
    import numpy as np
    import pandas as pd

    from .conflictdata import (Skipped, export_fields, isnone, per_distinct, place_rows, table_of, unit_lists,
                               with_admin, with_sources)
    from .takeaway import objects

    name = dataset_name(ctx)
    cite = ("Sundberg and Melander (2013), Journal of Peace Research 50(4)" if "Candidate" not in name else
            "Hegre et al. (2020), Journal of Peace Research 57(5)")
    c, n = columns.get, columns.n
    col = {k: c(k) for k in ("id", "country", "where_prec", "date_start", "date_end", "date_prec", "adm_1", "adm_2",
                             "where_coordinates", "where_description", "longitude", "latitude", "best", "low",
                             "high", "type_of_violence", "dyad_name", "source_headline", "source_office",
                             "side_a", "side_b", *DEATHS.values())}
    raw = col["id"]
    labels = np.where(raw != "", raw, np.array([f"line {i}" for i in range(2, n + 2)], dtype=object))
    skipped = Skipped(labels)
    repeated = pd.Series(labels, dtype=object).duplicated().to_numpy()
    skipped.add(repeated, 0, "not used: the id repeats an earlier row")
    alive = ~repeated
    country = per_distinct(lambda v: COUNTRIES.get(v.lower()), col["country"])
    no_country = isnone(country)
    skipped.add(alive & no_country, 1, "not used: the country is not Pakistan, Afghanistan or Iran")
    alive &= ~no_country
    prec = per_distinct(lambda v: v.removesuffix(".0"), col["where_prec"])
    for code, why in UNPLACEABLE.items():
        skipped.add(alive & (prec == code), 1, f"not used: {why}")
    alive &= ~np.isin(prec, list(UNPLACEABLE))
    skipped.add(alive & ~np.isin(prec, list(WHERE)), 1, "not used: where_prec is not 1 to 7")
    alive &= np.isin(prec, list(WHERE))
    dates = per_distinct(_date_of, col["date_start"], col["date_end"], col["date_prec"])
    alive &= ~skipped.add_reasons(alive, dates, 1)
    precision = np.array([WHERE[p][0] if p in WHERE else "" for p in prec.tolist()], dtype=object)
    adm1 = per_distinct(lambda v: re.sub(r"\s+(province|ostan)$", "", v, flags=re.I), col["adm_1"])
    lon, lat, province, alive, unit = place_rows(ctx, skipped, 1, alive, country, precision, adm1, col["adm_1"],
                                                 "adm_1", col["longitude"], col["latitude"])
    adm1_shown = with_admin(labels, col["adm_1"])
    unknown = unit & isnone(province)
    for p in dict.fromkeys(prec[unknown].tolist()):
        skipped.add(unknown & (prec == p), 1,
                    f"not used: where_prec {p} (located only to a unit) and adm_1 is not a known unit name", adm1_shown)
    alive &= ~unknown
    skipped.say(ctx)
    used = np.flatnonzero(alive)
    col = {k: v[used] for k, v in col.items()}
    unit, province, precision, prec, adm1 = (a[used] for a in (unit, province, precision, prec, adm1))
    in_districts = unit & (precision == "district")
    adm2 = per_distinct(lambda v: re.sub(r"\s+district$", "", v, flags=re.I), col["adm_2"])
    district = per_distinct(lambda d, p, a: district_id(ctx, p, a) if d else None, in_districts,
                            np.where(in_districts, province, ""), adm2)
    shapeless = in_districts & isnone(district)
    precision = np.where(shapeless, "province", precision)
    fatalities = per_distinct(_fatalities, col["best"], col["low"], col["high"])
    date = dates[used]
    caveats = [[f"UCDP places it in {d or 'an unnamed district'} (ADM2); that district has no embedded shape, so it "
                "is drawn as its province"] if s else [] for d, s in zip(col["adm_2"].tolist(), shapeless.tolist())]
    date_note = ["; ".join([d[2], *more, *([f[1]] if f[1] else [])]).strip("; ")
                 for d, more, f in zip(date.tolist(), caveats, fatalities.tolist())]
    violence = per_distinct(_violence, col["type_of_violence"])
    dyad = col["dyad_name"]
    summary = "UCDP GED: " + violence + np.where(dyad != "", " (" + dyad + ")", "") + "." + \
        per_distinct(_deaths, *(col[k] for k in DEATHS.values())) + \
        np.where(col["source_headline"] != "", " Source headline: " + col["source_headline"], "")
    where = np.where(col["where_description"] != "", col["where_description"],
                     np.where(col["adm_2"] != "", col["adm_2"], adm1))
    place = np.where(col["where_coordinates"] != "", col["where_coordinates"], col["where_description"])
    countries, days = set(col["country"].tolist()), set()
    for k in ("date_start", "date_end"):
        days |= {_day(d) for d in dict.fromkeys(col[k].tolist())}
    citation = f"{name}, Uppsala Conflict Data Program ({LICENCE}); cite {cite}; rows: {coverage(countries, days)}"
    fields = {
        **export_fields("ucdp", col["id"], date, unit, province, lon[used], lat[used]),
        "title": per_distinct(str.capitalize, violence) + ": " + where, "category": np.full(len(used), "attack", dtype=object),
        "date_note": np.array(date_note, dtype=object), "location_precision": precision,
        "place": np.where(unit, np.where(col["adm_2"] != "", col["adm_2"], col["adm_1"]), place),
        "location_basis": np.array([WHERE[p][1] for p in prec.tolist()], dtype=object), "summary": summary}
    lists = {
        "actors": per_distinct(lambda a, b: _actors(ctx, a, b), col["side_a"], col["side_b"]),
        "units": unit_lists(unit, district, province), "fatalities": objects([f[0] for f in fatalities.tolist()])}
    own = with_sources(lists, col["source_office"], f"{name}, event " + col["id"], _sources)
    return table_of(fields, lists, len(used), dataset=citation, redistributable=True, own=own), citation
