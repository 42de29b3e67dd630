"""Aggregate layers end to end: the recipe's [aggregate] table, the DuckDB path against the record path, the
page recounting under its filters (headless Chromium), and the figure drawing the page's classes.

Exports are written in ACLED's published layout (see test_conflictdata); expected counts are computed here
from the rows and records.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402

from bordermap import aggregate, conflictdata, geoboundaries, pagedata, recipe, sources  # noqa: E402
from bordermap.build import _assemble, build, district_units, static_figure  # noqa: E402
from bordermap.recipe import AggregateSpec  # noqa: E402

from .conftest import needs_browser  # noqa: E402
from .test_conflictdata import ACLED_CURRENT, acled_row, write_csv  # noqa: E402

#: Districts of the embedded Pakistan file the export's events fall in (name -> ACLED admin1).
DISTRICTS = {"Quetta": "Balochistan", "Kech": "Balochistan", "Peshawar": "Khyber Pakhtunkhwa", "Karachi": "Sindh"}
MONTHS = ("2023-01-15", "2023-02-15", "2023-03-15", "2023-04-15", "2023-05-15", "2023-06-15")


def _inside(name: str):
    frame = geoboundaries.embedded().frame
    return frame.loc[frame["shapeName"] == name].geometry.iloc[0].representative_point()


def export_rows() -> list[dict]:
    """Town events in four districts over six months (battles and protests), plus events no district can take:
    'near' and province-only rows, and a town point in Afghanistan (no district shapes there)."""
    rows, n = [], 0
    for k, (name, admin1) in enumerate(DISTRICTS.items()):
        p = _inside(name)
        for m, day in enumerate(MONTHS[: 3 + k]):
            n += 1
            row = acled_row(n, lon=round(p.x, 4), lat=round(p.y, 4), admin1=admin1, admin2=name, date=day,
                            fatalities=(n * 3) % 7)
            if m % 2:
                row.update(event_type="Protests", sub_event_type="Peaceful protest")
            rows.append(row)
    rows.append(acled_row(90, geo=2, date=MONTHS[0]))
    rows.append(acled_row(91, geo=3, date=MONTHS[4], admin1="Khyber Pakhtunkhwa", admin2=""))
    rows.append(acled_row(92, lon=69.2, lat=34.5, admin1="Kabul", admin2="", country="Afghanistan", date=MONTHS[5]))
    return rows


@pytest.fixture
def export(tmp_path) -> Path:
    return write_csv(tmp_path / "acled.csv", ACLED_CURRENT, export_rows())


def _recipe(tmp_path: Path, events: Path, table: str) -> Path:
    path = tmp_path / "agg.toml"
    path.write_text(f'title = "Aggregate"\ninclude = ["countries", "provinces", "borders"]\nbasemap = false\n'
                    f'events = ["{events.name}"]\n\n[aggregate]\n{table}\n', encoding="utf-8")
    return path


# --- the recipe's [aggregate] table -------------------------------------------------------------------

def test_the_aggregate_table_is_read_with_its_defaults(tmp_path, export):
    r = recipe.load(_recipe(tmp_path, export, 'level = "hexagon"\nhex_km = 40\nmeasure = "fatalities"'))
    assert r.aggregate == AggregateSpec(level="hexagon", hex_km=40, measure="fatalities")
    assert r.aggregate.name == "Fatalities by hexagon (40 km)"
    # breaks alone choose the scheme "breaks"
    r = recipe.load(_recipe(tmp_path, export, 'level = "province"\nbreaks = [2, 10]'))
    assert (r.aggregate.scheme, r.aggregate.breaks) == ("breaks", (2, 10))


@pytest.mark.parametrize("line, message", [
    ('level = "county"', "aggregate.level (line 7): expected one of: district, province, hexagon, got a string 'county'"),
    ('scheme = "jenks"', "aggregate.scheme (line 7): expected one of: quantiles, natural_breaks, equal_interval, breaks"),
    ("classes = 12", "aggregate.classes (line 7): expected a whole number from 2 to 9, got a number 12"),
    ("classes = true", "aggregate.classes (line 7): expected a whole number from 2 to 9, got a boolean True"),
    ("breaks = [20, 5]", "aggregate.breaks (line 7): expected a rising list of numbers"),
    ("breaks = [-1, 5]", "aggregate.breaks (line 7): expected a rising list of numbers"),
    ('measure = "deaths"', "aggregate.measure (line 7): expected one of: events, fatalities, got a string 'deaths'"),
    ("hex_km = 1", "aggregate.hex_km (line 7): expected a size in km from 2 to 500, got a number 1"),
    ('hex_km = "25"', "aggregate.hex_km (line 7): expected a size in km from 2 to 500, got a string '25'"),
    ('colour = "red"', "aggregate.colour (line 7): unknown key (known keys: level, scheme"),
])
def test_each_wrong_aggregate_value_is_reported_by_validate(tmp_path, export, cli, line, message):
    level = "" if line.startswith("level") else 'level = "province"\n'
    path = _recipe(tmp_path, export, line + "\n" + level)
    result = cli("validate", path)
    (only,) = result.stderr.strip().splitlines()  # one line: the problem, its key and line, what is expected
    assert result.returncode == 2 and only.startswith(f"bordermap: error: {path}: {message}")


@pytest.mark.parametrize("table, message", [
    ('scheme = "breaks"\nlevel = "province"', 'aggregate.breaks: missing: scheme = "breaks" needs breaks = [...]'),
    ('level = "province"\nscheme = "quantiles"\nbreaks = [1, 2]', 'aggregate.breaks (line 9): given, but scheme is not "breaks"'),
    ('scheme = "quantiles"', "aggregate.level: missing (one of: district, province, hexagon)"),
])
def test_an_inconsistent_aggregate_table_is_reported(tmp_path, export, cli, table, message):
    path = _recipe(tmp_path, export, table)
    result = cli("validate", path)
    assert result.returncode == 2 and result.stderr.strip() == f"bordermap: error: {path}: {message}"


def test_every_problem_of_the_table_is_reported_at_once(tmp_path, export, cli):
    path = _recipe(tmp_path, export, 'level = "county"\nclasses = 1\nmeasure = "deaths"')
    lines = cli("validate", path).stderr.strip().splitlines()
    assert [line.split(": ")[3].split(" ")[0] for line in lines] == ["aggregate.level", "aggregate.classes",
                                                                      "aggregate.measure"]


def test_the_recipes_table_is_used_and_the_command_line_level_keeps_its_other_settings(tmp_path, export, cli):
    path = _recipe(tmp_path, export, 'level = "province"\nbreaks = [2]\nhex_km = 40')
    assert cli("build", path, "--out", tmp_path / "a").returncode == 0
    doc = pagedata.read((tmp_path / "a" / "agg.html").read_bytes())
    records = conflictdata.load(export).records
    per_province = Counter(r.admin1 or r.units[0].split(":")[0] for r in records)
    assert doc["aggregate"]["layer"] == "Events by province"
    assert doc["aggregate"]["breaks"] == [2.0, float(max(per_province.values()))]
    assert cli("build", path, "--aggregate", "hexagon", "--out", tmp_path / "b").returncode == 0
    doc = pagedata.read((tmp_path / "b" / "agg.html").read_bytes())
    assert doc["aggregate"]["layer"] == "Events by hexagon (40 km)" and doc["aggregate"]["breaks"][0] == 2.0


# --- placing events at their level ----------------------------------------------------------------------

def _districts():
    return district_units([geoboundaries.embedded()])


def test_district_counts_follow_the_rows_and_every_event_left_out_is_said(export):
    records = list(conflictdata.load(export).records)
    res = aggregate.aggregate(records, AggregateSpec(level="district"), sources.load_boundaries().admin1,
                              _districts())
    got = dict(zip(res.units["name"], res.units["count"]))
    rows = export_rows()
    expected = Counter(f"{r['admin2']} (PAK)" for r in rows if r["geo_precision"] == 1 and r["country"] == "Pakistan")
    assert got == dict(expected)
    best = dict(zip(res.units["name"], res.units["best"]))
    assert best == {f"{d} (PAK)": sum(r["fatalities"] for r in rows if r["admin2"] == d and r["geo_precision"] == 1)
                    for d in DISTRICTS}
    assert res.notes() == ("1 event located only near a place (within about 25 km) is not in the districts",
                           "1 event known only to the province is not in the districts",
                           "1 event lies in none of the districts drawn")


def test_the_csv_path_counts_as_the_record_path_does(tmp_path):
    """DuckDB's path: the map's countries only, a monadic export's repeated rows once, an unknown admin1
    taken from the point; at every level the counts equal the record path's."""
    rows = export_rows()
    monadic = {**rows[0], "actor1": "BLA", "inter1": "Rebel group"}  # the same event, the other actor's row
    unknown = acled_row(95, admin1="Nowhere", lon=rows[1]["longitude"], lat=rows[1]["latitude"])
    foreign = acled_row(96, country="India", lon=74.3, lat=31.5, admin1="Punjab")
    path = write_csv(tmp_path / "a.csv", ACLED_CURRENT, rows + [monadic, unknown, foreign])
    records = list(conflictdata.load(path).records)
    assert len(records) == len(rows) + 1  # the monadic row merged, India left out
    admin1, districts = sources.load_boundaries().admin1, _districts()
    for level in ("province", "district", "hexagon"):
        spec = AggregateSpec(level=level)
        fast = aggregate.from_csv(path, spec, admin1, districts, aliases=conflictdata.load_aliases())
        slow = aggregate.aggregate(records, spec, admin1, districts)
        assert dict(zip(fast.units["unit"], fast.units["count"])) == dict(zip(slow.units["unit"], slow.units["count"]))
        assert dict(zip(fast.units["unit"], fast.units["best"])) == dict(zip(slow.units["unit"], slow.units["best"]))
        assert fast.unplaced == slow.unplaced and fast.breaks == slow.breaks, level


def test_a_damaged_csv_is_one_clear_error_on_the_csv_path(tmp_path):
    path = write_csv(tmp_path / "a.csv", ACLED_CURRENT, export_rows())
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("PAK1," * 40 + "\n")  # more fields than the header
    with pytest.raises(conflictdata.SourceError) as info:
        aggregate.from_csv(path, AggregateSpec(level="province"), sources.load_boundaries().admin1)
    assert str(info.value).startswith(f"{path}: not a readable CSV")


def test_containing_gives_the_first_unit_and_minus_one_outside():
    import shapely

    squares = [shapely.box(0, 0, 2, 2), shapely.box(2, 0, 4, 2), shapely.box(1, 1, 3, 3)]
    x, y = np.array([0.5, 2.0, 2.5, 9.0, 1.5]), np.array([0.5, 1.0, 2.5, 9.0, 1.5])
    expected = [next((i for i, s in enumerate(squares) if s.intersects(shapely.Point(a, b))), -1)
                for a, b in zip(x, y)]
    assert list(aggregate.containing(squares, x, y)) == expected == [0, 0, 2, -1, 0]


def test_legend_labels_say_one_event_and_ranges():
    spec = AggregateSpec(level="province", scheme="breaks", breaks=(1, 4))
    res = aggregate.Result(spec=spec, units=None, members=(), breaks=(1.0, 4.0, 9.0))
    assert res.labels() == ("1 event", "2–4 events", "5–9 events")
    fat = aggregate.Result(spec=AggregateSpec(level="province", measure="fatalities"), units=None, members=(),
                           breaks=(0.0, 1.0, 5.0))
    assert fat.labels() == ("0 fatalities", "1 fatality", "2–5 fatalities")


# --- the figure draws the page's classes ------------------------------------------------------------------

def test_the_figure_draws_the_same_classes_as_the_page(tmp_path, export):
    path = _recipe(tmp_path, export, 'level = "district"\nscheme = "breaks"\nbreaks = [3, 4]')
    assembled = _assemble(recipe.load(path), (), (), None)
    layer = next(x for x in assembled.layers if getattr(x, "aggregate", None) is not None)
    (page,) = build(path, tmp_path / "out")
    doc = pagedata.read(page.read_bytes())
    spec = doc["aggregate"]
    # the page: each unit's class from its count and the build's breaks
    decoded = pagedata.decode(doc).layers[spec["layer"]]
    counts = {f.tooltip.heading: int(f.tooltip.lines[0].split()[0]) for f in decoded.features}
    rows = export_rows()
    assert counts == dict(Counter(f"{r['admin2']} (PAK)" for r in rows
                                  if r["geo_precision"] == 1 and r["country"] == "Pakistan"))
    colour_of = {name: spec["colours"][next(i for i, b in enumerate(spec["breaks"]) if n <= b)]
                 for name, n in counts.items()}
    assert {f.tooltip.heading: f.style.get("fillColor") for f in decoded.features} == colour_of
    # the figure: the same fills, one per unit, and the legend's class labels
    figure = static_figure(assembled, size=(900, 675), dpi=100)
    fills = Counter(to_hex(p.get_facecolor()) for p in figure.map_axes.patches
                    if isinstance(p, PathPatch) and to_hex(p.get_facecolor()) in spec["colours"]
                    and p.get_alpha() == layer.style.fill_opacity)
    assert fills == Counter(colour_of.values())
    texts = [t.get_text() for t in figure.legend_axes.findobj(matplotlib.text.Text)]
    for label in ("1–3 events", "4 events", "5–6 events"):
        assert f"{spec['layer']}: {label}" in texts
    # the notes and ACLED's citation (access date and the export's filters) are in the footer
    footer = figure.footer.get_text().replace("\n", " ")
    assert "1 event known only to the province is not in the districts" in footer
    assert "accessed 2023-11-14; export: Afghanistan, Pakistan; 2023-01-15 to 2023-06-15" in footer


# --- the page recounts under its filters ------------------------------------------------------------------

@pytest.mark.browser
@needs_browser
def test_the_page_recounts_the_aggregate_under_a_filter_and_the_time_span(tmp_path, export, open_map):
    path = _recipe(tmp_path, export, 'level = "district"\nscheme = "breaks"\nbreaks = [1, 3]')
    assembled = _assemble(recipe.load(path), (), (), None)
    layer = next(x for x in assembled.layers if getattr(x, "aggregate", None) is not None)
    by_id = {r.id: r for r in assembled.records}
    names = list(layer.frame["name"])
    (page_path,) = build(path, tmp_path / "out", self_contained=True)
    doc = pagedata.read(page_path.read_bytes())
    months, breaks, colours = doc["months"], doc["aggregate"]["breaks"], doc["aggregate"]["colours"]

    def expected(category: str | None, first: int) -> dict:
        """Per unit: events passing the filter (Python's rule for the page's), their fatalities and colour."""
        start = dt.date.fromisoformat(months[first]["start"])
        out = {}
        for name, ids in zip(names, layer.aggregate.members):
            shown = [by_id[i] for i in ids if (category is None or by_id[i].category == category)
                     and (by_id[i].period is None or by_id[i].period[1] >= start)]
            n = len(shown)
            best = sum(r.fatalities.best for r in shown if r.fatalities)
            out[name] = [n, best, colours[next(i for i, b in enumerate(breaks) if n <= b)] if n else None]
        return out

    page = open_map(page_path)
    # per unit (features in order; a unit's parts follow each other in the entry's layers): count, sum, fill
    shown = f"""() => {{ const name = {doc['aggregate']['layer']!r}, e = window.bordermap.shapes[name];
        const features = window.bordermap.readData().layers.find(l => l.name === name).features;
        let k = 0;
        return features.map((f, u) => {{ const part = e.layers[k], t = e.totals[u]; k += f.g.length;
            return [t.count, t.best, t.count ? part.options.fillColor : null]; }}); }}"""

    def on_page() -> dict:
        return dict(zip(names, page.js(shown)))

    assert on_page() == expected(None, 0)
    page.page.locator('#bm-facets input[data-facet="category"][value="Political event"]').check()
    with_filter = expected("political event", 0)
    assert on_page() == with_filter and with_filter != expected(None, 0)
    page.page.locator(".bm-from input").fill("3")  # from April 2023
    both = expected("political event", 3)
    assert months[3]["start"] == "2023-04-01" and on_page() == both and both != with_filter
    assert any(v[0] == 0 for v in both.values())  # a unit with nothing left is drawn empty
    page.page.locator("#bm-clear").click()
    page.page.locator(".bm-from input").fill("0")
    assert on_page() == expected(None, 0)
    assert page.errors == []


def test_an_aggregate_of_a_map_without_events_is_refused_not_left_out(tmp_path, cli):
    path = tmp_path / "no-events.toml"
    path.write_text('title = "No events"\ninclude = ["provinces"]\n', encoding="utf-8")
    result = cli("build", path, "--aggregate", "province", "--out", tmp_path / "out")
    assert result.returncode == 2 and not (tmp_path / "out").exists()
    assert result.stderr.strip() == ('bordermap: error: aggregate by province: the map draws no events '
                                     '(add --events FILE, or "events" to the recipe\'s include)')
