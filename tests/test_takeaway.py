"""The page data's report block: the download's rows are the events schema's, the chart's colours the legend's."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from bordermap import columns, conflictdata, events, pagedata, takeaway
from bordermap.layers import CATEGORY_SYMBOLS

NODE = shutil.which("node") or shutil.which("nodejs")
LOAD_JS = Path(__file__).parent / "js" / "load.js"


def test_rows_are_the_records_in_the_events_schema(default_html):
    doc = pagedata.read(default_html)
    report, records = doc["report"], {r.id: r for r in events.load_events()}
    items = pagedata.decode(default_html).items
    assert len(takeaway.rows(doc)) == len(items) == len(records)
    for item, (values, point) in zip(items, takeaway.rows(doc)):
        feature = conflictdata.feature(records[item.id])
        assert values == {k: feature["properties"].get(k) for k in report["fields"]}
        assert point == (feature["geometry"]["coordinates"] if feature["geometry"] else None)
    assert report["pointFields"] == list(takeaway.POINT_FIELDS)
    assert report["colours"] == [[c[:1].upper() + c[1:], colour] for c, (colour, _) in CATEGORY_SYMBOLS.items()]
    assert report["cite"]["title"] == doc["title"] and report["cite"]["credits"]


def test_packing_puts_text_in_the_string_table_and_unpacking_restores_it():
    strings: list[str] = []

    def add(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    value = {"id": "a", "n": 3, "actors": ["TTP", "BLA", "TTP"], "sources": [{"author": "X", "url": ""}],
             "low": None, "best": 2.5, "flag": True}
    packed = {k: takeaway.pack(v, add) for k, v in value.items()}
    assert packed["actors"] == [strings.index("TTP"), strings.index("BLA"), strings.index("TTP")]
    assert packed["n"] == {"n": 3} and packed["low"] is None
    assert {k: takeaway.unpack(v, strings) for k, v in packed.items()} == value


def test_rows_that_may_not_be_passed_on_are_not_in_the_page(tmp_path, cli):
    from .test_conflictdata import ACLED_CURRENT, acled_row, write_csv

    export = write_csv(tmp_path / "acled.csv", ACLED_CURRENT, [acled_row(1, fatalities=7)])
    assert cli("build", "--events", export, "--out", tmp_path / "out").returncode == 0
    html = (tmp_path / "out" / "border-region.html").read_text(encoding="utf-8")
    doc, items = pagedata.read(html), pagedata.decode(html).items
    (n,) = [n for n, it in enumerate(items) if not it.redistributable]
    assert takeaway.rows(doc)[n] is None
    assert sum(row is not None for row in takeaway.rows(doc)) == len(items) - 1
    assert "Note 1" not in {v for row in takeaway.rows(doc) if row for v in row[0].values() if isinstance(v, str)}


def test_the_data_version_follows_the_data():
    files = {"a.geojson": {"sha256": "1" * 64}, "b.json": {"sha256": "2" * 64}}
    version = takeaway.data_version(files)
    assert len(version) == 12 and version == takeaway.data_version(dict(reversed(files.items())))
    assert takeaway.data_version({**files, "b.json": {"sha256": "3" * 64}}) != version


def _varied_rows(n: int) -> list:
    """Packed rows as block() makes them, with every kind of field: constant, rising string indexes, few
    distinct lists and tables, numbers, nulls; rows left out; points missing, and one set of inexact ones."""
    out = []
    for j in range(n):
        if j % 7 == 3:
            out.append(None)
            continue
        values = [1000 + 3 * j, 5, [j % 3, 7], {"n": j % 4} if j % 5 else None, [{"author": 9, "url": j % 2}],
                  True, {"n": j * 1.5}]
        out.append([values, None if j % 4 == 1 else [round(60 + j / 1e5, 5), round(30 - j / 1e4, 4)]])
    return out


def pack_rows(rows: list, ids: list | None = None) -> dict:
    """Rows (``[[packed values], [lon, lat] or None]`` or None per item) packed through the build's own path,
    each row its own template; a field whose values are the items' ``ids`` is sent as theirs, as the build's is."""
    present = [row for row in rows if row is not None]
    n, width = len(present), len(present[0][0]) if present else 0
    theirs = [i for i, row in zip(ids, rows) if row is not None] if ids is not None else None
    fields = [takeaway.ItemIds() if theirs and [row[0][k] for row in present] == theirs else
              takeaway.Column.of_templates([row[0][k] for row in present], np.arange(n), np.zeros(n, dtype=bool),
                                           None) for k in range(width)]
    lon, lat = (np.array([row[1][c] if row[1] else np.nan for row in present], dtype=float) for c in (0, 1))
    return takeaway.pack_columns(np.array([row is not None for row in rows], dtype=bool), fields,
                                 takeaway.point_columns(lon, lat))


def test_rows_pack_into_columns_and_read_back_exactly():
    rows = _varied_rows(60)
    spec = pack_rows(rows)
    assert takeaway.unpack_rows(spec) == rows
    forms = [next(iter(slot)) for slot in spec["v"]]
    assert forms == ["s", "c", "d", "d", "d", "c", "j"] and "lon" in spec["at"] and "has" in spec
    inexact = [[r[0], [60.123456, 30.0]] if r else None for r in rows]  # 6 decimals: sent as they are
    assert "j" in pack_rows(inexact)["at"] and takeaway.unpack_rows(pack_rows(inexact)) == inexact
    assert takeaway.unpack_rows(pack_rows([None, None])) == [None, None]
    assert takeaway.unpack_rows(pack_rows([])) == []


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_page_reads_the_rows_python_reads(tmp_path):
    rows = _varied_rows(60)
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(pack_rows(rows)), encoding="utf-8")
    script = f"""
      const {{load}} = require({json.dumps(str(LOAD_JS))});
      const bm = load("00-core.js", "10-decode.js", "47-download.js");
      const spec = JSON.parse(require("fs").readFileSync({json.dumps(str(path))}, "utf8"));
      const row = bm.download.rows(spec);
      console.log(JSON.stringify(Array.from({{length: spec.len}}, (_, j) => [row(j), row.has(j)])));
    """
    proc = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    read = json.loads(proc.stdout)
    assert [r for r, _ in read] == rows
    assert [has for _, has in read] == [r is not None for r in rows]  # what the panel counts without unpacking


def _rows_in_node(spec: dict, layers: list, ids: list, tmp_path) -> list:
    path = tmp_path / "rows.json"
    path.write_text(json.dumps({"spec": spec, "layers": layers, "ids": ids}), encoding="utf-8")
    script = f"""
      const {{load}} = require({json.dumps(str(LOAD_JS))});
      const bm = load("00-core.js", "10-decode.js", "47-download.js");
      const d = JSON.parse(require("fs").readFileSync({json.dumps(str(path))}, "utf8"));
      const row = bm.download.rows(d.spec, d.layers, (j) => d.ids[j]);
      console.log(JSON.stringify(Array.from({{length: d.spec.len}}, (_, j) => row(j))));
    """
    proc = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(proc.stdout)


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_points_at_their_markers_places_are_read_from_the_markers(default_html, tmp_path):
    """The default map's rows with a point are all at their events' first markers: the rows refer to the
    marker layer, and Python and the page read the same points back from it."""
    doc = pagedata.read(default_html)
    spec, layers, ids = doc["report"]["rows"], doc["layers"], pagedata.item_ids(doc["items"])
    assert "m" in spec["at"] and "lon" not in spec["at"] and layers[spec["at"]["m"]]["kind"] == "markers"
    rows = takeaway.unpack_rows(spec, layers, ids)
    assert sum(1 for r in rows if r and r[1]) >= 10
    assert _rows_in_node(spec, layers, ids, tmp_path) == rows
    # the id field is the item's: sent once, with the items
    k = doc["report"]["fields"].index("id")
    assert spec["v"][k] == {"i": 1}
    assert [r[0][k] for r in rows if r] == [i for i, r in zip(ids, rows) if r] and not set(ids) & set(doc["strings"])


def test_points_elsewhere_than_the_markers_keep_their_own_columns():
    marker_layer = {"kind": "markers", "len": 2, "lat": columns.pack([3_000_000, 3_100_000]),
                    "lon": columns.pack([6_600_000, 6_700_000]), "r": columns.pack([1, 0])}
    rows = [[[5], [67.0, 31.0]], [[6], [66.0, 30.0]]]
    spec = pack_rows(rows)
    pagedata._points_with_markers(spec, [{"kind": "shapes"}, marker_layer])
    assert spec["at"]["m"] == 1 and takeaway.unpack_rows(spec, [{}, marker_layer]) == rows
    moved = pack_rows([[[5], [67.0, 31.0]], [[6], [66.00001, 30.0]]])
    pagedata._points_with_markers(moved, [marker_layer])
    assert "m" not in moved["at"] and takeaway.unpack_rows(moved)[1][1] == [66.00001, 30.0]


@pytest.mark.parametrize("values, codes, own", [
    ([3, 4, 5], [0, 1, 2, 0, 1, 2, 0, 1, 2], [0] * 9),  # few distinct ints: d/k
    ([3, 4, 5], [0, 1, 2, 0], [0, 1, 0, 1]),  # own ints rising: s
    ([None, 7, {"n": 2}, [1, 2], True, 1, 1.0], [0, 1, 2, 3, 4, 5, 6] * 3, [0] * 21),  # 1, True, 1.0 kept apart
    ([None, {"n": 2}], [0, 1, 0, 1, 0, 1], [1, 0, 0, 0, 1, 0]),  # own ints among tables
    ([{"n": 2}, None], [0, 0, 0], [0, 0, 0]),  # one value: c
    ([[1], [2], [3]], [0, 1, 2, 1], [0, 0, 0, 0]),  # lists stay one value each: j
    ([None], [0, 0, 0], [1, 1, 1]),  # every row its own
])
def test_rows_by_template_take_the_slot_rows_one_by_one_take(values, codes, own):
    """The column build's rows (a template's value, or an int of the row's own) pack into the slot the same
    rows written out one by one pack into."""
    codes, own = np.array(codes), np.array(own, dtype=bool)
    own_values = 100 + np.arange(len(codes)) * (1 + np.arange(len(codes)) % 2)  # not all distinct: some repeat
    own_values[::3] = 100
    expanded = [int(own_values[r]) if own[r] else values[codes[r]] for r in range(len(codes))]
    has = np.ones(len(codes), dtype=bool)
    by_template = takeaway.pack_columns(has, [takeaway.Column.of_templates(values, codes, own, own_values)], {})
    one_by_one = takeaway.pack_columns(has, [takeaway.Column.of_templates(
        expanded, np.arange(len(expanded)), np.zeros(len(expanded), dtype=bool), None)], {})
    assert by_template == one_by_one
    assert takeaway.unpack_rows({**by_template, "at": {"j": [None] * len(codes)}}) == [[[v], None] for v in expanded]
