"""The JavaScript and CSS a page loads: CDN links, or inlined for offline use.

Inlined copies come from installed PyPI packages (xstatic-leaflet,
xstatic-leaflet-markercluster) at build time; none is kept in this repository.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib
import re
from pathlib import Path

from .errors import BordermapError

LEAFLET = "1.9.3"
MARKERCLUSTER = "1.4.1"
LEAFLET_JS = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET}/dist/leaflet.js"
LEAFLET_CSS = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET}/dist/leaflet.css"
_MC = f"https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/{MARKERCLUSTER}"
MARKERCLUSTER_JS = f"{_MC}/leaflet.markercluster.js"
MARKERCLUSTER_CSS = (f"{_MC}/MarkerCluster.css", f"{_MC}/MarkerCluster.Default.css")

#: URL -> (module with BASE_DIR, file name, version the module must carry)
LOCAL = {
    LEAFLET_JS: ("xstatic.pkg.leaflet", "leaflet.js", LEAFLET),
    LEAFLET_CSS: ("xstatic.pkg.leaflet", "leaflet.css", LEAFLET),
    MARKERCLUSTER_JS: ("xstatic.pkg.leaflet_markercluster", "leaflet.markercluster.js", MARKERCLUSTER),
    MARKERCLUSTER_CSS[0]: ("xstatic.pkg.leaflet_markercluster", "MarkerCluster.css", MARKERCLUSTER),
    MARKERCLUSTER_CSS[1]: ("xstatic.pkg.leaflet_markercluster", "MarkerCluster.Default.css", MARKERCLUSTER),
}

_SCRIPT = re.compile(r'<script src="([^"]+)"[^>]*></script>')
_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)"[^>]*/>')


@functools.cache
def integrity(url: str) -> str:
    """The Subresource Integrity value (sha384) of a CDN asset, computed from its packaged copy.

    The packaged copy is checked to be the pinned version first, so the page's ``integrity=`` pins
    the CDN file to the exact bytes of that release: a changed CDN file is refused by the browser.
    """
    digest = hashlib.sha384(local_file(url).read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


def script_tag(url: str) -> str:
    return f'<script src="{url}" integrity="{integrity(url)}" crossorigin="anonymous"></script>'


def style_tag(url: str) -> str:
    return f'<link rel="stylesheet" href="{url}" integrity="{integrity(url)}" crossorigin="anonymous"/>'


def local_file(url: str) -> Path:
    module_name, name, version = LOCAL[url]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise BordermapError(f"a self-contained build needs the package {module_name.replace('.', '-')}; "
                             "reinstall bordermap") from None
    if getattr(module, "VERSION", version) != version:
        raise BordermapError(f"{module_name} is version {module.VERSION}, expected {version}")
    return Path(module.BASE_DIR) / name


def inline(html: str) -> str:
    """Replace every external script and stylesheet with its packaged copy."""
    def script(m: re.Match) -> str:
        code = _read(m.group(1)).replace("</script", "<\\/script")
        return f"<script>/* {m.group(1)} */\n{code}\n</script>"

    def style(m: re.Match) -> str:
        path = local_file(m.group(1)) if m.group(1) in LOCAL else None
        css = _read(m.group(1))
        if path is not None:
            css = re.sub(r"url\((images/[^)]+)\)", lambda u: f"url({_data_uri(path.parent / u.group(1))})", css)
        return f"<style>/* {m.group(1)} */\n{css}\n</style>"

    html = _SCRIPT.sub(script, html)
    return _LINK.sub(style, html)


def _read(url: str) -> str:
    if url not in LOCAL:
        raise BordermapError(f"no packaged copy of {url} for a self-contained build")
    return local_file(url).read_text(encoding="utf-8")


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
