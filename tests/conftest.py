import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bordermap import pagedata

DATA = Path(__file__).parent / "data"

# Tests never see the user's district cache: an empty one of their own (CLI
# subprocesses inherit it through the environment).
os.environ["BORDERMAP_CACHE"] = tempfile.mkdtemp(prefix="bordermap-test-cache-")


@pytest.fixture(scope="session")
def exe() -> str:
    """The installed console script, so CLI tests exercise the real entry point."""
    found = Path(sys.executable).with_name("bordermap")
    if not found.exists():
        found = shutil.which("bordermap")
    assert found, "the bordermap console script is not installed"
    return str(found)


@pytest.fixture
def run(exe, tmp_path):
    def _run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
        full_env = {**os.environ, **(env or {})}
        return subprocess.run([exe, *args], cwd=cwd or tmp_path, env=full_env,
                              capture_output=True, text=True, timeout=300)
    return _run


@pytest.fixture(scope="session")
def default_html(default_map) -> str:
    """The default map's HTML, for the checks that read it."""
    return default_map.read_text(encoding="utf-8")


# Pages are read through the package's own public decoder (bordermap.pagedata), never by pattern-matching
# the page's text. Text comes back as the words the reader sees (the page puts it in with textContent).

def page_data(html: str) -> dict:
    """The page's data document (#bm-data), checked for schema and version."""
    return pagedata.read(html)


def page_text(html: str) -> str:
    """The page's markup and its data document as JSON text (the element carries it deflated): every
    string the page holds, for checks that a text is there, or that nothing evaluated a template."""
    return html + json.dumps(page_data(html), ensure_ascii=False)


def _text(text) -> str:
    return "\n".join([text.heading, *text.lines]) if text is not None else ""


def _pop(popup) -> str:
    return pagedata.popup_text(popup) if popup is not None else ""


def geojson_layers(html: str) -> dict[str, dict]:
    """Each shape layer's name -> its features as GeoJSON-like dicts (``_style``, ``_tip``, ``_pop``, ``_item``)."""
    found = {}
    for name, layer in pagedata.decode(html).layers.items():
        if layer.kind != "shapes":
            continue
        features = []
        for f in layer.features:
            props = {"_style": f.style}
            if f.tooltip is not None:
                props["_tip"] = _text(f.tooltip)
            if f.popup is not None:
                props["_pop"] = _pop(f.popup)
            if f.item is not None:
                props["_item"] = f.item
            features.append({"type": "Feature", "properties": props, "geometry": f.geometry})
        found[name] = {"type": "FeatureCollection", "features": features}
    return found


def layer_control(html: str) -> dict[str, str]:
    """The names of the layers a reader can switch, each mapped to its key in :func:`geojson_layers`."""
    page = pagedata.decode(html)
    names = {name: name for name, layer in page.layers.items() if layer.control}
    if page.doc.get("basemap"):
        names[page.doc["basemap"]["name"]] = page.doc["basemap"]["name"]
    return names


def marker_sets(html: str) -> dict[str, list[dict]]:
    """Each marker layer's name -> its markers, with what they share with their item filled in as the page does."""
    out = {}
    for name, layer in pagedata.decode(html).layers.items():
        if layer.kind == "markers":
            out[name] = [{"id": m.id, "lat": m.lat, "lon": m.lon, "title": m.title, "tip": _text(m.tooltip),
                          "pop": _pop(m.popup), "start": m.start, "end": m.end, "item": m.item, "size": m.size}
                         for m in layer.markers]
    return out


def time_filter_months(html: str) -> list[dict]:
    months = pagedata.decode(html).months
    assert months, "no time filter in the page"
    return months


def legend_labels(html: str) -> list[str]:
    """The legend's entries, in order."""
    labels = list(pagedata.decode(html).legend)
    assert labels, "no legend in the page"
    return labels


# --- a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) -----------------

XSS = "<img src=x onerror=alert(1)>"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

#: Browser tests skip without Chromium or Playwright, unless BORDERMAP_REQUIRE_BROWSER is set (CI sets it).
HAVE_BROWSER = os.path.exists(CHROMIUM) and importlib.util.find_spec("playwright") is not None
needs_browser = pytest.mark.skipif(not HAVE_BROWSER and not os.environ.get("BORDERMAP_REQUIRE_BROWSER"),
                                   reason="Chromium or Playwright is not installed")


@pytest.fixture(scope="session")
def browser():
    from playwright import sync_api
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture(scope="session")
def maps(tmp_path_factory):
    """Every built-in recipe and the analyst test recipe, built self-contained once per session."""
    from bordermap import build
    from bordermap.recipe import builtin_recipes
    out = tmp_path_factory.mktemp("maps")
    built = {name: build(name, out, self_contained=True)[0] for name in builtin_recipes()}
    (analyst,) = build(DATA / "recipes" / "analyst.toml", out, self_contained=True)
    return {"default": built["border-region"], "analyst": analyst, **built}


class Page:
    """A loaded map with what the page said: console errors and dialogs."""

    def __init__(self, browser, path, hash: str = "", size: tuple[int, int] = (1280, 900), bypass_csp: bool = False):
        self.errors, self.dialogs, self.requests = [], [], []
        self.page = browser.new_page(viewport={"width": size[0], "height": size[1]}, bypass_csp=bypass_csp)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri() + hash)
        self.page.wait_for_function("() => window.bordermap && window.bordermap.started")
        self.page.wait_for_timeout(600)  # let the opening zoom animation finish

    def _console(self, message):
        # Offline, the optional online basemap's tiles fail to load; that is expected.
        tile = "tile.openstreetmap.org" in (message.location or {}).get("url", "")
        if message.type == "error" and not tile:
            self.errors.append(f"{message.text} ({(message.location or {}).get('url', '')})")

    def js(self, script, arg=None):
        return self.page.evaluate(script, arg)

    def do(self, statement: str) -> None:
        """Run a statement for its effect only. Leaflet's methods return the map for chaining, and
        Playwright would copy that whole object graph back to Python (about 13 s a call here)."""
        self.page.evaluate(f"() => {{ {statement}; }}")

    def address(self, holding: str = "") -> str:
        """The page's address once its hash has caught up (it is written 100 ms after a change) with the view
        shown now and holds `holding`."""
        self.page.wait_for_function("""(part) => { const map = window.bordermap.map, c = map.getCenter();
            const view = new URLSearchParams(location.hash.slice(1)).get('view');
            return view === [c.lat.toFixed(4), c.lng.toFixed(4), map.getZoom()].join(',') && location.hash.includes(part); }""",
                                    arg=holding, timeout=10000)
        return self.page.url

    def event_popup(self, event_id: str) -> str:
        """Open an event's popup as a reader would (zooming into its cluster); return its text."""
        return self.js("""(id) => new Promise((done, fail) => { setTimeout(() => fail('no popup in 10 s'), 10000);
            const entry = window.bordermap.layers['Events and places'];
            const m = entry.markers.find(m => m.bordermap.id === id);
            const open = () => { m.openPopup(); done(document.querySelector('.leaflet-popup-content').innerText); };
            if (entry.group.zoomToShowLayer) { entry.group.zoomToShowLayer(m, open); }  // a clustered layer
            else { window.bordermap.map.setView(m.getLatLng(), 9, {animate: false}); open(); } })""", event_id)


@pytest.fixture
def open_map(browser):
    pages = []

    def _open(path, hash: str = "", size: tuple[int, int] = (1280, 900), bypass_csp: bool = False):
        pages.append(Page(browser, path, hash, size, bypass_csp))
        return pages[-1]
    yield _open
    for p in pages:
        p.page.close()




# --- shared builds and the command line in-process ----------------------------------------------

@pytest.fixture(scope="session")
def default_map(tmp_path_factory) -> Path:
    """The default map as `bordermap build` writes it, built once through the library."""
    from bordermap import build
    (path,) = build(out_dir=tmp_path_factory.mktemp("default-map"))
    return path


@pytest.fixture
def previous_map(tmp_path, default_map) -> Path:
    """An output folder holding an earlier build of the default map (a copy of the shared one)."""
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy2(default_map, out / default_map.name)
    return out


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """`bordermap ARGS...` run in this process: the `run` fixture's signature and result, without a
    new interpreter. ``env`` values are set for the call (None removes a variable); ``cwd`` is the
    folder it runs in (default: the test's tmp_path). A command that exits with the CLI's bug
    status fails the test with what it printed."""
    import bordermap.cli
    bug = getattr(bordermap.cli, "EXIT_BUG", 70)

    def _cli(*args, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
        argv = [str(a) for a in args]
        capsys.readouterr()  # only this command's output
        with monkeypatch.context() as m:
            for name, value in (env or {}).items():
                if value is None:
                    m.delenv(name, raising=False)
                else:
                    m.setenv(name, str(value))
            m.chdir(cwd or tmp_path)
            try:
                code = bordermap.cli.main(argv)
            except SystemExit as exc:  # argparse: --help, --version and usage errors
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:
                    print(exc.code, file=sys.stderr)
                    code = 1
            out, err = capsys.readouterr()
        if code == bug:
            pytest.fail(f"`bordermap {' '.join(argv)}` exited with the bug status {bug}:\n{err}", pytrace=False)
        return subprocess.CompletedProcess(["bordermap", *argv], code, out, err)
    return _cli
