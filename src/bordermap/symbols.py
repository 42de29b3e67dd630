"""Marker and legend symbols for the page, as small SVGs: one shape table, one drawing function.

Colours come from the layers; shapes are fixed here, so a symbol's markup is
never built from an analyst's text.
"""

from __future__ import annotations

import html

#: SVG bodies of the marker shapes in a 24x24 box; {f} fill, {s} stroke.
SHAPES = {
    "circle": '<circle cx="12" cy="12" r="7" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "square": '<rect x="5" y="5" width="14" height="14" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "diamond": '<polygon points="12,2.5 21.5,12 12,21.5 2.5,12" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "triangle": '<polygon points="12,2.5 21.5,20 2.5,20" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "star": '<polygon points="12,1.5 14.9,8.6 22.5,9.1 16.7,14 18.5,21.5 12,17.4 5.5,21.5 7.3,14 '
            '1.5,9.1 9.1,8.6" fill="{f}" stroke="{s}" stroke-width="1.6"/>',
    "hexagon": '<polygon points="12,2 20.7,7 20.7,17 12,22 3.3,17 3.3,7" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "halo": '<circle cx="12" cy="12" r="10" fill="none" stroke="{f}" stroke-width="1.6" stroke-dasharray="3 2"/>'
            '<circle cx="12" cy="12" r="4" fill="{f}"/>',
    "cross": '<path d="M8.5 2.5h7v6h6v7h-6v6h-7v-6h-6v-7h6z" fill="{f}" stroke="#ffffff" stroke-width="1.5"/>',
    "ring": '<circle cx="12" cy="12" r="8" fill="{f}" fill-opacity="0.25" stroke="{f}" stroke-width="3" '
            'stroke-dasharray="4 2.5"/>',
    "area": '<rect x="2" y="5" width="20" height="14" fill="{f}" fill-opacity="0.45" stroke="{f}" stroke-width="2"/>',
    "area-dashed": '<rect x="2" y="5" width="20" height="14" fill="{f}" fill-opacity="0.45" stroke="{f}" '
                   'stroke-width="2" stroke-dasharray="4 2"/>',
    "line": '<line x1="2" y1="12" x2="22" y2="12" stroke="{f}" stroke-width="4"/>',
    "line-dashed": '<line x1="1" y1="12" x2="23" y2="12" stroke="{f}" stroke-width="2" stroke-dasharray="5 3"/>',
}


def symbol_svg(shape: str, colour: str, size: int = 22, approximate: bool = False) -> str:
    """A marker or legend symbol; ``approximate`` adds the dashed halo of an inexact location."""
    body = SHAPES[shape].format(f=html.escape(str(colour), quote=True), s="#1a1a1a")
    if approximate:
        body = ('<circle cx="12" cy="12" r="11" fill="#ffffff" fill-opacity="0.55" stroke="#1a1a1a" '
                'stroke-width="1.2" stroke-dasharray="2.5 2"/>'
                f'<g transform="translate(12 12) scale(0.72) translate(-12 -12)">{body}</g>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 24 24" '
            f'aria-hidden="true" focusable="false">{body}</svg>')




def legend_svg(item, size: int = 18, hatch_id: str | None = None) -> str:
    """A legend entry's symbol: its shape, dashed where the entry says so and the shape has a dashed form.

    ``hatch_id`` names the page's hatching pattern that the area is filled with on the map.
    """
    dashed = f"{item.shape}-dashed"
    svg = symbol_svg(dashed if item.dashed and dashed in SHAPES else item.shape, item.colour, size)
    if hatch_id and item.shape == "area":
        fill = f'fill="{html.escape(str(item.colour), quote=True)}" fill-opacity="0.45"'
        svg = svg.replace(fill, f'fill="url(#{html.escape(hatch_id, quote=True)})" fill-opacity="1"', 1)
    return svg
