"""A Layer is what a renderer draws: features in EPSG:4326, a style, text, credits.

Text (tooltips, popups, labels) is kept as plain strings here; renderers escape
it. Nothing in this module reads files or knows about folium.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import geopandas as gpd

from .recipe import Recipe
from .sources import Boundaries

#: Okabe–Ito colours (distinguishable with the common colour-vision deficiencies).
COUNTRY_COLOURS = {"PAK": "#009E73", "AFG": "#E69F00", "IRN": "#0072B2"}
BORDER_EMPHASIS = "#D55E00"
NEUTRAL = "#6b6b6b"


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
class Layer:
    name: str
    frame: gpd.GeoDataFrame
    style: Style
    tooltip: tuple[Text, ...] = ()  # one per feature, same order as frame
    labels: tuple[tuple[float, float, str, str], ...] = ()  # lat, lon, text, css class
    show: bool = True
    attribution: tuple[str, ...] = ()


def focus_mask(admin1: gpd.GeoDataFrame, focus: tuple[str, ...]):
    return admin1["code"].isin(focus) | admin1["adm0_a3"].isin(focus)


def boundary_layers(b: Boundaries, recipe: Recipe) -> list[Layer]:
    """The base map: neighbours, provinces, former units, borders, labels."""
    focus = focus_mask(b.admin1, recipe.focus)
    admin1 = b.admin1.assign(_focus=focus.values)
    out: list[Layer] = []
    wanted = set(recipe.layers)
    if "countries" in wanted:
        neighbours = b.countries[b.countries["role"] == "neighbour"].reset_index(drop=True)
        out.append(Layer(
            name="Neighbouring countries",
            frame=neighbours,
            style=Style(color="#9a9a9a", weight=0.8, fill_color="#d9d9d9", fill_opacity=0.35),
            tooltip=tuple(Text(n) for n in neighbours["name"]),
            attribution=b.attribution,
        ))
    if "provinces" in wanted:
        # One style rule per country, stronger for the units the recipe is about.
        admin1["_class"] = admin1["adm0_a3"] + admin1["_focus"].map({True: "*", False: ""})
        classes: dict[str, dict[str, Any]] = {}
        for code, colour in COUNTRY_COLOURS.items():
            classes[code] = {"fillColor": colour, "fillOpacity": 0.16}
            classes[code + "*"] = {"fillColor": colour, "fillOpacity": 0.42, "color": "#2b2b2b", "weight": 1.4}
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
        ))
    if "labels" in wanted:
        labels = []
        for r in b.countries[b.countries["role"] == "focus"].itertuples(index=False):
            p = r.geometry.representative_point()
            labels.append((round(p.y, 3), round(p.x, 3), r.name.upper(), "country"))
        for r in admin1[admin1["_focus"] & (admin1["adm0_a3"] != "AFG")].itertuples(index=False):
            p = r.geometry.representative_point()
            labels.append((round(p.y, 3), round(p.x, 3), r.name, "province"))
        out.append(Layer(name="Labels", frame=gpd.GeoDataFrame(geometry=[], crs=4326),
                         style=Style(), labels=tuple(labels)))
    return out


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
