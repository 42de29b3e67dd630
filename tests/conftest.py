import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

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
def default_html(tmp_path_factory) -> str:
    """The default map, built once through the library for the HTML checks."""
    from bordermap import build
    out = tmp_path_factory.mktemp("built")
    (path,) = build(out_dir=out)
    return path.read_text(encoding="utf-8")


def page_script(html: str) -> str:
    """All of a page's inline JavaScript, parsed out of the real HTML."""
    soup = BeautifulSoup(html, "html.parser")
    return "\n".join(s.get_text() for s in soup.find_all("script"))


def page_data(html: str) -> dict:
    """The page's data block (#bm-data): string table, items, months, search places."""
    node = BeautifulSoup(html, "html.parser").find("script", id="bm-data")
    assert node is not None, "no data block in the page"
    return json.loads(node.get_text())


def _popup(data: dict, encoded: list) -> str:
    """A popup as string indexes -> the HTML a reader sees (through the renderer's own escaping)."""
    from bordermap.layers import Popup
    from bordermap.render_html import popup_html
    s_ = data["strings"].__getitem__
    heading, rows, body, sources, notes, _ = encoded
    return popup_html(Popup(s_(heading), tuple((s_(k), s_(v)) for k, v in rows), tuple(s_(b) for b in body),
                            tuple((s_(t), s_(u) if u >= 0 else "") for t, u in sources), tuple(s_(n) for n in notes)))


def geojson_layers(html: str) -> dict[str, dict]:
    """Each shaded/line layer's group variable -> its features, decoded to GeoJSON-like dicts.

    A feature drawn for an item carries the item's id (``_item``) and popup.
    """
    script = page_script(html)
    page = page_data(html)
    decoder = json.JSONDecoder()
    found = {}
    for match in re.finditer(r"var group = (\w+);\s*var data = \{", script):
        data, _ = decoder.raw_decode(script, match.end() - 1)
        features = []
        for f in data["features"]:
            props = {"_style": data["styles"][f["s"]]}
            props.update({k: f[c] for k, c in (("_tip", "t"), ("_pop", "p")) if c in f})
            if "r" in f:
                item = page["items"][f["r"]]
                props["_item"] = item["i"]
                props.setdefault("_pop", _popup(page, item["o"]))
            parts = [[decode_polyline(text, data["decimals"]) for text in part[1]] for part in f["g"]]
            features.append({"type": "Feature", "properties": props, "geometry": {"parts": parts}})
        found.setdefault(match.group(1), {"type": "FeatureCollection", "features": []})["features"] += features
    return found


def decode_polyline(text: str, decimals: int) -> list[tuple[float, float]]:
    """Encoded polyline -> [(lon, lat), ...] (the inverse of render_html.encode_line)."""
    values, shift, result = [], 0, 0
    for char in text:
        b = ord(char) - 63
        result |= (b & 0x1F) << shift
        shift += 5
        if b < 0x20:
            values.append(~(result >> 1) if result & 1 else result >> 1)
            shift, result = 0, 0
    lat = lon = 0
    points = []
    for dlat, dlon in zip(values[0::2], values[1::2]):
        lat, lon = lat + dlat, lon + dlon
        points.append((lon / 10 ** decimals, lat / 10 ** decimals))
    return points


def layer_control(html: str) -> dict[str, str]:
    """Overlay names in the layer control -> JS variable of the layer."""
    m = re.search(r"overlays\s*:\s*\{(.*?)\}", html, re.S)
    assert m, "no layer control in the page"
    return {json.loads(k): v for k, v in re.findall(r'("(?:[^"\\]|\\.)*")\s*:\s*(\w+)', m.group(1))}


def marker_sets(html: str) -> dict[str, list[dict]]:
    """Marker data each marker layer is built from, keyed by layer name.

    What a marker shares with its item (id, title, dates, tooltip, popup) is
    filled in from the item, as the page does; text is looked up in the page's
    string table and rebuilt as the HTML the reader sees.
    """
    from bordermap.layers import Text
    from bordermap.render_html import text_html
    script = page_script(html)
    page = page_data(html)
    s_ = page["strings"].__getitem__
    decoder = json.JSONDecoder()
    out = {}
    for m in re.finditer(r"var data = \[", script):
        data, end = decoder.raw_decode(script, m.end() - 1)
        key = re.search(r"bordermap\.addMarkers\(\w+, (\"(?:[^\"\\]|\\.)*\")", script[end:])
        for d in data:
            item = page["items"][d["r"]] if "r" in d else None
            if item is not None:
                d.setdefault("id", item["i"])
                d.setdefault("title", item["t"])
                d.setdefault("tip", [item["t"], [item["d"]]])
                d.setdefault("pop", item["o"])
                d["start"], d["end"], d["item"] = item.get("s", ""), item.get("e", ""), item["i"]
            d["title"] = s_(d["title"])
            d["tip"] = text_html(Text(s_(d["tip"][0]), tuple(s_(i) for i in d["tip"][1])))
            d["pop"] = _popup(page, d["pop"])
        out[json.loads(key.group(1))] = data
    return out


def time_filter_months(html: str) -> list[dict]:
    months = page_data(html)["months"]
    assert months, "no time filter in the page"
    return months


def legend_labels(html: str) -> list[str]:
    """The legend's entries, decoded from the JSON string the page inserts."""
    m = re.search(r'"bm-panel bm-legend"\);\s*div\.innerHTML = ("(?:[^"\\]|\\.)*");', html)
    assert m, "no legend in the page"
    soup = BeautifulSoup(json.loads(m.group(1)), "html.parser")
    return [li.get_text() for li in soup.find_all("li")]


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

    def __init__(self, browser, path, hash: str = "", size: tuple[int, int] = (1280, 900)):
        self.errors, self.dialogs, self.requests = [], [], []
        self.page = browser.new_page(viewport={"width": size[0], "height": size[1]})
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

    def event_popup(self, event_id: str) -> str:
        """Open an event's popup as a reader would (zooming into its cluster); return its text."""
        return self.js("""(id) => new Promise((done, fail) => { setTimeout(() => fail('no popup in 10 s'), 10000);
            const entry = window.bordermap.layers['Events and places'];
            const m = entry.markers.find(m => m.bordermap.id === id);
            entry.group.zoomToShowLayer(m, () => { m.openPopup();
                done(document.querySelector('.leaflet-popup-content').innerText); }); })""", event_id)


@pytest.fixture
def open_map(browser):
    pages = []

    def _open(path, hash: str = "", size: tuple[int, int] = (1280, 900)):
        pages.append(Page(browser, path, hash, size))
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
