"""Stories: the recipe tables, their references checked by `validate`, movement arrows, the page data
and the booklet. Expected values come from the curated records and boundaries, never from the output."""

import re
from pathlib import Path

import pytest
import shapely

from bordermap import events, movement, pagedata, recipe, sources, story

GOOD = """title = "Story test"
include = ["provinces", "borders", "events", "areas"]

[[story]]
id = "two-steps"
title = "Two steps"

[[story.step]]
title = "Quetta"
text = "The brief places the Serena Hotel attack in Quetta."
records = ["serena-hotel-bombing-2021"]

[[story.step]]
title = "Recruits cross"
text = "Notezai, through the brief, says recruits cross to Iran through Balochistan."
arrows = ["zainabiyoun-crossings-balochistan"]
max_zoom = 6
"""


def _write(tmp_path: Path, text: str, name: str = "story.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_recipe_reads_its_stories_in_order(tmp_path):
    r = recipe.load(_write(tmp_path, GOOD))
    (s,) = r.stories
    assert s.id == "two-steps" and [st.title for st in s.steps] == ["Quetta", "Recruits cross"]
    assert s.steps[0].records == ("serena-hotel-bombing-2021",) and s.steps[0].max_zoom == story.DEFAULT_MAX_ZOOM
    assert s.steps[1].arrows == ("zainabiyoun-crossings-balochistan",) and s.steps[1].max_zoom == 6


def test_a_wrong_form_is_reported_with_its_key_and_line(tmp_path):
    text = GOOD.replace('max_zoom = 6', 'max_zom = 6\nwindow = ["2021-05", "2021-01"]') \
        .replace('title = "Quetta"\n', "") + "\n[[story]]\nid = \"Bad Id\"\ntitle = \"x\"\n"
    with pytest.raises(recipe.RecipeError) as caught:
        recipe.load(_write(tmp_path, text))
    lines = text.splitlines()
    found = {p.key: p for p in caught.value.problems}
    assert set(found) == {"story[1].step[1].title", "story[1].step[2].max_zom", "story[1].step[2].window",
                          "story[2].id", "story[2].step"}
    assert "did you mean 'max_zoom'" in found["story[1].step[2].max_zom"].problem
    assert lines[found["story[1].step[2].max_zom"].line - 1].startswith("max_zom")
    assert lines[found["story[1].step[2].window"].line - 1].startswith("window")
    assert lines[found["story[2].id"].line - 1] == 'id = "Bad Id"'


def test_validate_reports_every_wrong_reference_one_line_each(tmp_path, cli):
    text = GOOD.replace('records = ["serena-hotel-bombing-2021"]',
                        'records = ["serena-hotel-bombing-2012", "quetta"]\nunits = ["PK-XX"]\n'
                        'layers = ["Group aeras"]\nwindow = ["2031-01", "2031-12"]') \
        .replace('arrows = ["zainabiyoun-crossings-balochistan"]', 'arrows = ["quetta"]')
    path = _write(tmp_path, text)
    result = cli("validate", path)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("bordermap: error:")]
    assert len(errors) == 5, result.stderr
    lines = text.splitlines()
    want = {"records": "'serena-hotel-bombing-2012' is not a record on this map (did you mean "
                       "'serena-hotel-bombing-2021'?)",
            "units": "unknown unit code 'PK-XX'", "layers": "no layer named 'Group aeras'",
            "window": "2031-01 to 2031-12 is outside the data"}
    for key, words in want.items():  # each on the line the key is set on
        line = next(n for n, text in enumerate(lines, 1) if text.startswith(f"{key} ="))
        assert any(f"story[1].step[1].{key} (line {line})" in e and words in e for e in errors), (key, errors)
    assert any("story[1].step[2].arrows" in e and "'quetta' is not a movement record" in e for e in errors)
    assert "Traceback" not in result.stderr


def test_validate_says_a_good_story_is_fine(tmp_path, cli):
    result = cli("validate", _write(tmp_path, GOOD))
    assert result.returncode == 0, result.stderr
    assert "1 story(ies), 2 steps, every reference found" in result.stdout


def test_the_shipped_recipes_hold_one_story_per_article():
    shipped = recipe.find("border-region").stories
    records = {r.id: r for r in events.load_events()}
    vias = []
    for s in shipped:
        cited = {src.via or src.work for st in s.steps for rid in st.records + st.arrows
                 for src in records[rid].sources}
        vias.append(cited)
        for st in s.steps:
            assert len(st.text.split()) <= story.MAX_WORDS and (st.records or st.arrows)
    assert len(shipped) == 2
    assert all(any("Case of Balochistan" in v for v in cited) for cited in vias[:1])
    assert all(any("Implications on Regional Stability" in v for v in cited) for cited in vias[1:])


# --- movement records ---------------------------------------------------------------------------

def test_movement_fields_are_checked_like_any_field(tmp_path):
    good = tmp_path / "ok.geojson"
    base = ('{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{'
            '"id":"m1","title":"t","category":"%s","date_precision":"undated","location_precision":"country",'
            '"units":["PK-BA"],"location_basis":"b","summary":"s","sources":[{"author":"a","work":"w"}]%s}}]}')
    good.write_text(base % ("cross-border movement", ',"move_from":["AFG"],"move_to":["PK-BA"]'))
    (r,) = events.load_events(good)
    assert r.move_from == ("AFG",) and r.move_to == ("PK-BA",)
    cases = {',"move_from":["AFG"]': "move_to: missing",
             ',"move_from":["XX-1"],"move_to":["PAK"]': "move_from: unknown unit code 'XX-1'",
             ',"move_from":["PAK"],"move_to":["PAK"]': "move_to: a movement cannot end in a unit it starts from"}
    for extra, words in cases.items():
        good.write_text(base % ("cross-border movement", extra))
        with pytest.raises(events.LayerError) as caught:
            events.load_events(good)
        assert any(words in p for p in caught.value.problems), (extra, caught.value.problems)
    good.write_text(base % ("group area", ',"move_from":["AFG"],"move_to":["PAK"]'))
    with pytest.raises(events.LayerError, match="only a 'cross-border movement' record can draw a movement"):
        events.load_events(good)


def test_every_arrow_runs_from_the_region_it_names_to_the_region_it_names(default_html):
    admin1 = sources.load_boundaries().admin1
    districts = events.load_districts()
    moving = {r.id: r for r in events.load_events() if r.move_from}
    assert len(moving) >= 5

    def region(codes):
        parts = []
        for code in codes:
            rows = admin1[(admin1["code"] == code) | (admin1["adm0_a3"] == code)]
            parts += list(rows.geometry) if len(rows) else [shapely.Point(districts[code].hq_lon,
                                                                          districts[code].hq_lat).buffer(0.6)]
        return shapely.union_all(parts)

    page = pagedata.decode(default_html)
    layer = page.layers[movement.MOVEMENT_LAYER]
    assert not layer.show and {f.item for f in layer.features} == set(moving)
    for f in layer.features:
        r = moving[f.item]
        shaft = max(shapely.get_parts(f.geometry), key=lambda g: len(g.coords))
        start, end = shapely.Point(shaft.coords[0]), shapely.Point(shaft.coords[-1])
        assert region(r.move_from).contains(start) and region(r.move_to).contains(end), r.id
        assert f.popup is None or r.title in pagedata.popup_text(f.popup)


# --- the page data ------------------------------------------------------------------------------

def test_the_page_carries_each_step_with_its_records_view_and_passages(default_html):
    doc = pagedata.read(default_html)
    records = {r.id: r for r in events.load_events()}
    page = pagedata.decode(default_html)
    drawn = {layer.name: layer for layer in page.layers.values()}
    for spec, out in zip(recipe.find("border-region").stories, doc["stories"]):
        assert out["id"] == spec.id and len(out["steps"]) == len(spec.steps)
        for want, step in zip(spec.steps, out["steps"]):
            ids = list(dict.fromkeys(want.records + want.arrows))
            assert step["title"] == want.title and step["ids"] == ids
            assert [c[0] for c in step["cites"]] == ids
            for cite in step["cites"]:
                r = records[cite[0]]
                assert cite[2] == [s.text() for s in r.sources] and cite[3] == r.quote
            (s, w), (n, e) = step["fit"]
            frame = shapely.box(w, s, e, n).buffer(1e-6)
            for rid in ids:  # everything the record draws is inside the step's frame, on a layer switched on
                shown = [layer for layer in drawn.values()
                         if any(f.item == rid for f in layer.features) or any(m.item == rid for m in layer.markers)]
                assert shown and all(layer.name in step["layers"] for layer in shown), rid
                for layer in shown:
                    for f in layer.features:
                        if f.item == rid:
                            assert frame.contains(f.geometry), (want.title, rid)
                    for m in layer.markers:
                        if m.item == rid:
                            assert frame.contains(shapely.Point(m.lon, m.lat)), (want.title, rid)


def test_rebuilding_gives_the_same_page(default_map, tmp_path):
    from bordermap import build

    (again,) = build("border-region", tmp_path, self_contained=True)
    assert again.read_bytes() == default_map.read_bytes()


# --- the booklet --------------------------------------------------------------------------------

def _pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(path).pages]


@pytest.mark.slow
def test_the_booklet_has_a_page_per_step_with_its_title_and_every_source(tmp_path, cli):
    shipped = recipe.find("border-region").stories[0]
    records = {r.id: r for r in events.load_events()}
    result = cli("export", "border-region", "--story", shipped.id, "--out", tmp_path, "--dpi", "100",
                 "--size", "1385x675")
    assert result.returncode == 0, result.stderr
    pngs = sorted(tmp_path.glob(f"border-region-{shipped.id}-*.png"))
    assert len(pngs) == len(shipped.steps)
    pages = _pdf_pages(tmp_path / f"border-region-{shipped.id}.pdf")
    assert len(pages) == len(shipped.steps)
    for text, step in zip(pages, shipped.steps):
        assert re.sub(r"\s+", "", step.title) in text
        for rid in step.records + step.arrows:
            for src in records[rid].sources:
                assert re.sub(r"\s+", "", src.text()) in text, (step.title, src.text())
            assert re.sub(r"\s+", "", records[rid].quote) in text
        assert "NaturalEarth" in text  # the data credits


@pytest.mark.slow
def test_the_booklet_is_the_same_bytes_every_time(tmp_path, cli):
    path = _write(tmp_path, GOOD)
    runs = []
    for n in (1, 2):
        out = tmp_path / f"run{n}"
        assert cli("export", path, "--story", "two-steps", "--out", out, "--dpi", "80",
                   "--size", "1108x540").returncode == 0
        runs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert runs[0] == runs[1] and len(runs[0]) == 3  # two step pages and the PDF
    assert len(_pdf_pages(tmp_path / "run1" / "story-two-steps.pdf")) == 2


def test_an_unknown_story_is_one_line(tmp_path, cli):
    result = cli("export", _write(tmp_path, GOOD), "--story", "two-step", "--out", tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().endswith("story: no story 'two-step' in this recipe (did you mean 'two-steps'?)")
