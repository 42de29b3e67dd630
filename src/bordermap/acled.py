"""ACLED exports (the current 31-column layout and the older one) -> events-schema records.

The precision rules are ACLED's own (ACLED Codebook): ``time_precision`` 1 is the
day, 2 a week coded to its middle day (kept as the 7-day range), 3 a month
coded to its middle (kept as the month); ``geo_precision`` 1 is a town, 2 near
a town or part of a region, 3 only a larger region coded to a natural feature
or the provincial capital (kept as the admin unit, never as that point).
"""

from __future__ import annotations

import datetime as dt
import re

from .conflictdata import COUNTRIES, Context, coverage, district_id, record_id
from .events import Fatalities, Record, Source

NAME = "ACLED (Armed Conflict Location & Event Data), acleddata.com"
#: ACLED's terms of use forbid passing raw rows on: pages show them and offer no download of them.
TERMS = "ACLED's terms of use: shown here, not redistributed"
FATALITIES_NOTE = "ACLED's most conservative estimate"
#: ACLED's actor types (the inter1/inter2 codes of older exports; newer ones write the label).
INTER = {"1": "State forces", "2": "Rebel group", "3": "Political militia", "4": "Identity militia",
         "5": "Rioters", "6": "Protesters", "7": "Civilians", "8": "External/Other forces"}
#: ACLED event type -> the schema's category; the popup keeps ACLED's own type and sub-type.
CATEGORY = {"battles": "attack", "explosions/remote violence": "attack", "violence against civilians": "attack",
            "protests": "political event", "riots": "political event",
            "strategic developments": "political event"}
GEO = {"1": ("town", "ACLED geo_precision 1: the town named"),
       "2": ("near", "ACLED geo_precision 2: near the town named, or a small part of a region"),
       "3": ("province", "ACLED geo_precision 3: only a larger region; ACLED codes the point to a natural "
                         "feature or the provincial capital, so the unit is drawn, not that point")}


def convert(rows: list[dict[str, str]], ctx: Context) -> tuple[list[Record], str]:
    """Every usable row as a Record, and the dataset's citation (with access date and the export's span)."""
    rows = _one_row_per_event(rows, ctx)
    records, countries, days = [], [], []
    for row in rows:
        raw = row.get("event_id_cnty", "")
        label = raw or f"line {row['_line']}"
        record = _record(row, ctx, label)
        if record is not None:
            records.append(record)
            countries.append(row["country"])
            days.append(parse_date(row["event_date"]).isoformat())  # the export's own dates, as its filter chose
    citation = f"{NAME}, accessed {ctx.accessed}; export: {coverage(countries, days)}; {TERMS}"
    return [_with_citation(r, citation) for r in records], citation


def _one_row_per_event(rows: list[dict[str, str]], ctx: Context) -> list[dict[str, str]]:
    """A monadic export (one row per actor, the same event id twice) becomes one row per event.

    The rows of an event share its fatalities (ACLED repeats them), so they are counted once; the
    actors of every row are kept.
    """
    by_id: dict[str, dict] = {}
    out = []
    for n, row in enumerate(rows, 2):
        row = {**row, "_line": str(n), "_actors": _actors(row)}
        key = row.get("event_id_cnty", "")
        if key and key in by_id:
            first = by_id[key]
            first["_actors"] += [a for a in row["_actors"] if a not in first["_actors"]]
            first["_rows"] += 1
            continue
        row["_rows"] = 1
        if key:
            by_id[key] = row
        out.append(row)
    repeated = sum(r["_rows"] > 1 for r in out)
    if repeated:
        ctx.say(f"monadic export (one row per actor): {len(rows)} rows for {len(out)} events; de-duplicated "
                f"by event_id_cnty ({repeated} events had several rows): actors merged, fatalities counted once")
    return out


#: The columns naming an event's actors, in the order they are listed.
ACTOR_COLUMNS = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")


def _actors(row: dict[str, str]) -> list[str]:
    return list(_actor_names(*(row.get(k, "") for k in ACTOR_COLUMNS)))


def _actor_names(actor1: str, assoc1: str, actor2: str, assoc2: str) -> tuple[str, ...]:
    names = [actor1, *assoc1.split(";"), actor2, *assoc2.split(";")]
    return tuple(n.strip() for n in names if n.strip())


def inter_label(value: str) -> str:
    """An actor type as ACLED names it, from a numeric code (older exports) or the label itself."""
    value = value.strip()
    if value.endswith(".0"):
        value = value[:-2]
    return INTER.get(value, value)


def interaction_label(row: dict[str, str]) -> str:
    """'State forces–Rebel group': from inter1/inter2, which both layouts carry."""
    sides = [inter_label(row.get(k, "")) for k in ("inter1", "inter2")]
    sides = [s for s in sides if s and s != "0"]
    return "–".join(sides)


def parse_date(text: str) -> dt.date | None:
    """ACLED dates: ISO (current exports) or '15 January 2023' (older ones)."""
    for form in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    return None


def _date(row, ctx: Context, label: str) -> tuple[str, str, str] | None:
    got = _date_of(row.get("event_date", ""), row.get("time_precision", ""))
    if isinstance(got, str):
        ctx.skip(got, label)
        return None
    return got


def _date_of(text: str, precision: str) -> tuple[str, str, str] | str:
    """(date, date_precision, date_note) of an event_date and its time_precision, or why the row is not used."""
    day = parse_date(text)
    precision = precision.removesuffix(".0")
    if day is None:
        return "not used: event_date is not a date"
    if precision == "1":
        return day.isoformat(), "day", ""
    if precision == "2":
        start, end = day - dt.timedelta(days=3), day + dt.timedelta(days=3)
        return (f"{start.isoformat()}/{end.isoformat()}", "range",
                f"ACLED time_precision 2: known to the week; ACLED codes it to the middle day, {day.isoformat()}")
    if precision == "3":
        return (f"{day:%Y-%m}", "month",
                f"ACLED time_precision 3: known to the month; ACLED codes it to the middle, {day.isoformat()}")
    return "not used: time_precision is not 1, 2 or 3"


def _sources(text: str, work: str) -> tuple[Source, ...]:
    """The outlets ACLED names (``source``), each cited through ``work``; ACLED itself when it names none."""
    outlets = [s.strip() for s in re.split(r";", text) if s.strip()]
    return tuple(Source(author=o, work=work, via="ACLED") for o in outlets) or (Source("ACLED", work),)


def _fatalities(text: str) -> Fatalities | None:
    text = text.removesuffix(".0")
    return Fatalities(int(text), note=FATALITIES_NOTE) if text.isdigit() else None


def _record(row: dict[str, str], ctx: Context, label: str) -> Record | None:
    country = COUNTRIES.get(row.get("country", "").lower())
    if country is None:
        ctx.skip("not used: the country is not Pakistan, Afghanistan or Iran", label)
        return None
    raw = row.get("event_id_cnty", "")
    if not raw:
        ctx.skip("not used: no event_id_cnty", label)
        return None
    date = _date(row, ctx, label)
    geo = GEO.get(row.get("geo_precision", "").removesuffix(".0"))
    if geo is None:
        ctx.skip("not used: geo_precision is not 1, 2 or 3", label)
        return None
    if date is None:
        return None
    precision, basis = geo
    province = ctx.names.code(country, row.get("admin1", ""))
    lon = lat = None
    units: tuple[str, ...] = ()
    place = row.get("location", "")
    if precision in ("town", "near"):
        located = ctx.point(row, province, label, "admin1")
        if located is None:
            return None
        lon, lat, province = located
    else:
        if province is None:
            ctx.skip("not used: geo_precision 3 (only the region is known) and admin1 is not a known unit name",
                     f"{label} ({row.get('admin1') or 'empty'})")
            return None
        district = district_id(ctx, province, row.get("admin2", ""))
        if district:
            precision, units = "district", (district,)
        else:
            units = (province,)
        where = row.get("admin2") or row.get("admin1")
        place = f"{where} (ACLED codes the point to {place})" if place else where
    kind = row.get("sub_event_type") or row.get("event_type") or "Event"
    category = CATEGORY.get(row.get("event_type", "").lower(), "political event")
    interaction = interaction_label(row)
    notes = row.get("notes", "")
    summary = f"ACLED's notes: {notes}" if notes else "ACLED gives no notes for this event."
    if interaction:
        summary += f" (ACLED interaction: {interaction}.)"
    sources = _sources(row.get("source", ""), f"ACLED event {raw}, accessed {ctx.accessed}")
    return Record(
        id=record_id("acled", raw), title=f"{kind}: {row.get('location') if lon is not None else where}",
        category=category, date=date[0], date_precision=date[1], date_note=date[2],
        actors=tuple(dict.fromkeys(ctx.actors.canonical(a) for a in row["_actors"])),
        location_precision=precision, units=units, admin1=province if lon is not None else "",
        place=place, location_basis=basis, summary=summary, sources=sources, lon=lon, lat=lat,
        fatalities=_fatalities(row.get("fatalities", "")), redistributable=False)


def _with_citation(record: Record, citation: str) -> Record:
    from dataclasses import replace

    return replace(record, dataset=citation)


# --- the same mapping, column by column ---------------------------------------------------------------

def table(columns, ctx: Context) -> tuple:
    """:func:`convert` column by column: the same rows used, notes, citation and values, as an
    ``events.Table`` (its ``records()`` are :func:`convert`'s records); each rule runs once per distinct
    value or combination, and the rows' sources share their values (the event id is the row's own)."""
    import numpy as np

    from .conflictdata import (Skipped, export_fields, isnone, per_distinct, place_rows, table_of, unit_lists,
                               with_admin, with_sources)

    c = columns.get
    raw_all = c("event_id_cnty")
    actors_all = per_distinct(_actor_names, *(c(k) for k in ACTOR_COLUMNS))
    keep, merged = _one_event_per_id(raw_all, actors_all, ctx)
    rows = np.flatnonzero(keep)
    col = {k: c(k)[rows] for k in ("event_id_cnty", "country", "event_date", "time_precision", "geo_precision",
                                   "admin1", "admin2", "location", "longitude", "latitude", "sub_event_type",
                                   "event_type", "fatalities", "inter1", "inter2", "notes", "source")}
    raw = col["event_id_cnty"]
    labels = np.where(raw != "", raw, np.array([f"line {i + 2}" for i in rows.tolist()], dtype=object))
    skipped = Skipped(labels)
    country = per_distinct(lambda v: COUNTRIES.get(v.lower()), col["country"])
    alive = ~isnone(country)
    skipped.add(~alive, 0, "not used: the country is not Pakistan, Afghanistan or Iran")
    skipped.add(alive & (raw == ""), 0, "not used: no event_id_cnty")
    alive &= raw != ""
    dates = per_distinct(_date_of, col["event_date"], col["time_precision"])
    bad_date = skipped.add_reasons(alive, dates, 1)
    geo = per_distinct(lambda v: GEO.get(v.removesuffix(".0")), col["geo_precision"])
    no_geo = isnone(geo)
    skipped.add(alive & no_geo, 2, "not used: geo_precision is not 1, 2 or 3")
    alive &= ~no_geo & ~bad_date
    precision = np.array([g[0] if g else "" for g in geo], dtype=object)
    lon, lat, province, alive, unit = place_rows(ctx, skipped, 3, alive, country, precision, col["admin1"],
                                                 col["admin1"], "admin1", col["longitude"], col["latitude"])
    unknown = unit & isnone(province)
    skipped.add(unknown, 3, "not used: geo_precision 3 (only the region is known) and admin1 is not a known unit name",
                with_admin(labels, col["admin1"]))
    alive &= ~unknown
    skipped.say(ctx)
    used = np.flatnonzero(alive)
    col = {k: v[used] for k, v in col.items()}
    unit, province, precision = unit[used], province[used], precision[used]
    district = per_distinct(lambda p, a: district_id(ctx, p, a) if p else None, np.where(unit, province, ""),
                            col["admin2"])
    in_district = unit & ~isnone(district)
    precision = np.where(in_district, "district", np.where(unit, "province", precision))
    where = np.where(col["admin2"] != "", col["admin2"], col["admin1"])
    location = col["location"]
    kind = np.where(col["sub_event_type"] != "", col["sub_event_type"],
                    np.where(col["event_type"] != "", col["event_type"], "Event"))
    interaction = per_distinct(lambda a, b: interaction_label({"inter1": a, "inter2": b}), col["inter1"], col["inter2"])
    notes = col["notes"]
    summary = np.where(notes != "", "ACLED's notes: " + notes, "ACLED gives no notes for this event.") + \
        np.where(interaction != "", " (ACLED interaction: " + interaction + ".)", "")
    days = {parse_date(d).isoformat() for d in dict.fromkeys(col["event_date"].tolist())}
    citation = f"{NAME}, accessed {ctx.accessed}; export: {coverage(set(col['country'].tolist()), days)}; {TERMS}"
    fields = {
        **export_fields("acled", col["event_id_cnty"], dates[used], unit, province, lon[used], lat[used]),
        "title": kind + ": " + np.where(unit, where, location),
        "category": per_distinct(lambda t: CATEGORY.get(t.lower(), "political event"), col["event_type"]),
        "location_precision": precision,
        "place": np.where(unit, np.where(location != "", where + " (ACLED codes the point to " + location + ")", where),
                          location),
        "location_basis": np.array([g[1] for g in geo[used]], dtype=object), "summary": summary}
    lists = {
        "actors": per_distinct(lambda a: tuple(dict.fromkeys(ctx.actors.canonical(x) for x in a)), merged[rows][used]),
        "units": unit_lists(unit, district, province), "fatalities": per_distinct(_fatalities, col["fatalities"])}
    own = with_sources(lists, col["source"], "ACLED event " + col["event_id_cnty"] + f", accessed {ctx.accessed}",
                       _sources)
    return table_of(fields, lists, len(used), dataset=citation, redistributable=False, own=own), citation


def _one_event_per_id(raw, actors, ctx: Context):
    """:func:`_one_row_per_event` as columns: which rows are an event's first, and each row's actors with
    those of the event's later rows merged in; the same note."""
    import numpy as np
    import pandas as pd

    ids = pd.Series(raw, dtype=object)
    has = raw != ""
    keep = ~(has & ids.duplicated().to_numpy())
    merged = actors.copy()
    by_id: dict[str, list] = {}
    for i in np.flatnonzero(has & ids.duplicated(keep=False).to_numpy()).tolist():
        if raw[i] in by_id:
            first = by_id[raw[i]]
            first += [a for a in actors[i] if a not in first]
        else:
            by_id[raw[i]] = list(actors[i])
    for i in np.flatnonzero(keep & ids.isin(by_id.keys()).to_numpy()).tolist():
        merged[i] = tuple(by_id[raw[i]])
    if by_id:
        ctx.say(f"monadic export (one row per actor): {len(raw)} rows for {int(keep.sum())} events; de-duplicated "
                f"by event_id_cnty ({len(by_id)} events had several rows): actors merged, fatalities counted once")
    return keep, merged
