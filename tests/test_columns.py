"""The columnar page data: typed-array columns, and the page script reading them exactly as Python does."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bordermap import columns, pagedata
from bordermap.layers import Item, Marker, MarkerLayer, Popup, Text
from bordermap.recipe import Recipe

NODE = shutil.which("node") or shutil.which("nodejs")
LOAD_JS = Path(__file__).parent / "js" / "load.js"


@pytest.mark.parametrize("values,kind", [([0, 255], "u1"), ([-1, 127], "i1"), ([0, 65535], "u2"),
                                         ([-32768, 5], "i2"), ([-1, 738000], "i4"), ([], "u1"),
                                         ([7], "u1"), ([-3, -3, -3], "c"), ([5, 8, 11, 14], "a"),
                                         ([100_000, 100_003, 100_004, 100_010], "+u1"),
                                         ([70_000, 3, 70_001], "i4")])
def test_a_column_takes_the_narrowest_type_and_reads_back(values, kind):
    text = columns.pack(values)
    assert text.split(":")[0] == kind
    assert columns.read(text).tolist() == values


def test_a_column_refuses_what_does_not_fit_in_32_bits():
    with pytest.raises(ValueError, match="32 bits"):
        columns.pack([2 ** 31])


def _items(n: int) -> list[Item]:
    """Items with every field the columns carry, varied: dated and undated, fatalities or none, …"""
    out = []
    for j in range(n):
        day = f"2021-{j % 12 + 1:02d}-{j % 27 + 1:02d}"
        out.append(Item(
            id=f"syn-{j}" if j % 3 else f"x{j:03d}", title=f"Event {j} <b>", category=("attack", "raid")[j % 2],
            date=day if j % 5 else "Undated", start=day if j % 5 else "", end=day if j % 5 else "",
            actors=(("TTP",), ("TTP", "BLA"), ())[j % 3], countries=("Pakistan",), provinces=("Balochistan",),
            precision="town", where=f"Place {j % 4}", radius=(10_000.0, 0.0)[j % 2],
            inferred=("Nothing inferred",), fatalities=(j, max(j - 1, 0), j + 2) if j % 4 else None,
            redistributable=bool(j % 7),
            popup=Popup(f"Event {j} <b>", (("Category", ("attack", "raid")[j % 2]), ("Where", f"Place {j % 4}")),
                        (f"Summary {j % 2}",), (("A source", "https://example.org/" if j % 2 else ""),),
                        ("Note",) if j % 3 else ())))
    return out


@pytest.fixture(scope="module")
def doc() -> dict:
    items = _items(40)
    markers = tuple(Marker(id=i.id if j % 9 else f"{i.id}#1", lat=30 + j / 1e5, lon=60 - j / 7, colour="#ff0000",
                           shape="star", title=i.title, tooltip=Text(i.title, (i.date,)), popup=i.popup,
                           start=i.start, end=i.end, record=i.id, offset=(j % 2, 0))
                    for j, i in enumerate(items))
    layers = [MarkerLayer(name="Events", markers=markers, items=tuple(items))]
    return pagedata.document(layers, Recipe(name="t", title="t", basemap=False), (60, 25, 75, 38))


def test_python_decodes_the_columns_to_the_items_written(doc):
    page = pagedata.decode(doc)
    items = _items(40)
    assert [i.id for i in page.items] == [i.id for i in items]
    for got, want in zip(page.items, items):
        assert (got.title, got.date, got.start, got.end, got.where) == (want.title, want.date, want.start,
                                                                       want.end, want.where)
        assert (got.actors, got.radius, got.fatalities, got.redistributable) == (
            want.actors, want.radius, want.fatalities, want.redistributable)
        assert got.category == want.category.capitalize()
        assert got.popup.heading == want.popup.heading and got.popup.rows == want.popup.rows
        assert got.popup.body == want.popup.body and got.popup.notes == want.popup.notes
        assert [s for s, _ in got.popup.sources] == [s for s, _ in want.popup.sources]
    (layer,) = page.layers.values()
    assert [(m.lat, m.lon) for m in layer.markers] == [(round(30 + j / 1e5, 5), round(60 - j / 7, 5))
                                                      for j in range(40)]
    assert [m.id for m in layer.markers][:10] == ["x000#1"] + [i.id for i in items[1:9]] + ["x009#1"]


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_page_script_decodes_what_python_decodes(doc, tmp_path):
    """bm.decode and bm.decodeMarkers give the items and markers pagedata.decode gives, field by field."""
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    script = f"""
      const {{load}} = require({json.dumps(str(LOAD_JS))});
      const bm = load("00-core.js", "10-decode.js");
      const data = bm.decode(JSON.parse(require("fs").readFileSync({json.dumps(str(path))}, "utf8")));
      const s = data.strings;
      const items = data.items.map(it => ({{id: it.id, title: it.title, date: it.date, start: it.start, end: it.end,
        category: it.category[0], actors: [...it.actors], where: it.where, radius: it.radius,
        f: it.f && [...it.f], redistributable: it.redistributable, heading: s[it.pop[0]],
        rows: it.pop[1].map(r => [s[r[0]], s[r[1]]]), body: it.pop[2].map(b => s[b]), notes: it.pop[4].map(b => s[b]),
        sources: it.pop[3].map(r => [s[r[0]], r[1] >= 0 ? s[r[1]] : ""])}}));
      const markers = bm.decodeMarkers(data.layers[0], data.decimals).map(m => [m.lat, m.lon, m.id || null, m.dx]);
      console.log(JSON.stringify({{items, markers}}));
    """
    proc = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    got = json.loads(proc.stdout)
    page = pagedata.decode(doc)
    want = [{"id": i.id, "title": i.title, "date": i.date, "start": i.start, "end": i.end, "category": i.category,
             "actors": list(i.actors), "where": i.where, "radius": i.radius,
             "f": list(i.fatalities) if i.fatalities else None, "redistributable": i.redistributable,
             "heading": i.popup.heading, "rows": [list(r) for r in i.popup.rows], "body": list(i.popup.body),
             "notes": list(i.popup.notes), "sources": [list(s) for s in i.popup.sources]} for i in page.items]
    assert got["items"] == want
    (layer,) = page.layers.values()
    raw = pagedata.decode_markers(doc["layers"][0])
    assert got["markers"] == [[m.lat, m.lon, r.get("id"), r["dx"]] for m, r in zip(layer.markers, raw)]


def test_100k_items_cost_a_few_bytes_each_beyond_their_own_text():
    """Columns, not objects: beyond their distinct text, items cost a few dozen bytes each (version 1 of the
    document spent about 260 bytes an item on 100k synthetic events)."""
    items = _items(2000)
    doc = pagedata.document([MarkerLayer(name="E", markers=(), items=tuple(items))],
                            Recipe(name="t", title="t", basemap=False), (60, 25, 75, 38))
    per_item = (len(pagedata.safe_json(doc["items"])) + len(pagedata.safe_json(doc["lists"]))) / len(items)
    assert per_item < 48, per_item
