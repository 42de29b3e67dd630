"""The page data's report block: the download's rows are the events schema's, the chart's colours the legend's."""

from bordermap import conflictdata, events, pagedata, takeaway
from bordermap.layers import CATEGORY_SYMBOLS


def test_rows_are_the_records_in_the_events_schema(default_html):
    doc = pagedata.read(default_html)
    report, records = doc["report"], {r.id: r for r in events.load_events()}
    items = pagedata.decode(default_html).items
    assert len(report["rows"]) == len(items) == len(records)
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
    assert doc["report"]["rows"][n] is None
    assert sum(row is not None for row in doc["report"]["rows"]) == len(items) - 1
    assert "Note 1" not in {v for row in takeaway.rows(doc) if row for v in row[0].values() if isinstance(v, str)}


def test_the_data_version_follows_the_data():
    files = {"a.geojson": {"sha256": "1" * 64}, "b.json": {"sha256": "2" * 64}}
    version = takeaway.data_version(files)
    assert len(version) == 12 and version == takeaway.data_version(dict(reversed(files.items())))
    assert takeaway.data_version({**files, "b.json": {"sha256": "3" * 64}}) != version
