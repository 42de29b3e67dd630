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


def geojson_layers(html: str) -> dict[str, dict]:
    """Each shaded/line layer's group variable -> its features, decoded to GeoJSON-like dicts."""
    script = page_script(html)
    decoder = json.JSONDecoder()
    found = {}
    for match in re.finditer(r"var group = (\w+);\s*var data = \{", script):
        data, _ = decoder.raw_decode(script, match.end() - 1)
        features = []
        for f in data["features"]:
            props = {"_style": data["styles"][f["s"]]}
            props.update({k: f[c] for k, c in (("_tip", "t"), ("_pop", "p")) if c in f})
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

    Titles, tooltips and popups are looked up in the page's string table and
    rebuilt as the HTML the reader sees (through the renderer's own escaping).
    """
    from bordermap.layers import Popup, Text
    from bordermap.render_html import popup_html, text_html
    script = page_script(html)
    decoder = json.JSONDecoder()
    out = {}
    for m in re.finditer(r"var data = \[", script):
        data, end = decoder.raw_decode(script, m.end() - 1)
        strings, _ = decoder.raw_decode(script, script.index("var strings = ", end) + len("var strings = "))
        key = re.search(r"window\.bordermap\.layers\[(\"(?:[^\"\\]|\\.)*\")\]", script[end:])
        for d in data:
            s_ = strings.__getitem__
            d["title"] = s_(d["title"])
            d["tip"] = text_html(Text(s_(d["tip"][0]), tuple(s_(i) for i in d["tip"][1])))
            heading, rows, body, sources, notes, _ = d["pop"]
            d["pop"] = popup_html(Popup(s_(heading), tuple((s_(k), s_(v)) for k, v in rows),
                                        tuple(s_(b) for b in body),
                                        tuple((s_(t), s_(u) if u >= 0 else "") for t, u in sources),
                                        tuple(s_(n) for n in notes)))
        out[json.loads(key.group(1))] = data
    return out


def time_filter_months(html: str) -> list[dict]:
    m = re.search(r"var months = (\[.*?\]);\n", html, re.S)
    assert m, "no time filter in the page"
    return json.loads(m.group(1))


def legend_labels(html: str) -> list[str]:
    """The legend's entries, decoded from the JSON string the page inserts."""
    m = re.search(r'"bm-panel bm-legend"\);\s*div\.innerHTML = ("(?:[^"\\]|\\.)*");', html)
    assert m, "no legend in the page"
    soup = BeautifulSoup(json.loads(m.group(1)), "html.parser")
    return [li.get_text() for li in soup.find_all("li")]
