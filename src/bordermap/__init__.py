"""bordermap: maps of the Pakistan–Afghanistan–Iran border region from open data.

Library use mirrors the command line::

    import bordermap
    bordermap.build()                       # outputs/border-region.html
    b = bordermap.sources.load_boundaries()  # GeoDataFrames in EPSG:4326
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bordermap")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

from . import errors, layers, recipe, render_html, settings, sources  # noqa: E402
from .build import build  # noqa: E402
from .errors import BordermapError, LayerError, OutputError, RecipeError, SourceError  # noqa: E402

__all__ = [
    "BordermapError", "LayerError", "OutputError", "RecipeError", "SourceError",
    "build", "errors", "layers", "recipe", "render_html", "settings", "sources", "__version__",
]
