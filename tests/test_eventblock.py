"""Point events drawn from columns: the page equals the one the records make, and the work is per distinct value."""

import csv
import importlib

import numpy as np
import pytest

from bordermap import eventblock, events, pagedata
from bordermap.errors import LayerError, SourceError
from bordermap.layers import UNIT_PRECISIONS
from bordermap.pagedata import StringTable

build = importlib.import_module("bordermap.build")  # the module, not the function the package exports

FIELDS = ("id", "title", "category", "date", "date_precision", "date_note", "inferred", "actors",
          "location_precision", "admin1", "units", "place", "location_basis", "summary", "sources", "quote",
          "context", "fatalities", "fatalities_low", "fatalities_high", "redistributable", "longitude", "latitude")


def _rows(n: int) -> list[dict]:
    """Point events that use every field an item, a popup and a download row show, varied row by row."""
    cats = ["attack", "raid", "border clash", "political event", "place", "border crossing"]
    out = []
    for i in range(n):
        precision = ["day", "month", "year", "range", "undated"][i % 5]
        date = {"day": f"2022-0{1 + i % 9}-1{i % 10}", "month": f"2021-{1 + i % 12:02d}", "year": "2020",
                "range": "2021-08/2021-09", "undated": ""}[precision]
        inferred = "date" if i % 7 == 0 and precision != "undated" else ("place" if i % 11 == 0 else "")
        out.append({
            "id": f"t-{i}" if i % 13 else f"row{i}x", "title": f"Event {i} <b>&</b>", "category": cats[i % 6],
            "date": date, "date_precision": precision,
            "date_note": "from the wire" if inferred == "date" else ("an aside" if i % 17 == 0 else ""),
            "inferred": inferred, "actors": ["TTP", "BLA; TTP", "", "Jaish ul-Adl"][i % 4],
            "location_precision": ["town", "near", "site"][i % 3], "admin1": ["PK-BA", "PK-KP", "AF-KAN"][i % 3],
            "units": "", "place": "" if i % 5 == 0 else f"Place {i % 40}", "location_basis": f"basis {i % 3}",
            "summary": f"Summary {i}.", "sources": ["A | W", "A | W | V | https://example.org/x",
                                                    "B | X; C | Y"][i % 3],
            "quote": "a short passage" if i % 9 == 0 else "", "context": "known later" if i % 8 == 0 else "",
            "fatalities": str(i % 4) if i % 2 else "", "fatalities_low": "0" if i % 6 == 1 else "",
            "fatalities_high": str(i % 4 + 2) if i % 6 == 1 else "", "redistributable": "no" if i % 10 == 3 else "",
            # a few share a place to 4 decimals: they stand side by side
            "longitude": f"{66 + (i % 50) * 0.01:.5f}", "latitude": f"{29 + (i // 3) * 0.001:.5f}"})
    return out


def _csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(rows)
    return path


def _page(path, columns: bool, recipe=None) -> tuple[bytes, list]:
    a = build._assemble(recipe, [path], (), None, columns=columns)
    blocks = [layer.block for layer in a.layers if getattr(layer, "block", None) is not None]
    return build._page(a, None, True)[1], blocks


def test_a_page_drawn_from_columns_is_the_page_the_records_make(tmp_path):
    rows = _rows(400)
    path = _csv(tmp_path / "many.csv", rows)
    from_columns, blocks = _page(path, columns=True)
    from_records, none = _page(path, columns=False)
    assert [len(b) for b in blocks] == [400] and none == []  # each page went its own way
    assert len(blocks[0].templates) < 400  # rows share templates
    assert from_columns == from_records
    a, b = pagedata.decode(from_columns), pagedata.decode(from_records)
    assert {r["id"] for r in rows} <= {i.id for i in a.items}
    for x, y in zip(a.items, b.items, strict=True):
        assert x == y
    for name, layer in a.layers.items():
        assert layer.markers == b.layers[name].markers and layer.features == b.layers[name].features
    assert a.doc["report"] == b.doc["report"]


def test_rows_that_differ_in_their_dates_share_a_template(tmp_path):
    """A row's date is its own text (its words and days put into the template), so 365 days of the same kind
    of event are one template, and the page is still the records' byte for byte."""
    first = _rows(1)[0]
    rows = [{**first, "id": f"d-{i}", "title": f"Day {i}", "date": str(np.datetime64("2022-01-01") + i),
             "date_precision": "day", "inferred": "", "date_note": ""} for i in range(365)]
    path = _csv(tmp_path / "days.csv", rows)
    from_columns, blocks = _page(path, columns=True)
    assert [len(b.templates) for b in blocks] == [1]
    assert from_columns == _page(path, columns=False)[0]
    items = {i.id: i for i in pagedata.decode(from_columns).items}
    assert [(items[r["id"]].start, items[r["id"]].end) for r in rows] == [(r["date"], r["date"]) for r in rows]


def test_the_decoded_items_carry_each_rows_own_text(tmp_path):
    rows = _rows(60)
    page = pagedata.decode(_page(_csv(tmp_path / "few.csv", rows), columns=True)[0])
    items = {i.id: i for i in page.items}
    for row in rows:
        item = items[row["id"]]
        assert item.title == row["title"] and item.popup.heading == row["title"]
        assert item.popup.body == (row["summary"],)
        assert f"Location basis: {row['location_basis']}" in item.popup.notes
        if row["place"]:
            assert dict(item.popup.rows)["Where"].startswith(row["place"] + ", ")
        assert item.redistributable == (row["redistributable"] != "no")


def test_a_story_page_keeps_the_columns_and_the_same_bytes(tmp_path):
    path = _csv(tmp_path / "many.csv", _rows(50))
    from_columns, blocks = _page(path, columns=True, recipe="border-region")
    assert blocks and from_columns == _page(path, columns=False, recipe="border-region")[0]


def test_files_with_areas_or_unit_locations_are_drawn_from_records(tmp_path):
    rows = _rows(20)
    rows[3].update(location_precision="province")
    table = events.load_table(_csv(tmp_path / "unit.csv", rows), units={"PK-BA", "PK-KP", "AF-KAN"})
    assert not eventblock.eligible(table, UNIT_PRECISIONS)
    rows[3].update(location_precision="town", category="group area", longitude="", latitude="",
                   units="PK-BA")
    table = events.load_table(_csv(tmp_path / "area.csv", rows), units={"PK-BA", "PK-KP", "AF-KAN"})
    assert not eventblock.eligible(table, UNIT_PRECISIONS)
    assert _page(tmp_path / "area.csv", columns=True)[1] == []


def test_the_string_order_is_the_order_of_a_loop_over_the_rows():
    own = {"title": np.array(["b", "a", "c", "a"], dtype=object)}
    rows = eventblock.Rows(codes=np.array([0, 1, 0, 1]), templates=[0, 1], own=own)
    title = f"{eventblock.MARK}title{eventblock.MARK}"
    seqs = {0: [title, "x", None], 1: ["y", f"<{title}>"]}
    table = StringTable()
    slots = eventblock.add_in_order(table, rows, lambda k: seqs[k])
    loop = StringTable()
    expected = [[] for _ in range(3)]
    for r, code in enumerate(rows.codes.tolist()):
        for j in range(3):
            text = seqs[code][j] if j < len(seqs[code]) else None
            if text is not None:
                text = text.replace(f"{eventblock.MARK}title{eventblock.MARK}", own["title"][r])
            expected[j].append(loop.add(text) if text is not None else -1)
    assert table.strings == loop.strings
    assert [s.tolist() for s in slots] == expected


def _problems(path, units):
    with pytest.raises(LayerError) as info:
        events.load_table(path, units=units)
    return info.value.problems


def test_several_bad_rows_are_reported_as_each_would_be_alone(tmp_path):
    units = {"PK-BA", "PK-KP", "AF-KAN"}
    rows = _rows(30)
    rows[2].update(date="2022-02-30", date_precision="day")
    rows[4].update(category="massacre", sources="no author")
    rows[5].update(id="Bad Id", longitude="200")
    rows[8].update(id=rows[1]["id"])
    rows[9].update(title="", fatalities="x", inferred="date", date_note="")
    rows[12].update(admin1="", quote=" ".join(["w"] * 13), actors='["a", 1]')
    rows[20].update(id="", date_precision="weekly")
    problems = _problems(_csv(tmp_path / "bad.csv", rows), units)
    alone = []
    for n, row in enumerate(rows):
        if n == 8:  # a repeated id is wrong only after the first
            alone.append(f"record {row['id']!r}: id: used by an earlier record")
            continue
        try:
            events.load_table(_csv(tmp_path / f"one-{n}.csv", [row]), units=units)
        except LayerError as exc:
            alone += [p.replace("record #1", f"record #{n + 1}") for p in exc.problems]
    assert problems == alone and len(problems) >= 12


def test_each_rule_runs_once_per_distinct_value(tmp_path, monkeypatch):
    calls = {"date": 0, "sources": 0}
    check_date, sources = events._check_date, events._sources

    def counted(name, fn):
        def run(*args):
            calls[name] += 1
            return fn(*args)
        return run

    monkeypatch.setattr(events, "_check_date", counted("date", check_date))
    monkeypatch.setattr(events, "_sources", counted("sources", sources))
    rows = _rows(500)
    table = events.load_table(_csv(tmp_path / "many.csv", rows), units={"PK-BA", "PK-KP", "AF-KAN"})
    assert len(table) == 500
    assert calls["date"] == len({(r["date"], r["date_precision"]) for r in rows})
    assert calls["sources"] == len({r["sources"] for r in rows})


@pytest.mark.parametrize("limit", [None, 100])
def test_an_aggregate_of_columns_is_the_aggregate_of_the_records(tmp_path, monkeypatch, limit):
    """With --aggregate, and past the point limit (where the build aggregates by province instead)."""
    from bordermap import settings

    if limit:
        monkeypatch.setattr(settings, "MAX_PAGE_POINTS", limit)
    path = _csv(tmp_path / "many.csv", _rows(300))
    pages = []
    for columns in (True, False):
        a = build._assemble(None, [path], (), None, None if limit else "province", columns=columns)
        pages.append(build._page(a, None, True)[1])
    assert pages[0] == pages[1]
    alone = build._page(build._assemble(None, [], (), None, "province"), None, True)[1]
    csv_events = sum(1 for r in _rows(300) if events.CATEGORIES[r["category"]] == "event")
    assert _counted(pages[0]) == _counted(alone) + csv_events  # every row counted, in its province


def _counted(page: bytes) -> int:
    """The events an aggregate layer's units count, as their tooltips say ("12 events")."""
    page = pagedata.decode(page)
    layer = page.layers[page.doc["aggregate"]["layer"]]
    return sum(int(f.tooltip.lines[0].split()[0]) for f in layer.features)


def test_an_events_file_has_its_own_record_limit(tmp_path, monkeypatch):
    from bordermap import settings

    path = _csv(tmp_path / "many.csv", _rows(30))
    monkeypatch.setattr(settings, "MAX_FEATURES", 10)  # other layers' limit: not an events file's
    assert len(events.load_table(path, units={"PK-BA", "PK-KP", "AF-KAN"})) == 30
    monkeypatch.setattr(settings, "MAX_EVENTS", 29)
    with pytest.raises(SourceError, match="more than the limit of 29 \\(bordermap.settings.MAX_EVENTS\\)"):
        events.load_table(path, units={"PK-BA", "PK-KP", "AF-KAN"})


def test_the_arrow_reader_reads_what_the_other_reader_reads(tmp_path, monkeypatch):
    rows = _rows(40)
    rows[3]["title"] = "\x1c Padded\u3000 "  # Python's str.strip strips more than Unicode's white space
    path = _csv(tmp_path / "many.csv", rows)
    units = {"PK-BA", "PK-KP", "AF-KAN"}
    fast = events.load_table(path, units=units)
    monkeypatch.setattr(events, "_HAS_ARROW", False)
    plain = events.load_table(path, units=units)
    assert fast.records() == plain.records()
    assert fast.records()[3].title == rows[3]["title"].strip()


def test_the_download_from_columns_is_the_rows_packed_one_by_one(tmp_path):
    """The download's columns, read back as rows and packed one row at a time, are the same columns: one
    slot rule for both; and each row is its CSV row's (none for a row that may not be passed on)."""
    from bordermap import takeaway

    from .test_takeaway import pack_rows

    rows = _rows(400)
    html = _page(_csv(tmp_path / "many.csv", rows), columns=True)[0]
    doc = pagedata.read(html)
    spec, ids = doc["report"]["rows"], pagedata.item_ids(doc["items"])
    again = pack_rows(takeaway.unpack_rows(spec, doc["layers"], ids), ids)
    pagedata._points_with_markers(again, doc["layers"])
    assert again == spec
    assert {"s", "d", "c", "i"} <= {next(iter(slot)) for slot in spec["v"]}
    assert ids == [i.id for i in pagedata.decode(html).items]
    download = dict(zip(ids, takeaway.rows(doc)))
    for row in rows:
        got = download[row["id"]]
        if row["redistributable"] == "no":
            assert got is None
        else:
            values, point = got
            assert [values[k] for k in ("id", "title", "place", "summary")] == [row[k] for k in
                                                                               ("id", "title", "place", "summary")]
            assert point == [float(row["longitude"]), float(row["latitude"])]


# --- ACLED and UCDP exports --------------------------------------------------------------------------

def _export(tmp_path, kind):
    """An export whose rows are messy, then many alike (points near and in towns, events known only to a unit)."""
    from .test_conflictdata import ACLED_CURRENT, UCDP_GED, acled_row, messy_acled, messy_ucdp, ucdp_row, write_csv

    if kind == "acled":
        alike = [acled_row(1000 + n, geo=1 + n % 3, lon=66 + n * 0.01, lat=29 + n * 0.005) for n in range(300)]
        return write_csv(tmp_path / "acled.csv", ACLED_CURRENT, messy_acled(300, 3) + alike)
    alike = [ucdp_row(1000 + n, where=1 + n % 4, lon=66 + n * 0.01, lat=29 + n * 0.005) for n in range(300)]
    return write_csv(tmp_path / "GEDEvent_v24_1.csv", UCDP_GED, messy_ucdp(300, 3) + alike)


@pytest.mark.parametrize("kind", ["acled", "ucdp"])
def test_an_export_draws_its_points_from_columns_and_its_page_is_the_record_paths(tmp_path, kind):
    """The point rows go as a block, the rows located to a unit as records before them, on both paths."""
    from bordermap import conflictdata, takeaway

    path = _export(tmp_path, kind)
    from_columns, blocks = _page(path, columns=True)
    from_records, none = _page(path, columns=False)
    records = conflictdata.load(path).records
    points = [r.id for r in records if r.lon is not None]
    units = [r.id for r in records if r.lon is None]
    assert [len(b) for b in blocks] == [len(points)] and none == [] and units
    assert len(blocks[0].templates) < len(points) / 2  # rows share templates, their own event id and all
    assert from_columns == from_records
    ids = [i.id for i in pagedata.decode(from_columns).items]
    assert [i for i in ids if i in set(units + points)] == units + points  # each in the file's order
    cited = set(pagedata.decode(from_columns).doc["strings"])
    assert {s.text() for r in records for s in r.sources} <= cited
    # the download: each row the record's own (its sources naming its event), none for ACLED's
    download = dict(zip(ids, takeaway.rows(pagedata.read(from_columns))))
    for r in records:
        expected = conflictdata.feature(r)
        got = download[r.id]
        if kind == "acled":
            assert got is None
        else:  # the download's fields are every row's: a field this record lacks is empty
            assert set(expected["properties"]) <= set(got[0])
            assert got[0] == {k: expected["properties"].get(k) for k in got[0]}
            assert got[1] == (expected["geometry"] or {}).get("coordinates")


def test_an_export_makes_no_record_per_point_row(tmp_path, monkeypatch):
    from bordermap import conflictdata

    path = _export(tmp_path, "acled")
    records = conflictdata.load(path).records
    made = []
    init = events.Record.__init__

    def counted(self, *args, **kwargs):
        made.append(kwargs.get("id"))
        init(self, *args, **kwargs)

    monkeypatch.setattr(events.Record, "__init__", counted)
    blocks = _page(path, columns=True)[1]
    curated = len(events.load_events())
    monkeypatch.setattr(events.Record, "__init__", init)
    assert len(made) == 2 * curated + sum(r.lon is None for r in records) + len(blocks[0].templates)


def test_an_aggregate_of_an_export_from_columns_is_the_record_paths(tmp_path):
    path = _export(tmp_path, "acled")
    pages = [build._page(build._assemble(None, [path], (), None, "province", columns=c), None, True)[1]
             for c in (True, False)]
    assert pages[0] == pages[1]
    from bordermap import conflictdata
    events_in = sum(1 for r in conflictdata.load(path).records if r.kind == "event")
    alone = build._page(build._assemble(None, [], (), None, "province"), None, True)[1]
    assert _counted(pages[0]) == _counted(alone) + events_in
