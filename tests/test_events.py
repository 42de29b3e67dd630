"""Events schema and loader: good and bad records, in GeoJSON and CSV, and the curated layer."""

import json

import pytest

from bordermap import events
from bordermap.errors import LayerError, SourceError

from .conftest import DATA


@pytest.fixture(scope="module")
def units():
    from bordermap.sources import load_boundaries
    return set(load_boundaries().admin1["code"]) | set(events.load_districts())


def test_geojson_records_are_read_and_normalised(units):
    recs = {r.id: r for r in events.load_events(DATA / "events_good.geojson", units=units)}
    quetta = recs["quetta-test"]
    assert quetta.actors == ("Tehrik-i-Taliban Pakistan",)  # alias resolved
    assert (quetta.lon, quetta.lat) == (67.00141, 30.18414)
    assert quetta.period[0].isoformat() == "2021-04-21"
    assert quetta.sources[0].url == "https://example.org/a"
    area = recs["kech-area"]
    assert area.actors == ("Jaish ul-Adl", "Balochistan Liberation Army")
    assert area.units == ("PK-BA:kech", "IR-13") and area.lon is None
    assert [d.isoformat() for d in area.period] == ["2021-08-01", "2022-02-28"]
    assert area.sources[0].text() == "B. Author, B Work; via C Article"


def test_csv_uses_the_same_schema(units):
    recs = {r.id: r for r in events.load_events(DATA / "events_good.csv", units=units)}
    chaman = recs["chaman-test"]
    assert chaman.actors == ("Afghan Taliban", "Government of Pakistan")
    assert (chaman.lon, chaman.lat) == (66.45259, 30.91769)
    assert chaman.sources[0].via == "B"
    assert chaman.sources[0].url == "https://example.org/b"
    assert recs["panjgur-test"].units == ("PK-BA:panjgur",) and recs["panjgur-test"].lon is None
    assert recs["panjgur-test"].period is None


def _write(tmp_path, props: dict, geometry=None, name="bad.geojson"):
    base = {"id": "rec-1", "title": "T", "category": "attack", "date": "2021-04-21", "date_precision": "day",
            "actors": [], "location_precision": "town", "admin1": "PK-BA", "units": [], "place": "",
            "location_basis": "b", "summary": "s", "sources": [{"author": "A", "work": "W"}]}
    base.update(props)
    feature = {"type": "Feature", "properties": {k: v for k, v in base.items() if v is not ...},
               "geometry": {"type": "Point", "coordinates": [67.0, 30.2]} if geometry is None else geometry}
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


@pytest.mark.parametrize("props, geometry, message", [
    ({"id": "Bad Id"}, None, "record 'Bad Id': id: 'Bad Id' must be lower-case letters, digits and hyphens"),
    ({"category": "massacre"}, None, "record 'rec-1': category: 'massacre' is not one of: attack"),
    ({"date": "2021-04"}, None, "record 'rec-1': date: '2021-04' does not match date_precision 'day' (YYYY-MM-DD)"),
    ({"date": "2021-02-30"}, None, "record 'rec-1': date: '2021-02-30' is not a real date"),
    ({"date": "2022/2021", "date_precision": "range"}, None, "record 'rec-1': date: '2022/2021': the range ends before it starts"),
    ({"date": "2021", "date_precision": "undated"}, None, "record 'rec-1': date: '2021' given but date_precision is 'undated'"),
    ({"date_precision": "week"}, None, "record 'rec-1': date_precision: 'week' is not one of: day, month"),
    ({"location_precision": "exact"}, None, "record 'rec-1': location_precision: 'exact' is not one of: site"),
    ({"units": ["PK-XX:nowhere"]}, None, "record 'rec-1': units: unknown unit code 'PK-XX:nowhere'"),
    ({"admin1": ""}, None, "record 'rec-1': admin1: missing: a point names the first-level unit it lies in"),
    ({"summary": ""}, None, "record 'rec-1': summary: missing"),
    ({"sources": []}, None, "record 'rec-1': sources: at least one source is required"),
    ({"sources": [{"author": "A"}]}, None, "record 'rec-1': sources: source 1 needs an 'author' and a 'work'"),
    ({"sources": [{"author": "A", "work": "W", "url": "javascript:alert(1)"}]}, None,
     "record 'rec-1': sources: source 1: url must start with http:// or https://"),
    ({"inferred": ["colour"]}, None,
     "record 'rec-1': inferred: 'colour' is not a field that can be inferred (one of: title, category, actors, date"),
    ({"inferred": "category;colour"}, None, "record 'rec-1': inferred: 'colour' is not a field that can be inferred"),
    ({"inferred": ["date"]}, None,
     "record 'rec-1': inferred: 'date' listed: give a date_note saying where the date comes from"),
    ({"inferred": ["date"], "date": "", "date_precision": "undated", "date_note": "n"}, None,
     "record 'rec-1': inferred: 'date' listed but the record is undated"),
    ({"quote": " ".join(["word"] * (events.QUOTE_WORDS + 1))}, None,
     f"record 'rec-1': quote: {events.QUOTE_WORDS + 1} words; a quote locates the passage in at most "
     f"{events.QUOTE_WORDS} words"),
    ({}, {"type": "Point", "coordinates": [300.0, 30.0]}, "record 'rec-1': geometry: coordinates (300.0, 30.0) are outside the world"),
    ({}, {"type": "LineString", "coordinates": [[66, 30], [67, 31]]},
     "record 'rec-1': geometry: must be a Point (areas reference units instead), not LineString"),
])
def test_bad_records_name_the_record_and_field(tmp_path, units, props, geometry, message):
    path = _write(tmp_path, props, geometry)
    with pytest.raises(LayerError) as info:
        events.load_events(path, units=units)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_inferred_quote_and_context_are_read_from_geojson_and_csv(tmp_path, units):
    quote = " ".join(f"w{n}" for n in range(events.QUOTE_WORDS))  # the longest allowed
    path = _write(tmp_path, {"inferred": ["category", "date", "category"], "date_note": "from a wire report",
                             "quote": f"  {quote}\n", "context": "Outside knowledge (the editors)"})
    (rec,) = events.load_events(path, units=units)
    assert rec.inferred == ("category", "date") and rec.date_inferred
    assert (rec.quote, rec.context) == (quote, "Outside knowledge (the editors)")
    csv = tmp_path / "prov.csv"
    csv.write_text("id,title,category,date_precision,location_precision,admin1,location_basis,summary,sources,"
                   "inferred,quote,longitude,latitude\n"
                   "c-1,T,place,undated,town,PK-BA,b,s,A | W,actors;units,a short passage,67.0,30.2\n"
                   "c-2,T,place,undated,town,PK-BA,b,s,A | W,,,67.0,30.2\n")
    first, second = events.load_events(csv, units=units)
    assert (first.inferred, first.quote) == (("actors", "units"), "a short passage") and not first.date_inferred
    assert (second.inferred, second.quote, second.context) == ((), "", "")


def test_a_record_with_neither_point_nor_units(tmp_path, units):
    path = tmp_path / "nogeom.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": None,
        "properties": {"id": "x", "title": "T", "category": "place", "date_precision": "undated",
                       "location_precision": "town", "location_basis": "b", "summary": "s",
                       "sources": [{"author": "A", "work": "W"}]}}]}))
    with pytest.raises(LayerError, match="record 'x': geometry: missing: give a point, or unit codes in 'units'"):
        events.load_events(path, units=units)


def test_every_problem_is_collected(tmp_path, units):
    path = tmp_path / "two.geojson"
    feats = []
    for rid, cat in (("a", "nope"), ("a", "attack")):
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [67.0, 30.2]},
                      "properties": {"id": rid, "title": "T", "category": cat, "date_precision": "undated",
                                     "location_precision": "town", "admin1": "PK-BA", "location_basis": "b",
                                     "summary": "s", "sources": [{"author": "A", "work": "W"}]}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    with pytest.raises(LayerError) as info:
        events.load_events(path, units=units)
    assert info.value.problems == ["record 'a': category: 'nope' is not one of: " + ", ".join(events.CATEGORIES),
                                   "record 'a': id: used by an earlier record"]


def test_missing_columns_and_unreadable_files(tmp_path, units):
    path = tmp_path / "cols.csv"
    path.write_text("id,title\nx,y\n")
    with pytest.raises(LayerError, match="missing column\\(s\\): category, date_precision"):
        events.load_events(path, units=units)
    garbage = tmp_path / "garbage.geojson"
    garbage.write_text("{ not json")
    with pytest.raises(SourceError, match="not a readable events file"):
        events.load_events(garbage, units=units)
    with pytest.raises(SourceError, match="file not found"):
        events.load_events(tmp_path / "missing.geojson", units=units)


@pytest.mark.parametrize("value, precision, first, last", [
    ("2023-09", "month", "2023-09-01", "2023-09-30"),
    ("2024-02", "month", "2024-02-01", "2024-02-29"),
    ("2022", "year", "2022-01-01", "2022-12-31"),
    ("2021-12/2022", "range", "2021-12-01", "2022-12-31"),
])
def test_date_periods(value, precision, first, last):
    a, b = events.date_period(value, precision)
    assert (a.isoformat(), b.isoformat()) == (first, last)


def test_an_events_file_in_another_encoding_is_a_source_error(tmp_path, units):
    path = tmp_path / "latin1.csv"
    path.write_bytes((DATA / "events_good.csv").read_text(encoding="utf-8").replace("Chaman", "Chamàn")
                     .encode("latin-1"))
    with pytest.raises(SourceError, match="not a readable events file") as info:
        events.load_events(path, units=units)
    assert info.value.path == path and "\n" not in str(info.value)


def test_the_space_stripped_is_what_python_strips():
    assert events._SPACE == "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def _odd_csv(path, ids):
    import csv

    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "category", "date", "date_precision", "location_precision", "admin1",
                    "location_basis", "summary", "sources", "longitude", "latitude"])
        for n, rid in enumerate(ids):
            w.writerow([rid, f"\x1f Title {n}\u2028", "attack", "2022", "year", "town", "PK-BA", "basis",
                        "\x85summary\xa0", "A | B", 66.5, 30.1])
    return path


def test_ids_and_text_are_checked_alike_with_and_without_arrow(tmp_path, units, monkeypatch):
    """The arrow path's id rule (RE2) and stripping (``utf8_trim``) find what Python's ``re`` and ``str.strip`` do."""
    ids = ["ok-1", "Bad", "a_b", "-x", "x" * 80, "y" * 81, "é-1", "a\nb", "ok-1", "\u3000ok-2\x1c", "", "9"]
    path = _odd_csv(tmp_path / "ids.csv", ids)
    problems, tables = {}, {}
    for arrow in (True, False):
        monkeypatch.setattr(events, "_HAS_ARROW", arrow)
        with pytest.raises(LayerError) as info:
            events.load_table(path, units=units)
        problems[arrow] = info.value.problems
        tables[arrow] = events.load_table(_odd_csv(tmp_path / "good.csv", ids[9:10]), units=units).records()
    assert problems[True] == problems[False]
    assert sum("must be lower-case letters" in p for p in problems[True]) == 6  # Bad a_b -x y*81 é-1 a\nb
    assert sum("used by an earlier record" in p for p in problems[True]) == 1  # ok-1 again
    assert not any("ok-2" in p for p in problems[True])  # well formed once stripped
    assert tables[True] == tables[False]
    assert (tables[True][0].id, tables[True][0].title, tables[True][0].summary) == ("ok-2", "Title 0", "summary")
