"""The page carries its document deflated: the same document back in Python and in the page script, the same
bytes for the same inputs, and one clear error for a page whose data does not inflate."""

import base64
import json
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from bordermap import pagedata

from .conftest import needs_browser

NODE = shutil.which("node") or shutil.which("nodejs")
LOAD_JS = Path(__file__).parent / "js" / "load.js"


def _doc() -> dict:
    return {"schema": pagedata.SCHEMA, "version": pagedata.VERSION, "title": "<b>T</b> & ‘quoted’ {{ 7*191 }}",
            "strings": [f"Event {j} in Kech, Balochistan — ünïcode" for j in range(500)], "n": [1.5, -2, None]}


def _page(outer: dict) -> str:
    return f'<html><body><script type="application/json" id="{pagedata.ELEMENT_ID}">{pagedata.safe_json(outer)}' \
           "</script></body></html>"


def test_the_element_holds_the_document_deflated_and_read_gives_it_back():
    doc = _doc()
    element = pagedata.element(doc)
    outer = pagedata.deflate(doc)
    assert set(outer) == {"schema", "version", "z"} and outer["schema"] == pagedata.SCHEMA
    assert pagedata.read(element) == doc
    assert "Event 1 " not in element and "<b>" not in element  # the text is inside z, which is base64
    assert len(element) < len(pagedata.safe_json(doc)) / 4
    assert pagedata.element(json.loads(json.dumps(doc))) == element  # the same document, the same bytes


def test_a_document_written_as_it_is_still_reads():
    doc = _doc()
    assert pagedata.read(_page(doc)) == doc


@pytest.mark.parametrize("z", ["not base64!", base64.b64encode(b"not zlib").decode(),
                               base64.b64encode(zlib.compress(b"[1, 2]")).decode(),
                               base64.b64encode(zlib.compress(b"\xff\xfe")).decode()])
def test_data_that_does_not_inflate_to_a_document_is_one_clear_error(z):
    outer = {"schema": pagedata.SCHEMA, "version": pagedata.VERSION, "z": z}
    with pytest.raises(pagedata.PageDataError, match="bm-data"):
        pagedata.read(_page(outer))


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_page_script_inflates_the_same_document(tmp_path):
    doc = _doc()
    path = tmp_path / "outer.json"
    path.write_text(json.dumps(pagedata.deflate(doc)), encoding="utf-8")
    script = f"""
      const {{load}} = require({json.dumps(str(LOAD_JS))});
      const bm = load("00-core.js", "10-decode.js");
      const outer = JSON.parse(require("fs").readFileSync({json.dumps(str(path))}, "utf8"));
      bm.inflate(outer.z).then(text => console.log(text));
    """
    proc = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(proc.stdout) == doc


def test_two_builds_of_the_default_map_are_byte_identical(tmp_path):
    from bordermap import build
    (first,) = build(out_dir=tmp_path / "a", self_contained=False)
    (second,) = build(out_dir=tmp_path / "b", self_contained=False)
    assert first.read_bytes() == second.read_bytes()
    doc = pagedata.read(first.read_bytes())
    assert doc["arcs"]["p"] and doc["strings"]


def test_a_large_document_is_deflated_faster_and_still_the_same_bytes(monkeypatch):
    """Past FAST_DEFLATE_BYTES of JSON the level is the fast one: the same document, the same bytes, and it
    reads back; a smaller document keeps the usual level (pages below it are unchanged)."""
    small = _doc()
    assert zlib.decompressobj().decompress(base64.b64decode(pagedata.deflate(small)["z"])) and \
        pagedata.deflate(small)["z"] == base64.b64encode(zlib.compress(
            json.dumps(small, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(),
            pagedata.DEFLATE_LEVEL)).decode()
    monkeypatch.setattr(pagedata, "FAST_DEFLATE_BYTES", 1000)
    raw = json.dumps(small, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    fast = pagedata.deflate(small)["z"]
    assert fast == base64.b64encode(zlib.compress(raw, pagedata.FAST_DEFLATE_LEVEL)).decode()
    assert pagedata.FAST_DEFLATE_LEVEL != pagedata.DEFLATE_LEVEL
    assert pagedata.deflate(json.loads(json.dumps(small)))["z"] == fast
    assert pagedata.read(_page(pagedata.deflate(small))) == small


def _ids_one_by_one(ids: list[str]) -> tuple[list, list, list]:
    prefixes: dict[str, int] = {}
    prefix, number = [], []
    for text in ids:
        m = pagedata._NUMBERED.match(text)
        prefix.append(prefixes.setdefault(m.group(1) if m else text, len(prefixes)))
        number.append(int(m.group(2)) if m else -1)
    return list(prefixes), prefix, number


@pytest.mark.parametrize("extra", [[], ["a\n-1", "b-2\n"]])  # a newline: Python's "$" differs from RE2's
def test_many_ids_split_column_wise_as_one_by_one(extra):
    from bordermap import columns

    odd = ["a-0012", "x", "0", "00", "b-1234567890", "c-123456789", "é-5", "", "zz9", "-", "7", "a\u2028b-3",
           "a\rb-3", "٣", "x-١٢", "t-010"]
    ids = [f"syn-{k}" for k in range(3000)] + odd + extra
    ids += [f"e{k % 50}-{k % 7:03d}" for k in range(2000)]
    got = pagedata._ids(ids)
    assert (got["pre"], columns.read(got["p"]).tolist(), columns.read(got["x"]).tolist()) == _ids_one_by_one(ids)


@pytest.mark.browser
@needs_browser
def test_a_browser_without_decompressionstream_opens_the_same_map(browser, default_map):
    """Safari before 16.4 and Firefox before 113 have no DecompressionStream: the page inflates its data itself."""
    doc = pagedata.read(default_map.read_bytes())
    seen = {}
    for name, script in (("native", ""), ("own", "delete window.DecompressionStream;")):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        if script:
            page.add_init_script(script)
        try:
            page.goto(default_map.as_uri())
            page.wait_for_function("() => window.bordermap && window.bordermap.started", timeout=60000)
            assert page.evaluate("typeof DecompressionStream") == ("function" if name == "native" else "undefined")
            strings = page.evaluate("() => window.bordermap.readData().strings")
            seen[name] = page.evaluate("document.querySelectorAll('.leaflet-overlay-pane path').length")
            assert strings == doc["strings"] and errors == []
        finally:
            page.close()
    assert seen["own"] == seen["native"] > 0
