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
    start, end, prec = _day(row.get("date_start", "")), _day(row.get("date_end", "")), row.get("date_prec", "")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", start) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", end or start):
        ctx.skip("not used: date_start/date_end are not dates", label)
        return None
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
    ctx.skip("not used: date_prec is not 1 to 5", label)
    return None


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
    best, low, high = (_number(row.get(k, "")) for k in ("best", "low", "high"))
    if best is not None and ((low is not None and low > best) or (high is not None and high < best)):
        low = high = None
        notes.append("UCDP's low/high do not contain its best estimate; only the best is shown")
    violence = VIOLENCE.get(row.get("type_of_violence", "").removesuffix(".0"), "organised violence")
    deaths = ", ".join(f"{k} {row[c]}" for k, c in (("side A", "deaths_a"), ("side B", "deaths_b"),
                                                    ("civilians", "deaths_civilians"),
                                                    ("unknown", "deaths_unknown")) if row.get(c))
    summary = f"UCDP GED: {violence}" + (f" ({row['dyad_name']})" if row.get("dyad_name") else "") + "."
    if deaths:
        summary += f" Deaths by UCDP's best estimate: {deaths}."
    if row.get("source_headline"):
        summary += f" Source headline: {row['source_headline']}"
    offices = [o.strip() for o in row.get("source_office", "").split(";") if o.strip()]
    work = f"{name}, event {row.get('id')}"
    sources = tuple(Source(author=o, work=work, via="UCDP") for o in dict.fromkeys(offices)) or \
        (Source("UCDP", work),)
    actors = tuple(dict.fromkeys(ctx.actors.canonical(a) for a in (row.get("side_a", ""), row.get("side_b", ""))
                                 if a.strip()))
    return Record(
        id=record_id("ucdp", row.get("id", label)),
        title=f"{violence.capitalize()}: {row.get('where_description') or row.get('adm_2') or adm1}",
        category="attack", date=date[0], date_precision=date[1], date_note="; ".join([date[2], *notes]).strip("; "),
        actors=actors, location_precision=precision, units=units, admin1=province if lon is not None else "",
        place=place if lon is not None else (row.get("adm_2") or row.get("adm_1", "")), location_basis=basis,
        summary=summary, sources=sources, lon=lon, lat=lat,
        fatalities=Fatalities(best, low, high, FATALITIES_NOTE) if best is not None else None)
