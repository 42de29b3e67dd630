"""bordermap: maps of the Pakistan–Afghanistan–Iran border region from open data.

Library use mirrors the command line::

    import bordermap
    bordermap.build()                       # outputs/border-region.html
    b = bordermap.sources.load_boundaries()  # GeoDataFrames in EPSG:4326

The modules that load geopandas or matplotlib are imported on first
use (``__getattr__``), so ``import bordermap`` and the command line start fast.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
import sys
import types

try:
    __version__ = version("bordermap")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

from . import errors, settings  # noqa: E402  (both light)
from .errors import BordermapError, LayerError, OutputError, RecipeError, SourceError  # noqa: E402

_LAZY_MODULES = ("layers", "recipe", "render_html", "sources")

__all__ = [
    "BordermapError", "LayerError", "OutputError", "RecipeError", "SourceError",
    "build", "errors", "layers", "recipe", "render_html", "settings", "sources", "__version__",
]


def __getattr__(name: str):
    if name in _LAZY_MODULES:
        return import_module(f".{name}", __name__)
    if name == "build":
        function = import_module(".build", __name__).build
        globals()["build"] = function
        return function
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """``bordermap.build`` is the function, even after the submodule of that name loads.

    Importing a submodule sets it as an attribute of its package; for ``build``
    that would hide the function behind the module.
    """

    def __setattr__(self, name: str, value) -> None:
        if name == "build" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
