"""A Layer is what a renderer draws: features in EPSG:4326, a style, text, credits.

Text (tooltips, popups, labels) is kept as plain strings here; renderers escape
it. Nothing in this module reads files or knows about Leaflet.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from .recipe import Recipe
from .sources import Boundaries

# The colour system. The base map is pale and low in chroma, so that the saturated colours stay
# for what happened (events), and no event colour repeats a country fill or the border colour;
# tests/test_layers.py checks the distances under simulated colour-vision deficiencies.
#: Country tints of the three countries' provinces (told apart by their labels and borders too).
COUNTRY_COLOURS = {"PAK": "#a9c59a", "AFG": "#c9b89c", "IRN": "#a9bcd3"}
NEIGHBOUR_FILL = "#d9d9d9"
#: The Pakistan–Afghanistan and Pakistan–Iran borders: dark purple, a hue no event symbol uses.
BORDER_EMPHASIS = "#40004b"
NEUTRAL = "#6b6b6b"
#: The grey of the legend's explanatory entries (halo, uncertainty, district points): notes, not categories.
NOTE_COLOUR = "#555555"


@dataclass(frozen=True)
class Style:
    """Leaflet path options, plus categorical overrides keyed by a property's value."""

    color: str = NEUTRAL
    weight: float = 1.0
    opacity: float = 1.0
    fill: bool = True
    fill_color: str | None = None
    fill_opacity: float = 0.2
    dash_array: str | None = None
    by: str | None = None
    classes: Mapping[Any, Mapping[str, Any]] = field(default_factory=dict)
    radius: float = 6.0  # point features are drawn as circles of this many pixels

    def for_feature(self, props: Mapping[str, Any]) -> dict[str, Any]:
        base = {
            "color": self.color,
            "weight": self.weight,
            "opacity": self.opacity,
            "fill": self.fill,
            "fillColor": self.fill_color or self.color,
            "fillOpacity": self.fill_opacity if self.fill else 0,
        }
        if self.dash_array:
            base["dashArray"] = self.dash_array
        if self.by is not None:
            base.update(self.classes.get(props.get(self.by), {}))
        return base


@dataclass(frozen=True)
class Text:
    """What a feature says: a bold heading and plain lines under it."""

    heading: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Popup:
    """A feature's full story: heading, labelled facts, text, and its sources."""

    heading: str
    rows: tuple[tuple[str, str], ...] = ()
    body: tuple[str, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()  # (text, url or "")
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    shape: str  # a marker shape name, or "area" / "line"
    dashed: bool = False
    hatch: float | None = None  # the hatching angle of an area drawn hatched


@dataclass(frozen=True)
class Item:
    """One record as the reader's list, facets, search and time filter see it.

    Markers and shapes point back to their item by ``id``, so one filter state
    can show or hide everything a record draws.
    """

    id: str
    title: str
    category: str
    date: str  # the reader's form, a range shown as a range
    start: str = ""  # ISO days; empty when undated
    end: str = ""
    actors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    precision: str = ""
    where: str = ""
    popup: Popup | None = None
    radius: float = 0.0  # metres of location uncertainty drawn around the item's markers
    inferred: tuple[str, ...] = ()  # "Inferred: date", … or NOTHING_INFERRED; empty for items without the field
    fatalities: tuple[int, int, int] | None = None  # best, low, high
    redistributable: bool = True  # False: a page shows it but must never offer it for download (ACLED)
    record: Any = field(default=None, compare=False, repr=False)  # the events.Record, for the page's download


@dataclass(frozen=True)
class Layer:
    name: str
    frame: gpd.GeoDataFrame
    style: Style
    tooltip: tuple[Text, ...] = ()  # one per feature, same order as frame
    popup: tuple[Popup, ...] = ()  # one per feature, or none
    labels: tuple[tuple[float, float, str, str], ...] = ()  # lat, lon, text, css class
    label_also: tuple[tuple[tuple[float, float], ...], ...] = ()  # per label: other (lat, lon) its name may use
    show: bool = True
    attribution: tuple[str, ...] = ()
    legend: tuple[LegendItem, ...] = ()
    feature_labels: tuple[tuple[float, float, str, str], ...] = ()  # drawn with the layer
    items: tuple[Item, ...] = ()  # records drawn here; a "record" column ties features to them
    aggregate: Any = None  # an AggregateView: the page recounts this layer's units as the filters change


@dataclass(frozen=True)
class AggregateView:
    """What the page needs to recount an aggregate: per unit (in frame order) the ids of its events."""

    measure: str
    members: tuple[tuple[str, ...], ...]
    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    unplaced: tuple[str, ...]


@dataclass(frozen=True)
class ImageLayer:
    """A picture laid on the map under everything else (the shaded relief): a data URL and its bounds."""

    name: str
    url: str  # data: URL, already in the page's projection
    bounds: tuple[float, float, float, float]  # west, south, east, north
    opacity: float = 1.0
    show: bool = True
    attribution: tuple[str, ...] = ()
    legend: tuple[LegendItem, ...] = ()
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Marker:
    """One point symbol: where, what it looks like, what it says, when it happened."""

    id: str
    lat: float
    lon: float
    colour: str
    shape: str
    title: str
    tooltip: Text
    popup: Popup
    start: str = ""  # ISO day; empty when undated
    end: str = ""
    size: int = 22  # pixels; rings for several records at one town grow outwards
    label: str = ""  # short name written beside the symbol in static figures
    record: str = ""  # the Item this marker draws
    approximate: bool = False  # drawn with a dashed halo: the location is not an exact site
    offset: tuple[int, int] = (0, 0)  # pixels right and down of the place: symbols at one place side by side
    z: int = 0  # drawing order among symbols at one place: higher on top


@dataclass(frozen=True)
class MarkerLayer:
    name: str
    markers: tuple[Marker, ...]
    cluster: bool = True
    show: bool = True
    attribution: tuple[str, ...] = ()
    legend: tuple[LegendItem, ...] = ()
    items: tuple[Item, ...] = ()
    #: point events drawn after ``markers`` and listed after ``items``, as columns: an ``eventblock.Rows``,
    #: with each point's side-by-side offset and drawing order (``dx``, ``z``)
    block: Any = None
    block_place: tuple = ()


def focus_mask(admin1: gpd.GeoDataFrame, focus: tuple[str, ...]):
    return admin1["code"].isin(focus) | admin1["adm0_a3"].isin(focus)


def boundary_layers(b: Boundaries, recipe: Recipe, towns: gpd.GeoDataFrame | None = None) -> list[Layer]:
    """The base map: neighbours, provinces, former units, borders, labels (with ``towns``' names)."""
    focus = focus_mask(b.admin1, recipe.focus)
    admin1 = b.admin1.assign(_focus=focus.values)
    out: list[Layer] = []
    wanted = set(recipe.include)
    if "countries" in wanted:
        neighbours = b.countries[b.countries["role"] == "neighbour"].reset_index(drop=True)
        out.append(Layer(
            name="Neighbouring countries",
            frame=neighbours,
            style=Style(color="#9a9a9a", weight=0.8, fill_color=NEIGHBOUR_FILL, fill_opacity=0.35),
            tooltip=tuple(Text(n) for n in neighbours["name"]),
            attribution=b.attribution,
        ))
    if "provinces" in wanted:
        # One style rule per country, stronger for the units the recipe is about.
        admin1["_class"] = admin1["adm0_a3"] + admin1["_focus"].map({True: "*", False: ""})
        classes: dict[str, dict[str, Any]] = {}
        for code, colour in COUNTRY_COLOURS.items():
            classes[code] = {"fillColor": colour, "fillOpacity": 0.2}
            classes[code + "*"] = {"fillColor": colour, "fillOpacity": 0.38, "color": "#2b2b2b", "weight": 1.4}
        out.append(Layer(
            name="Provinces (first-level units)",
            frame=admin1,
            style=Style(color="#ffffff", weight=1.0, by="_class", classes=classes),
            tooltip=tuple(_unit_text(r) for r in admin1.itertuples(index=False)),
            attribution=b.attribution,
        ))
    if "former_units" in wanted and len(b.former):
        out.append(Layer(
            name="Former F.A.T.A. (merged into Khyber Pakhtunkhwa, 2018)",
            frame=b.former,
            style=Style(color="#333333", weight=1.4, fill=False, dash_array="6 5"),
            tooltip=tuple(Text(f"Former {r.name}", (r.note,)) for r in b.former.itertuples(index=False)),
            attribution=b.attribution,
            legend=(LegendItem("Former F.A.T.A. (part of Khyber Pakhtunkhwa since 2018)", "#333333", "line", True),),
        ))
    if "borders" in wanted:
        borders = b.borders.sort_values("emphasis", kind="stable").reset_index(drop=True)
        out.append(Layer(
            name="International borders",
            frame=borders,
            style=Style(color="#4d4d4d", weight=1.5, fill=False, by="emphasis",
                        classes={True: {"color": BORDER_EMPHASIS, "weight": 4.5}}),
            tooltip=tuple(Text(r.name, (r.note,) if r.note else ()) for r in borders.itertuples(index=False)),
            attribution=b.attribution,
            legend=(LegendItem("Pakistan–Afghanistan and Pakistan–Iran borders", BORDER_EMPHASIS, "line"),),
        ))
    if "labels" in wanted:
        labels, also = _boundary_labels(b, admin1, frame_bounds(b, recipe), towns, recipe.focus)
        out.append(Layer(name="Labels", frame=gpd.GeoDataFrame(geometry=[], crs=4326),
                         style=Style(), labels=tuple(labels), label_also=tuple(also)))
    return out


#: The zoom from which each kind of label is shown (a label's kind is also its CSS class in the page).
#: The page and the figures place labels in this order of kinds, and drop one that would collide.
#: "province": a unit the recipe names in its focus; "province-2": a unit of a country it names;
#: "province-minor": any other unit of the three countries.
#: A name already shown is not repeated: a town's name wins over the province named after it.
LABEL_MIN_ZOOM: dict[str, int] = {"country": 0, "province": 5, "town-1": 5, "town-2": 6, "province-2": 5,
                                  "district": 7, "province-minor": 6, "town-3": 8, "analyst": 0}


def _boundary_labels(b: Boundaries, admin1: gpd.GeoDataFrame, frame: tuple[float, float, float, float],
                     towns: gpd.GeoDataFrame | None = None, focus_codes: tuple[str, ...] = ()) -> list:
    """Country names placed inside the part of the country the map frames; every province of the three
    countries; the curated towns, by their label priority (their kind ``town-N``).

    A country's own representative point can lie outside the map (Iran's does, on the default map).
    Returns the labels and, for each, the other points inside its area where the page may set a name that
    must be shown (countries and focus provinces) when its own point is crowded.
    """
    import shapely

    box = shapely.box(*frame)
    labels, also = [], []
    for r in b.countries[b.countries["role"] == "focus"].itertuples(index=False):
        inside = r.geometry.intersection(box)
        if inside.is_empty:
            continue
        p, *others = label_points(inside)
        labels.append((round(p.y, 3), round(p.x, 3), r.name.upper(), "country"))
        also.append(tuple((round(q.y, 3), round(q.x, 3)) for q in others))
    units = admin1[admin1["adm0_a3"].isin(COUNTRY_COLOURS)]
    for name, code, geom, focus in zip(units["name"], units["code"], units.geometry, units["_focus"]):
        p, *others = label_points(geom, 4 if code in focus_codes else 1)
        kind = "province" if code in focus_codes else "province-2" if focus else "province-minor"
        labels.append((round(p.y, 3), round(p.x, 3), name, kind))
        also.append(tuple((round(q.y, 3), round(q.x, 3)) for q in others))
    if towns is not None:
        for name, geom, priority in zip(towns["name"], towns.geometry, towns["priority"]):
            labels.append((round(geom.y, 5), round(geom.x, 5), name, f"town-{int(priority)}"))
            also.append(())
    return labels, also


def label_points(geom, n: int = 4) -> list:
    """Where an area's name may go, best first: the centre of the widest circle inside it (for Badakhshan the
    province's body, not the Wakhan strip a representative point may fall in), then the centres of the widest
    circles in what is left away from those, while they are at least a quarter as wide: points well inside."""
    import shapely

    rest = max(shapely.get_parts(geom), key=lambda g: g.area)
    points, first = [], None
    while len(points) < n and not rest.is_empty:
        circle = shapely.maximum_inscribed_circle(rest, 0.01)
        radius = circle.length
        if first is not None and radius < first / 4:
            break
        centre = shapely.get_point(circle, 0)
        points.append(centre)
        first = radius if first is None else first
        rest = rest.difference(centre.buffer(2 * radius))
    return points


def _unit_text(r) -> Text:
    lines = [f"{r.type} of {r.country} · {r.code}"]
    if r.former_units:
        lines.append(f"Includes the former {r.former_units}")
    if r.name != r.ne_name:
        lines.append(f"Natural Earth name: {r.ne_name}")
    return Text(r.name, tuple(lines))


def frame_bounds(b: Boundaries, recipe: Recipe) -> tuple[float, float, float, float]:
    """west, south, east, north to open the map on."""
    if recipe.bounds:
        return recipe.bounds
    units = b.admin1[focus_mask(b.admin1, recipe.focus)] if recipe.focus else b.admin1
    w, s, e, n = units.total_bounds
    return (round(w, 2), round(s, 2), round(e, 2), round(n, 2))


# --- events, places and group areas -------------------------------------------------

#: category -> (colour, shape), Okabe–Ito's colours. Shape carries the category as well as colour does.
#: The order is the drawing order too: a later category is drawn under an earlier one at one place.
CATEGORY_SYMBOLS: dict[str, tuple[str, str]] = {
    "attack": ("#D55E00", "triangle"),
    "raid": ("#CC79A7", "diamond"),
    "border clash": ("#E69F00", "square"),
    "political event": ("#0072B2", "circle"),
    "diplomatic event": ("#56B4E9", "hexagon"),
    "recruitment": ("#F0E442", "star"),
    "border crossing": ("#1a1a1a", "cross"),
    "place": ("#ffffff", "circle"),
}
#: Area colours (Paul Tol's "muted" scheme), by the first actor named, else by category.
AREA_COLOURS: dict[str, str] = {
    "Balochistan Liberation Army": "#CC6677",
    "Jaish ul-Adl": "#AA4499",
    "Tehrik-i-Taliban Pakistan": "#882255",
    "Fatemiyoun Brigade": "#117733",
    "Zainabiyoun Brigade": "#999933",
    "ETIM/TIP": "#332288",
    "refugee-hosting area": "#88CCEE",
}
AREA_OVERLAYS = {  # category -> (layer name, shown by default)
    "group area": ("Group areas", True),
    "cross-border movement": ("Cross-border movement", False),
    "refugee-hosting area": ("Refugee-hosting provinces", False),
}
#: Hatching angles (degrees) of the group areas, in the order of AREA_COLOURS: overlapping areas stay apart.
AREA_HATCH = (45.0, -45.0, 0.0, 90.0, 22.5, -67.5, 67.5)
#: A layer of point symbols clusters only beyond this many: below it every symbol is shown.
CLUSTER_FROM = 300
#: Pixels between the centres of symbols drawn side by side at one place.
SIDE_BY_SIDE_PX = 24
#: Location precisions drawn as a circle of this radius (metres) around the point.
UNCERTAINTY_M = {"town": 10_000.0, "near": 25_000.0}
#: Location precisions drawn as the shaded unit(s) the record names, when their shapes are on the map.
UNIT_PRECISIONS = ("district", "province", "region", "country")
UNCERTAINTY_LAYER = "Location uncertainty"
UNCERTAINTY_NOTE = (f"Location uncertainty: the unit, or the circle ({UNCERTAINTY_M['town'] / 1000:.0f} km for a "
                    f"town, {UNCERTAINTY_M['near'] / 1000:.0f} km for 'near'), an event is known to")
APPROXIMATE_NOTE = "Dashed halo: the location is approximate (a town, a district or nearer), not an exact site"
HQ_NOTE = ("District shown as a point at its headquarters town: the district boundaries in use have no shape "
           "of its own")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


INFERRED_LABEL = "Inferred by the map's editors"
NOTHING_INFERRED = "Nothing inferred"
CONTEXT_LABEL = "Context (the map's editors, not the sources)"


def format_date(record) -> str:
    """A reader's form of the date, with its precision, and where it comes from when the sources lack it.

    Every place a date is shown (list, tooltip, search, popup, figure) uses this text, so a date the
    editors supplied never appears without saying so.
    """
    if record.date_precision == "undated":
        return "Undated"
    text = date_text(record.date, record.date_precision)
    how = "range" if record.date_precision == "range" else f"to the {record.date_precision}"
    if getattr(record, "date_inferred", False):
        how += f"; {record.date_note}"
    return f"{text} ({how})"


def date_text(value: str, precision: str) -> str:
    """A dated value in words: '13 September 2022', 'March 2023', or a range 'A – B'. A template's date
    (``eventblock``) is a placeholder: its words are each row's own (``eventblock.of_table`` makes them here)."""
    from .eventblock import MARK, placeholder

    if MARK in value:
        return placeholder("date_words")
    if precision == "range":
        a, b = value.split("/")
        return f"{_date_words(a)} – {_date_words(b)}"
    return _date_words(value)


def inferred_labels(record) -> tuple[str, ...]:
    """The reader's names of the fields the editors inferred, in schema order."""
    from .events import INFERABLE

    return tuple(label for name, label in INFERABLE.items() if name in record.inferred)


@functools.lru_cache(maxsize=4096)
def _date_words(value: str) -> str:
    """'2022-09-13' -> '13 September 2022' (once per distinct date: 100k events repeat a few hundred)."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return f"{parts[2]} {MONTHS[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


def record_popup(record, actors, unit_names: dict[str, str], where: str = "") -> Popup:
    from .events import PRECISIONS

    rows = [("Category", record.category), ("Date", format_date(record))]
    if record.actors:
        rows.append(("Actors", "; ".join(_actor_label(a, actors) for a in record.actors)))
    place = record.place or where
    units = [unit_names.get(u, u) for u in ((record.admin1,) if record.admin1 else record.units)]
    if units and record.admin1:
        place = f"{place}, {units[0]}" if place else units[0]
    rows.append(("Where", place))
    rows.append(("Located to", f"{record.location_precision}: {PRECISIONS[record.location_precision]}"))
    if record.inferred:
        rows.append((INFERRED_LABEL, ", ".join(inferred_labels(record))))
    if record.quote:
        article = record.sources[0].via or record.sources[0].work
        rows.append(("Passage", f"\u201c{record.quote}\u201d ({article})"))
    if record.context:
        rows.append((CONTEXT_LABEL, record.context))
    if record.fatalities is not None:
        rows.append(("Fatalities", record.fatalities.text()))
    date_note = "" if record.date_inferred else record.date_note  # already in the date's own text
    notes = [n for n in (date_note, f"Location basis: {record.location_basis}") if n]
    return Popup(heading=record.title, rows=tuple(rows), body=(record.summary,),
                 sources=tuple((s.text(), s.url) for s in record.sources), notes=tuple(notes))


def _actor_label(name: str, actors) -> str:
    short = actors.short(name)
    return name if short == name else f"{name} ({short})"


def event_layers(records, boundaries: Boundaries, districts, actors, *, markers: bool = True,
                 areas: bool = True, district_shapes: Mapping[str, tuple] | None = None, tables=()) -> list:
    """Markers for events and places; shaded units and district points for areas.

    ``district_shapes`` maps district ids to (polygon, source name, release) from
    the geoBoundaries cache; a district without one is drawn at its headquarters.
    Every record becomes one Item; what it draws refers back to it. ``tables`` are
    checked events files of point events only (``eventblock.eligible``), drawn after
    the records as columns: the same items and markers, without an object per event.
    """
    from . import eventblock

    district_shapes = district_shapes or {}
    from .events import CATEGORIES

    unit_names = {r.code: f"{r.name}, {r.country}" for r in boundaries.admin1.itertuples(index=False)}
    for d in districts.values():
        unit_names[d.id] = f"{d.name} district, {unit_names.get(d.parent, d.parent)}"
    admin1 = boundaries.admin1.set_index("code")
    province_shapes = dict(zip(admin1.index, admin1.geometry))  # one look-up per unit-located record
    provinces = {r.code: (r.name, r.country) for r in boundaries.admin1.itertuples(index=False)}
    items = {r.id: record_item(r, actors, provinces, districts, unit_names) for r in records}
    block = eventblock.concat([eventblock.of_table(t, lambda r: record_item(r, actors, provinces, districts,
                                                                           unit_names)) for t in tables]) \
        if tables and markers else None
    drawn = block.templates if block is not None else []
    symbols: list[Marker] = []
    uncertain: list[dict] = []
    out: list = []
    for record in records:
        if CATEGORIES[record.category] == "area" or not markers:
            continue
        shape, colour, _, approximate = point_look(record)
        where = [(record.lat, record.lon, "")] if record.lon is not None else [
            (districts[u].hq_lat, districts[u].hq_lon, f"shown at {districts[u].hq_name}, the district headquarters")
            for u in record.units if u in districts]
        item = items[record.id]
        for n, (lat, lon, note) in enumerate(where):
            popup = item.popup
            if note:
                popup = Popup(popup.heading, popup.rows + (("Shown", note),), popup.body, popup.sources, popup.notes)
            symbols.append(Marker(
                id=record.id if len(where) == 1 else f"{record.id}#{n + 1}", lat=lat, lon=lon, colour=colour,
                shape=shape, title=record.title, tooltip=Text(item.title, (item.date,)), popup=popup,
                start=item.start, end=item.end,
                label=_short_place(record.place) if not note else districts[record.units[n]].hq_name,
                record=record.id, approximate=approximate))
        if record.location_precision in UNIT_PRECISIONS:
            for code in (record.admin1,) if record.admin1 and not record.units else record.units:
                geom = province_shapes[code] if code in province_shapes else \
                    district_shapes[code][0] if code in district_shapes else None
                if geom is not None:
                    uncertain.append({"record": record.id, "colour": colour, "geometry": geom})
    marker_records = [items[r.id] for r in records if CATEGORIES[r.category] != "area" and markers]
    used = sorted({r.category for r in records if CATEGORIES[r.category] != "area"} | {t.category for t in drawn},
                  key=list(CATEGORY_SYMBOLS).index)
    legend = tuple(LegendItem(c[0].upper() + c[1:], *CATEGORY_SYMBOLS[c]) for c in used)
    if any(m.approximate for m in symbols) or any(t.precision != "site" for t in drawn):
        legend += (LegendItem(APPROXIMATE_NOTE, NOTE_COLOUR, "halo"),)
    credits = ("Events: summaries of cited articles (see each popup)", "Place coordinates: GeoNames (CC BY 4.0)")
    credits += tuple(sorted({r.dataset for r in records if r.dataset} | {t.record.dataset for t in drawn
                                                                         if t.record.dataset}))
    symbols, dx, z = side_by_side(symbols, block)  # one placing: the records' and the block's share places
    place = (dx, z, [point_look(t.record) for t in drawn]) if block is not None else ()
    count = len(symbols) + (len(block) if block is not None else 0)
    if markers:
        out.append(MarkerLayer(name="Events and places", markers=tuple(symbols), cluster=count > CLUSTER_FROM,
                               attribution=credits, legend=legend, items=tuple(marker_records), block=block,
                               block_place=place))
    if any(i.radius for i in marker_records) or any(t.radius for t in drawn) or uncertain:
        frame = gpd.GeoDataFrame(uncertain, geometry="geometry", crs=4326) if uncertain else \
            gpd.GeoDataFrame({"record": [], "colour": []}, geometry=[], crs=4326)
        out.append(Layer(
            name=UNCERTAINTY_LAYER, frame=frame,
            style=Style(color="#555555", weight=2, fill_opacity=0.1, dash_array="5 4", by="record",
                        classes={r["record"]: {"color": r["colour"], "fillColor": r["colour"]} for r in uncertain}),
            tooltip=tuple(Text(items[r["record"]].title, ("Located only to this unit",)) for r in uncertain),
            legend=(LegendItem(UNCERTAINTY_NOTE, NOTE_COLOUR, "area", True),),
            items=tuple({r["record"]: items[r["record"]] for r in uncertain}.values())))

    for category, (name, show) in AREA_OVERLAYS.items():
        recs = [r for r in records if r.category == category] if areas else []
        if not recs:
            continue
        rows, tips, ring_markers, legend_items = [], [], [], []
        rings_at: dict[str, int] = {}
        named: dict[str, tuple] = {}
        for record in recs:
            colour = _area_colour(record)
            dashed = record.location_precision == "region"
            label = ", ".join(actors.short(a) for a in record.actors) or record.category.capitalize()
            item = LegendItem(f"{label}: {record.title}", colour, "area", dashed, _area_hatch(colour))
            legend_items.append(item)
            popup = items[record.id].popup
            for code in record.units:
                if code in admin1.index:
                    rows.append({"record": record.id, "colour": colour, "dashed": dashed,
                                 "geometry": admin1.loc[code].geometry})
                    tips.append(Text(record.title, (unit_names[code], f"Located to: {record.location_precision}")))
                elif code in district_shapes:
                    geom, source_name, release = district_shapes[code]
                    d = districts[code]
                    note = _shape_note(release, source_name)
                    rows.append({"record": record.id, "colour": colour, "dashed": dashed, "geometry": geom})
                    tips.append(Text(record.title, (f"{d.name} district ({release.country} {release.level}: "
                                                    f"{source_name})", f"Located to: {record.location_precision}")
                                     + ((note,) if note else ())))
                    if code not in named:  # the district's name on the map, said as what the shape is
                        p = geom.representative_point()
                        named[code] = (round(p.y, 4), round(p.x, 4), _shape_label(d.name, release, source_name,
                                                                                   districts), "district")
                elif code in districts:
                    d = districts[code]
                    nth = rings_at[code] = rings_at.get(code, -1) + 1
                    ring_markers.append(Marker(
                        id=f"{record.id}@{code}", lat=d.hq_lat, lon=d.hq_lon, colour=colour, shape="ring",
                        size=22 + 14 * nth, label=d.name, record=record.id,
                        title=f"{record.title}: {d.name}",
                        tooltip=Text(f"{d.name} district", (record.title, f"Shown at {d.hq_name} (headquarters)")),
                        popup=Popup(popup.heading, popup.rows + (("Shown", f"{d.name} district, at {d.hq_name}, "
                                                                   "its headquarters town"),),
                                    popup.body, popup.sources, popup.notes + ((d.note,) if d.note else ()))))
        if ring_markers:
            legend_items.append(LegendItem(HQ_NOTE, NOTE_COLOUR, "ring", True))
        used = {district_shapes[c][2].attribution for r in recs for c in r.units if c in district_shapes}
        legend_items.extend(LegendItem(f"District areas from {text.removeprefix('Districts: ')}", NOTE_COLOUR, "area")
                            for text in sorted(used))
        area_items = tuple(items[r.id] for r in recs)
        if rows:
            frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
            # hatched, one angle per group: overlapping areas stay readable and match their legend swatch;
            # a claim located only to a region is drawn lighter and dashed
            style = Style(color="#333333", weight=1.5, fill_opacity=0.38, by="record", classes={
                r["record"]: {"fillColor": r["colour"], "color": r["colour"], "hatch": _area_hatch(r["colour"]),
                              **({"dashArray": "6 4", "weight": 1.5, "fillOpacity": 0.2} if r["dashed"] else
                                 {"weight": 2.5, "fillOpacity": 0.5})} for r in rows})
            out.append(Layer(name=name, frame=frame, style=style, tooltip=tuple(tips), show=show,
                             legend=tuple(legend_items), attribution=tuple(sorted(used)), items=area_items,
                             feature_labels=tuple(named.values())))
            legend_items, area_items = [], ()
        if ring_markers:
            out.append(MarkerLayer(name=f"{name}: districts (shown at headquarters towns)",
                                   markers=tuple(ring_markers), cluster=False, show=show,
                                   legend=tuple(legend_items), items=area_items))
    return out


def record_item(record, actors, provinces: Mapping[str, tuple[str, str]], districts,
                unit_names: dict[str, str]) -> Item:
    """The reader's view of a record: facet values named as a reader knows them.

    ``provinces`` maps first-level codes to (name, country). A claim about a whole country
    names no province: its units only draw the country.
    """
    from .eventblock import MARK, placeholder

    named: dict[str, str] = {}
    for code in ((record.admin1,) if record.admin1 else ()) + tuple(record.units):
        province = districts[code].parent if code in districts else code
        if province in provinces:
            name, country = provinces[province]
            named[name] = country
    if MARK in record.date and record.date_precision != "undated":  # a template's: each row's own days
        start, end = placeholder("start"), placeholder("end")
    else:
        period = record.period
        start, end = (period[0].isoformat(), period[1].isoformat()) if period else ("", "")
    countries = tuple(dict.fromkeys(named.values()))
    if record.location_precision == "country":
        named = {}
    where = record.place or "; ".join(unit_names.get(u, u) for u in record.units)
    return Item(
        id=record.id, title=record.title, category=record.category, date=format_date(record),
        start=start, end=end, actors=tuple(_actor_label(a, actors) for a in record.actors),
        countries=countries, provinces=tuple(named),
        precision=record.location_precision, where=where, popup=record_popup(record, actors, unit_names),
        radius=UNCERTAINTY_M.get(record.location_precision, 0.0) if record.lon is not None else 0.0,
        inferred=tuple(f"Inferred: {label}" for label in inferred_labels(record)) or (NOTHING_INFERRED,),
        fatalities=_fatality_range(record.fatalities), redistributable=record.redistributable, record=record)


def _fatality_range(f) -> tuple[int, int, int] | None:
    if f is None:
        return None
    return (f.best, f.best if f.low is None else f.low, f.best if f.high is None else f.high)


def _short_place(place: str) -> str:
    """'Quetta (Serena Hotel)' -> 'Quetta': the town, for a label on a small figure."""
    return place.split(" (")[0].strip()


def _shape_row(release, source_name: str):
    frame = release.frame
    rows = frame[frame["shapeName"] == source_name] if "shapeName" in frame.columns else frame.iloc[:0]
    return rows.iloc[0] if len(rows) else None


def _shape_note(release, source_name: str) -> str:
    """What a reader must know about a district shape (e.g. that Kharan still includes Washuk)."""
    row = _shape_row(release, source_name)
    return str(row["note"]) if row is not None and "note" in row.index and isinstance(row["note"], str) else ""


def _shape_label(name: str, release, source_name: str, districts) -> str:
    """'Kharan (with Washuk)': a shape that still holds a later district says so in its name."""
    row = _shape_row(release, source_name)
    inside = str(row["includes"]) if row is not None and "includes" in row.index and isinstance(
        row["includes"], str) else ""
    later = [districts[c].name for c in inside.split(";") if c in districts]
    return f"{name} (with {', '.join(later)})" if later else name


def _area_hatch(colour: str) -> float:
    colours = list(dict.fromkeys(AREA_COLOURS.values()))
    return AREA_HATCH[colours.index(colour) % len(AREA_HATCH)] if colour in colours else AREA_HATCH[0]


def point_look(record) -> tuple[str, str, int, bool]:
    """A point record's symbol: shape, colour, size in pixels, and whether it has the approximate halo."""
    colour, shape = CATEGORY_SYMBOLS[record.category]
    return shape, colour, Marker.size, record.location_precision != "site"


def side_by_side(symbols: list[Marker], block=None) -> tuple[list[Marker], np.ndarray, np.ndarray]:
    """Symbols at one place set side by side (pixel offsets around the place), the first category on top;
    with the points of ``block`` (an ``eventblock.Rows`` of point events) after them, when given.

    With few events there is nothing to cluster, and one symbol must never hide another. Returns the
    symbols moved, and the block's points' offsets and drawing orders (empty without a block).
    """
    order = {colour_shape: n for n, colour_shape in enumerate(CATEGORY_SYMBOLS.values())}
    lat, lon = np.array([m.lat for m in symbols], dtype=float), np.array([m.lon for m in symbols], dtype=float)
    rank = np.array([order.get((m.colour, m.shape), 99) for m in symbols], dtype=np.int64)
    ids = np.array([m.id for m in symbols], dtype=object)
    if block is not None:
        categories = list(CATEGORY_SYMBOLS)
        lat, lon = np.concatenate([lat, block.lat]), np.concatenate([lon, block.lon])
        rank = np.concatenate([rank, np.array([categories.index(t.category) for t in block.templates],
                                              dtype=np.int64)[block.codes]])
        ids = np.concatenate([ids, block.ids])
    dx, z = place_side_by_side(lat, lon, rank, ids)
    n = len(symbols)
    return ([replace(m, offset=(int(x), 0), z=int(k)) for m, x, k in zip(symbols, dx[:n].tolist(), z[:n].tolist())],
            dx[n:], z[n:])


def place_side_by_side(lat, lon, rank, ids) -> tuple[np.ndarray, np.ndarray]:
    """Each symbol's pixel offset right of its place and its drawing order (higher on top), column-wise:
    symbols at one place (to 4 decimals) in a row centred on it, by category (``rank``) then id, the
    first in the middle and on top. Only places with several symbols are sorted."""
    n = len(lat)
    dx, z = np.zeros(n, dtype=np.int64), np.ones(n, dtype=np.int64)
    if not n:
        return dx, z
    place = _places(np.asarray(lat, float), np.asarray(lon, float))
    size = np.bincount(place)[place]
    shared = np.flatnonzero(size > 1)
    if len(shared):
        group = pd.DataFrame({"place": place[shared], "rank": np.asarray(rank)[shared],
                              "id": np.asarray(ids, dtype=object)[shared], "at": shared})
        group = group.sort_values(["place", "rank", "id"], kind="stable")
        k = group.groupby("place", sort=False).cumcount().to_numpy()
        at = group["at"].to_numpy()
        # in a row centred on the place, the first category in the middle
        dx[at] = (k + 1) // 2 * np.where(k % 2 == 1, 1, -1) * SIDE_BY_SIDE_PX
        z[at] = size[at] - k
    return dx, z


def _places(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """A code per distinct place to 4 decimals: numpy's ``round(x, 4)`` is ``rint(x * 10**4) / 10**4``, so
    the grid integers tell the same places apart, and one integer key a point factorizes in a single pass."""
    y, x = np.rint(lat * 1e4), np.rint(lon * 1e4)
    if not (np.abs(y) <= 900_000).all() or not (np.abs(x) <= 1_800_000).all():  # NaN, or off the world
        return pd.factorize(pd.MultiIndex.from_arrays([np.round(lat, 4), np.round(lon, 4)]))[0]
    return pd.factorize((y.astype(np.int64) + 900_000) * 3_600_001 + (x.astype(np.int64) + 1_800_000))[0]


def _area_colour(record) -> str:
    for actor in record.actors:
        if actor in AREA_COLOURS:
            return AREA_COLOURS[actor]
    return AREA_COLOURS.get(record.category, "#DDCC77")


# --- analysts' layers -----------------------------------------------------------------

#: Categorical colours for ``color_by`` (Okabe–Ito, then Tol's muted scheme).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#332288", "#88CCEE", "#117733", "#999933", "#AA4499", "#882255")
MAX_LABELS = 500
MAX_LEGEND = 12


def analyst_layer(frame: gpd.GeoDataFrame, spec) -> Layer:
    """A checked frame drawn the way its recipe table (or command line) says."""
    if spec.simplify:
        frame = frame.set_geometry(frame.geometry.simplify(spec.simplify, preserve_topology=True))
    classes: dict[Any, dict[str, Any]] = {}
    legend: list[LegendItem] = []
    shape = _legend_shape(frame)
    if spec.color_by:
        values = sorted({v for v in frame[spec.color_by] if v is not None and v == v}, key=str)
        palette = spec.palette or PALETTE
        for i, value in enumerate(values):
            colour = palette[i % len(palette)]
            classes[value] = {"color": colour, "fillColor": colour}
            if i < MAX_LEGEND:
                legend.append(LegendItem(f"{spec.name}: {value}", colour, shape))
        if len(values) > MAX_LEGEND:
            legend.append(LegendItem(f"{spec.name}: {len(values) - MAX_LEGEND} more categories", "#999999", shape))
    else:
        legend.append(LegendItem(spec.name, spec.fill_color or spec.color, shape))
    style = Style(color=spec.color, weight=spec.weight, opacity=spec.opacity, fill_color=spec.fill_color,
                  fill_opacity=spec.fill_opacity, by=spec.color_by, classes=classes, radius=spec.radius)
    records = frame.drop(columns=frame.geometry.name).to_dict("records")
    tip_fields = spec.tooltip or ((spec.label,) if spec.label else tuple(list(frame.columns.drop(frame.geometry.name))[:3]))
    tooltips = tuple(_feature_text(r, tip_fields, spec) for r in records)
    popups = tuple(Popup(heading=_value(r.get(spec.label)) if spec.label else spec.name,
                         rows=tuple((f, _value(r.get(f))) for f in spec.popup)) for r in records) if spec.popup else ()
    labels: tuple = ()
    if spec.label:
        points = frame.geometry.representative_point()
        labels = tuple((round(p.y, 5), round(p.x, 5), _value(r.get(spec.label)), "analyst")
                       for p, r in list(zip(points, records))[:MAX_LABELS] if _value(r.get(spec.label)))
    return Layer(name=spec.name, frame=frame, style=style, tooltip=tooltips, popup=popups, show=spec.show,
                 legend=tuple(legend), attribution=(f"{spec.name}: {spec.path.name}",), feature_labels=labels)


def _feature_text(record: dict, fields, spec) -> Text:
    if not fields:
        return Text(spec.name)
    if spec.label and fields[0] == spec.label:
        return Text(_value(record.get(spec.label)) or spec.name,
                    tuple(f"{f}: {_value(record.get(f))}" for f in fields[1:]))
    return Text(spec.name, tuple(f"{f}: {_value(record.get(f))}" for f in fields))


def _value(value: Any) -> str:
    """A property as text; missing values as an empty string."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _legend_shape(frame: gpd.GeoDataFrame) -> str:
    kinds = set(frame.geometry.geom_type)
    if kinds <= {"Point", "MultiPoint"}:
        return "circle"
    if kinds <= {"LineString", "MultiLineString"}:
        return "line"
    return "area"


def district_layer(release) -> Layer:
    """A geoBoundaries release (cached, or the embedded file) as thin outlines, off until the reader turns it on.

    A unit's ``note`` (the embedded file's: Kharan still includes Washuk,
    Chitral is undivided) is part of its tooltip.
    """
    frame = release.frame
    notes = frame["note"].fillna("").astype(str) if "note" in frame.columns else [""] * len(frame)
    return Layer(
        name=f"Districts (geoBoundaries {release.country} {release.level})", frame=frame,
        style=Style(color="#555555", weight=0.8, fill=False, dash_array="3 3"),
        tooltip=tuple(Text(str(n), (f"{release.country} {release.level} · {i}",) + ((note,) if note else ()))
                      for n, i, note in zip(frame["shapeName"], frame["shapeID"], notes)),
        show=False, attribution=(release.attribution,),
        feature_labels=tuple((round(g.representative_point().y, 4), round(g.representative_point().x, 4), str(n),
                              "district") for n, g in zip(frame["shapeName"], frame.geometry) if g is not None))


#: The aggregate's outline and the fill of a unit whose events are all filtered out.
AGGREGATE_OUTLINE = "#7a0177"


def aggregate_layer(result, records, more_ids=()) -> Layer:
    """Units shaded by class (one set of breaks for page and figure), with their counts and ranges.
    ``more_ids``: the ids of the events counted after ``records`` (point events read as columns)."""
    frame = result.units.rename(columns={"class": "_class"})
    spec = result.spec
    classes = {i: {"fillColor": c} for i, c in enumerate(result.colours)}
    tips = []
    for r in frame.itertuples(index=False):
        lines = [f"{r.count} event{'s' if r.count != 1 else ''}",
                 f"Fatalities: {r.best}" + (f" (range {r.low}–{r.high})" if (r.low, r.high) != (r.best, r.best) else "")]
        tips.append(Text(str(r.name), tuple(lines)))
    legend = tuple(LegendItem(f"{spec.name}: {label}", colour, "area")
                   for label, colour in zip(result.labels(), result.colours))
    legend += tuple(LegendItem(note, NOTE_COLOUR, "area", True) for note in result.notes())
    ids = [r.id for r in records] + list(more_ids)
    view = AggregateView(measure=spec.measure, members=tuple(tuple(ids[i] for i in m) for m in result.members),
                         breaks=result.breaks, colours=result.colours, unplaced=result.notes())
    return Layer(name=spec.name, frame=frame, show=True, tooltip=tuple(tips), legend=legend, aggregate=view,
                 style=Style(color=AGGREGATE_OUTLINE, weight=0.8, fill_opacity=0.65, by="_class", classes=classes))
