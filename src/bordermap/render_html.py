"""Layers + recipe -> one HTML page: a small skeleton, the page-data document, the page script.

Reads no files but the package's own page assets, writes none. The page's
content travels in one JSON document (:mod:`bordermap.pagedata`) that the page
script (``page/js``) turns into Leaflet layers and the reader's panel; text is
put into the page with ``textContent`` there. The static HTML written here (the
title, the side panel) escapes every value with :func:`escape`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html as _html
import re
import urllib.parse
from importlib import resources
from typing import Sequence

import numpy as np

from . import assets, eventblock, pagedata
from .events import CATEGORIES
from .guide import Guide
from .layers import Layer, MarkerLayer
from .recipe import Recipe


def render(layers: list[Layer | MarkerLayer], recipe: Recipe, bounds: tuple[float, float, float, float],
           *, offline: bool = False, guide: Guide | None = None, stories: Sequence = ()) -> str:
    """The page's HTML; equal inputs give equal text.

    ``offline`` pages keep the online basemap in the layer list but switched off:
    unreachable tile requests would otherwise hold the page's loading back by seconds.
    ``guide`` fills the reader's panel: search index, sources, how to cite.
    """
    guide = guide or Guide(places=(), credits=(), articles=(), vintage="", notes=(), cite="")
    doc = pagedata.document(layers, recipe, bounds, guide=guide, offline=offline, stories=stories)
    items = eventblock.of_layers(layers)
    clustered = any(layer.get("cluster") for layer in doc["layers"])
    head = [assets.style_tag(assets.LEAFLET_CSS)]
    scripts = [assets.script_tag(assets.LEAFLET_JS)]
    if clustered:
        head += [assets.style_tag(url) for url in assets.MARKERCLUSTER_CSS]
        scripts.append(assets.script_tag(assets.MARKERCLUSTER_JS))
    title = f'<div class="bm-title"><h1>{escape(recipe.title)}</h1>'
    if recipe.description:
        title += f"<p>{escape(recipe.description)}</p>"
    title += "</div>"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0"/>',
        f"<title>{escape(recipe.title)}</title>",
        *head,
        f"<style>{page_asset('bordermap.css')}</style>",
        "</head>",
        "<body>",
        '<button type="button" class="bm-skip" id="bm-skip">Skip to the list of events</button>',
        title,
        panel_html(recipe, guide, items),  # before the map: the panel's search is the second Tab stop
        '<div id="bm-map" class="bm-map"></div>',
        pagedata.element(doc),
        *scripts,
        f"<script>{page_asset('bordermap.js')}</script>",
        "</body>",
        "</html>",
        "",
    ])


def escape(text: str) -> str:
    """HTML-escape, braces included (so no template engine downstream can read a value as code)."""
    return _html.escape(str(text)).replace("{", "&#123;").replace("}", "&#125;")


def panel_html(recipe: Recipe, guide: Guide, items: eventblock.Rows) -> str:
    """The reader's side panel. Static HTML, every value escaped; the page's script fills the lists."""
    drawn = np.bincount(items.codes, minlength=len(items.templates)).tolist()
    areas = sum(n for t, n in zip(items.templates, drawn) if CATEGORIES.get(t.category) == "area")
    about = escape(recipe.description) + " " if recipe.description else ""
    if items:
        about += escape(f"The map draws {len(items) - areas} events and places and {areas} areas, each from a "
                        "cited source (an article, or a dataset's record). The list below gives each of them as "
                        "text, with date, actors, place and sources; choosing one shows it on the map.")
    hidden = "" if items else " hidden"
    credits = "".join(f"<li><b>{escape(c.what)}</b>: {escape(c.source)}. Licence: {escape(c.licence)}."
                      f"{_link(c.url, ' ')}</li>" for c in guide.credits)
    articles = "".join(f"<li>{escape(text)}{_link(url, ' ')}</li>" for text, url in guide.articles)
    notes = "".join(f"<p>{escape(n)}</p>" for n in guide.notes)
    sources = (f"<h3>Data and software</h3><ul>{credits}</ul>" if credits else "") + \
        (f"<h3>Boundary vintage</h3><p>{escape(guide.vintage)}</p>" if guide.vintage else "") + \
        (f"<h3>Please note</h3>{notes}" if notes else "") + \
        (f"<h3>Articles cited</h3><ol>{articles}</ol>" if articles else "") + \
        (f"<h3>How to cite this map</h3><p>{escape(guide.cite)}</p>" if guide.cite else "")
    return f"""<aside id="bm-panel" aria-label="Map guide: search, filters, events and sources">
<div class="bm-head"><button type="button" id="bm-toggle" aria-expanded="true" aria-controls="bm-body">Legend, search, filters, events and sources</button></div>
<div id="bm-body">
<p class="bm-about">{about}</p>
<div class="bm-search" role="search">
<label for="bm-q">Search places, districts, events and groups</label>
<input id="bm-q" type="search" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="bm-hits" autocomplete="off" spellcheck="false">
<ul id="bm-hits" role="listbox" aria-label="Search results" hidden></ul>
</div>
<p id="bm-status" role="status" aria-live="polite"></p>
<details id="bm-legend" open><summary>Legend</summary><ul id="bm-legend-list" aria-label="Legend"></ul></details>
<details id="bm-filters" open{hidden}><summary>Filters</summary><div id="bm-facets"></div><div id="bm-time"></div><button type="button" id="bm-clear">Clear all filters</button></details>
<details id="bm-events" open{hidden}><summary>Events, places and areas (<span id="bm-count">{len(items)}</span>)</summary>
<ol id="bm-list" aria-label="Events, places and areas"></ol></details>
<details id="bm-layers" open><summary>Layers</summary><div id="bm-layer-list"></div></details>
<details id="bm-sources"><summary>Sources, licences and how to cite</summary>{sources}</details>
</div>
</aside>"""


def _link(url: str, before: str = "") -> str:
    """A link that opens apart from the map; only http(s) addresses become links."""
    if not url.lower().startswith(("http://", "https://")):
        return ""
    return f'{before}<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">link</a>'


@functools.cache
def page_asset(name: str) -> str:
    """The page's own stylesheet, or its script (``bordermap.js``: the files of ``page/js`` joined in name order).

    Written for bordermap and shipped in the package; no bundler is involved.
    """
    folder = resources.files("bordermap") / "page"
    if name == "bordermap.js":
        parts = sorted((f for f in (folder / "js").iterdir() if f.name.endswith(".js")), key=lambda f: f.name)
        text = "\n".join(f"/* page/js/{f.name} */\n" + _compact(f.read_text(encoding="utf-8"), f.name) for f in parts)
    else:
        text = (folder / name).read_text(encoding="utf-8")
    if "</" + "script" in text or "</" + "style" in text:
        raise RuntimeError(f"page/{name} must not contain a closing script or style tag")
    return text


def _compact(source: str, name: str) -> str:
    """A page script file without its indentation, blank lines and whole-line ``//`` comments (a fifth of
    its bytes, in every page). Lines stay lines, so no statement changes; that holds because the script
    has no template literals and no line continuations, which this refuses."""
    lines = [line.strip() for line in source.splitlines()]
    code = [line for line in lines if line and not line.startswith("//")]
    if any("`" in line or line.endswith("\\") for line in code if not line.startswith(("/*", "*"))):
        raise RuntimeError(f"page/js/{name}: a template literal or a line continuation cannot be compacted")
    return "\n".join(code)


def to_html(page: str, *, self_contained: bool = False) -> bytes:
    """The page's bytes; ``self_contained`` inlines Leaflet so it opens with no network.

    The page carries a strict Content-Security-Policy, made last, from what the page finally holds.
    """
    if self_contained:
        page = assets.inline(page)
    return with_csp(page).encode("utf-8")


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_EXTERNAL = re.compile(r'<(?:script src|link rel="stylesheet" href)="(https://[^"]+)"')
_CSP_AT = '<meta charset="utf-8"/>'


def content_security_policy(page: str) -> str:
    """Nothing is allowed but this page's own inline scripts and styles (by sha256), the CDN files it
    links (which carry ``integrity=``), images from ``data:`` URIs, the CDN and the basemap's tile host, and
    workers from ``blob:`` URLs (the canvas layer clusters in a worker made from the page's own script).

    Leaflet positions and styles through the CSSOM (``element.style``), which a policy without
    ``'unsafe-inline'`` allows; no markup here uses ``style=`` attributes.
    """
    def hashes(pattern: re.Pattern) -> list[str]:
        found = dict.fromkeys(base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode()
                              for m in pattern.finditer(page))
        return [f"'sha256-{h}'" for h in found]

    external = list(dict.fromkeys(_EXTERNAL.findall(page)))
    hosts = list(dict.fromkeys(_origin(u) for u in external))
    tiles = _origin(pagedata.BASEMAP["url"])
    scripts = hashes(_INLINE_SCRIPT) + [u for u in external if u.endswith(".js")]
    styles = hashes(_INLINE_STYLE) + [u for u in external if u.endswith(".css")]
    return "; ".join([
        "default-src 'none'", f"script-src {' '.join(scripts) or chr(39) + 'none' + chr(39)}",
        f"style-src {' '.join(styles) or chr(39) + 'none' + chr(39)}",
        f"img-src data: {' '.join(dict.fromkeys([tiles, *hosts]))}", "worker-src blob:", "base-uri 'none'",
        "form-action 'none'"])


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def with_csp(page: str) -> str:
    """``page`` with its Content-Security-Policy ``<meta>`` right after the charset (before any script)."""
    if _CSP_AT not in page:
        raise RuntimeError("the page skeleton has no charset meta to put its Content-Security-Policy after")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{escape(content_security_policy(page))}"/>'
    return page.replace(_CSP_AT, f"{_CSP_AT}\n{meta}", 1)


