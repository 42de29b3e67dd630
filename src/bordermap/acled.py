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


def _actors(row: dict[str, str]) -> list[str]:
    names = [row.get("actor1", ""), *row.get("assoc_actor_1", "").split(";"),
             row.get("actor2", ""), *row.get("assoc_actor_2", "").split(";")]
    return [n.strip() for n in names if n.strip()]


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
    day = parse_date(row.get("event_date", ""))
    precision = row.get("time_precision", "").removesuffix(".0")
    if day is None:
        ctx.skip("not used: event_date is not a date", label)
        return None
    if precision == "1":
        return day.isoformat(), "day", ""
    if precision == "2":
        start, end = day - dt.timedelta(days=3), day + dt.timedelta(days=3)
        return (f"{start.isoformat()}/{end.isoformat()}", "range",
                f"ACLED time_precision 2: known to the week; ACLED codes it to the middle day, {day.isoformat()}")
    if precision == "3":
        return (f"{day:%Y-%m}", "month",
                f"ACLED time_precision 3: known to the month; ACLED codes it to the middle, {day.isoformat()}")
    ctx.skip(f"not used: time_precision is not 1, 2 or 3", label)
    return None


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
    fatalities = row.get("fatalities", "").removesuffix(".0")
    interaction = interaction_label(row)
    notes = row.get("notes", "")
    summary = f"ACLED's notes: {notes}" if notes else "ACLED gives no notes for this event."
    if interaction:
        summary += f" (ACLED interaction: {interaction}.)"
    work = f"ACLED event {raw}, accessed {ctx.accessed}"
    outlets = [s.strip() for s in re.split(r";", row.get("source", "")) if s.strip()]
    sources = tuple(Source(author=o, work=work, via="ACLED") for o in outlets) or (Source("ACLED", work),)
    return Record(
        id=record_id("acled", raw), title=f"{kind}: {row.get('location') if lon is not None else where}",
        category=category, date=date[0], date_precision=date[1], date_note=date[2],
        actors=tuple(dict.fromkeys(ctx.actors.canonical(a) for a in row["_actors"])),
        location_precision=precision, units=units, admin1=province if lon is not None else "",
        place=place, location_basis=basis, summary=summary, sources=sources, lon=lon, lat=lat,
        fatalities=Fatalities(int(fatalities), note=FATALITIES_NOTE) if fatalities.isdigit() else None,
        redistributable=False)


def _with_citation(record: Record, citation: str) -> Record:
    from dataclasses import replace

    return replace(record, dataset=citation)
