"""What a page tells its reader besides the layers: where things are, where the data came from, how to cite it.

A ``Guide`` is plain data assembled from the boundaries, the district table,
the manifests and the drawn layers. The page's search box looks places up in
``places`` (no online geocoder); the sources panel lists ``credits``,
``articles`` and ``notes``. Renderers decide how it looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import shapely

from . import __version__, catalog, events
from .recipe import Recipe
from .sources import Boundaries


@dataclass(frozen=True)
class Place:
    """A named place or unit the search can zoom to."""

    name: str
    kind: str  # Country, Province, District, Town, or an analyst layer's name
    detail: str
    bounds: tuple[float, float, float, float]  # west, south, east, north; a point has west == east
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Credit:
    """One data source or piece of software in the page, with its licence."""

    what: str
    source: str
    licence: str
    url: str = ""


@dataclass(frozen=True)
class Guide:
    places: tuple[Place, ...]
    credits: tuple[Credit, ...]
    articles: tuple[tuple[str, str], ...]  # (citation, url or "") of every source an item cites
    vintage: str
    notes: tuple[str, ...]
    cite: str


#: Shown in every sources panel: a map of a disputed border must say what its lines are and are not.
BOUNDARY_NOTE = (
    "Boundaries and names follow Natural Earth, which draws de facto lines. They are not an endorsement of "
    "any claim: Afghanistan has never formally recognised the Durand Line as its border with Pakistan, and "
    "Kashmir is disputed (the line drawn there is a line of control, not an agreed border).")
SUMMARY_NOTE = (
    "Event and area texts are bordermap's own short summaries; each claim is attributed to the author who "
    "made it. Read the original sources before relying on a claim.")
LOCATION_NOTE = (
    "Few events are known to an exact site. A dashed halo marks an approximate location; the circle or "
    "shaded unit in the 'Location uncertainty' layer shows how far the source lets us place it.")
SOFTWARE = (
    Credit("Map display", "Leaflet 1.9.3", "BSD-2-Clause", "https://leafletjs.com/"),
    Credit("Marker clustering", "Leaflet.markercluster 1.4.1", "MIT",
           "https://github.com/Leaflet/Leaflet.markercluster"),
)
OSM = Credit("Online basemap (needs a network; off in self-contained maps until switched on)",
             "OpenStreetMap contributors", "ODbL 1.0", "https://www.openstreetmap.org/copyright")


def build(boundaries: Boundaries, recipe: Recipe, layers: Iterable, *,
          districts: Mapping[str, events.District] | None = None,
          district_shapes: Mapping[str, tuple] | None = None, releases: Iterable = ()) -> Guide:
    """The guide for one map; ``layers`` are the drawn layers (their items' sources are listed)."""
    layers, releases = list(layers), list(releases)
    districts = districts or {}
    district_shapes = district_shapes or {}
    files = catalog.files()
    boundary_src = files.get(catalog.ADMIN1_FILE, {}).get("sources", [{}])[0]
    gazetteer = files.get(catalog.DISTRICTS_FILE, {}).get("sources", [{}])[0]

    credits = [Credit("Provinces, countries and borders",
                      f"{boundary_src.get('name', 'Natural Earth')}; {boundary_src.get('obtained_via', '')}".strip("; "),
                      boundary_src.get("licence", ""), boundary_src.get("licence_url") or boundary_src.get("url", ""))]
    if districts:
        credits.append(Credit("Coordinates of towns, crossings and district headquarters",
                              f"{gazetteer.get('name', 'GeoNames')}, {gazetteer.get('version', '')}".strip(", "),
                              gazetteer.get("licence", ""), gazetteer.get("licence_url") or gazetteer.get("url", "")))
    for release in releases:
        r = release.record
        credits.append(Credit(f"District boundaries ({release.country} {release.level})",
                              f"geoBoundaries gbOpen {r.get('boundary_id', '')}, built {r.get('build_date', '')}; "
                              f"source: {r.get('boundary_source', '')}", r.get("licence", ""),
                              r.get("licence_source") or "https://www.geoboundaries.org/"))
    for path in recipe.events:
        credits.append(Credit("Additional events", path.name, "as supplied by the map's author"))
    for spec in recipe.layers:
        credits.append(Credit(spec.name, spec.path.name, "as supplied by the map's author"))
    if recipe.basemap:
        credits.append(OSM)
    credits.extend(SOFTWARE)

    articles: dict[tuple[str, str], None] = {}
    for layer in layers:
        for item in getattr(layer, "items", ()):
            if item.popup:
                articles.update(dict.fromkeys(item.popup.sources))
        block = getattr(layer, "block", None)  # an eventblock.Rows: its rows cite what their templates cite
        if block is not None:
            articles.update(dict.fromkeys(_block_sources(block)))
    vintage = (f"Boundaries: {boundary_src.get('name', 'Natural Earth')}, "
               f"{boundary_src.get('version', 'version not recorded')}.")
    if releases:
        vintage += " District boundaries: " + "; ".join(
            f"geoBoundaries {r.country} {r.level} built {r.record.get('build_date', '?')}"
            f" (represents {r.record.get('year_represented') or 'an unstated year'})" for r in releases) + "."
    cite = (f"“{recipe.title}”, a map made with bordermap {__version__} (map “{recipe.name}”). "
            f"Boundaries: Natural Earth (public domain); events: the articles listed here, as summarised by "
            "bordermap. Give the date you viewed it and where you found it.")
    return Guide(places=tuple(_places(boundaries, districts, district_shapes, layers)), credits=tuple(credits),
                 articles=tuple(sorted(articles)), vintage=vintage,
                 notes=(BOUNDARY_NOTE, SUMMARY_NOTE, LOCATION_NOTE), cite=cite)


def _block_sources(block) -> list[tuple[str, str]]:
    """Every source a block's rows cite: a template's own, or, where it holds a row's own text (an export's
    event id), each row's."""
    from .eventblock import MARK

    out: list = []
    for k in block.first_rows().tolist():
        popup = block.templates[k].popup
        if popup and not any(MARK in text or MARK in (url or "") for text, url in popup.sources):
            out += popup.sources
    width = max((len(t.popup.sources) for t in block.templates if t.popup), default=0)
    for j in range(width):
        def part(item, end: int, j: int = j):
            sources = item.popup.sources if item.popup else ()
            return sources[j][end] if j < len(sources) and MARK in "".join(s or "" for s in sources[j]) else None
        out += [(text, url) for text, url in zip(block.text(lambda t: part(t, 0)).tolist(),
                                                 block.text(lambda t: part(t, 1)).tolist()) if text is not None]
    return out


def _places(boundaries: Boundaries, districts, district_shapes, layers) -> list[Place]:
    out = []
    for r in boundaries.countries.itertuples(index=False):
        out.append(Place(r.name, "Country", "Focus country" if r.role == "focus" else "Neighbouring country",
                         _bounds(r.geometry)))
    for r in boundaries.admin1.itertuples(index=False):
        aliases = (r.ne_name,) if r.ne_name != r.name else ()
        out.append(Place(r.name, r.type, f"{r.type} of {r.country}", _bounds(r.geometry), aliases))
    province = {r.code: f"{r.name}, {r.country}" for r in boundaries.admin1.itertuples(index=False)}
    for d in districts.values():
        shape = district_shapes.get(d.id)
        bounds = _bounds(shape[0]) if shape else (d.hq_lon, d.hq_lat, d.hq_lon, d.hq_lat)
        where = province.get(d.parent, d.parent)
        detail = f"District of {where}" + ("" if shape else f"; shown at {d.hq_name}, its headquarters")
        out.append(Place(d.name, "District", detail, bounds, d.aliases))
        if d.hq_name != d.name:
            out.append(Place(d.hq_name, "Town", f"Headquarters of {d.name} district, {where}",
                             (d.hq_lon, d.hq_lat, d.hq_lon, d.hq_lat)))
    for layer in layers:  # an analyst's labelled features can be found by their labels
        for lat, lon, text, _ in getattr(layer, "feature_labels", ()):
            out.append(Place(text, layer.name, f"Feature of the layer {layer.name}", (lon, lat, lon, lat)))
    return out


def _bounds(geom) -> tuple[float, float, float, float]:
    w, s, e, n = shapely.bounds(geom)
    return (round(float(w), 3), round(float(s), 3), round(float(e), 3), round(float(n), 3))
