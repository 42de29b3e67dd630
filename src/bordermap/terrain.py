"""The shaded relief under every page, in the page's projection.

The embedded relief (``sources.load_relief``) is plate carrée: rows are evenly
spaced in latitude. A Leaflet page is Web Mercator, where rows are not, so an
image laid on its bounds unchanged would put mountains up to tens of kilometres
from where they are at these latitudes. Each output row samples the source row
at its own latitude. The image is muted here, once, so that the vector layers
and labels on top stay readable.
"""

from __future__ import annotations

import base64
import functools
import io
import math

#: How much of the relief's contrast the page keeps (0: flat grey, 1: as published).
CONTRAST = 0.55
#: Blended towards this light grey, so the country tints and symbols stay the strongest colours.
PAPER = 236
JPEG_QUALITY = 82


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def to_mercator(pixels, bounds: tuple[float, float, float, float]):
    """An (h, w, 3) plate-carrée image -> the same width, rows resampled to even Web-Mercator steps."""
    import numpy as np

    _, south, _, north = bounds
    height = pixels.shape[0]
    top, bottom = _mercator_y(north), _mercator_y(south)
    ys = top + (np.arange(height) + 0.5) * (bottom - top) / height  # centre of each output row
    lats = np.degrees(2 * np.arctan(np.exp(ys)) - np.pi / 2)
    rows = np.clip(((north - lats) / (north - south) * height).astype(int), 0, height - 1)
    return pixels[rows]


def muted(pixels):
    """Lower contrast, lifted towards paper grey: terrain as a background, not a subject."""
    import numpy as np

    grey = pixels.astype(np.float32).mean(axis=2, keepdims=True)
    tinted = 0.6 * pixels.astype(np.float32) + 0.4 * grey  # a little colour left: deserts read as deserts
    out = PAPER + (tinted - PAPER) * CONTRAST
    return np.clip(out, 0, 255).astype(np.uint8)


@functools.cache  # one decode and encode per process: `build --all` draws the same relief in every page
def page_image(relief) -> str:
    """The relief as a ``data:`` URL for the page: muted, in Web Mercator, JPEG (same input, same bytes)."""
    from PIL import Image

    pixels = to_mercator(muted(relief.array()), relief.bounds)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


#: The layer's name in the layer list.
LAYER_NAME = "Terrain (shaded relief)"


def terrain_layer(relief):
    """The relief as the page's bottom layer."""
    from .layers import ImageLayer

    return ImageLayer(name=LAYER_NAME, url=page_image(relief), bounds=relief.bounds, attribution=(relief.credit,))
