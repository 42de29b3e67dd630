"""Recipes: the shipped ones, a full analyst recipe, and every kind of mistake."""

import tomllib
from pathlib import Path

import pytest

from bordermap import recipe, settings
from bordermap.errors import RecipeError

from .conftest import DATA

RECIPES = DATA / "recipes"


def test_three_recipes_ship_and_parse():
    found = recipe.builtin_recipes()
    assert set(found) >= {"border-region", "baloch-insurgency", "pak-afghan-border"}
    for path in found.values():
        r = recipe.load(path)
        assert r.title and set(r.include) <= set(recipe.BUILTIN_LAYERS)
    assert recipe.find(None).name == settings.DEFAULT_RECIPE
    baloch = recipe.find("baloch-insurgency")
    assert {"PK-BA", "IR-13"} <= set(baloch.focus) and "areas" in baloch.include
    border = recipe.find("pak-afghan-border")
    assert {"PK-KP", "AF-KNR", "AF-NUR"} <= set(border.focus)


def test_analyst_recipe_paths_are_relative_to_it():
    r = recipe.load(RECIPES / "analyst.toml")
    assert r.name == "analyst-test" and r.basemap is False and r.bounds == (60.0, 24.0, 72.0, 35.0)
    sites, zones = r.layers
    assert sites.path == RECIPES / "../layers/sites.geojson" and sites.path.exists()
    assert (sites.color_by, sites.palette, sites.tooltip, sites.popup, sites.label, sites.radius) == (
        "type", ("#d95f02", "#7570b3", "#1b9e77"), ("name", "type"), ("name", "notes"), "name", 8)
    assert (zones.read.layer, zones.fill_color, zones.fill_opacity, zones.show) == ("zones", "#66a61e", 0.5, False)
    assert r.events == (RECIPES / "../events_good.csv",)


@pytest.mark.parametrize("name, message", [
    ("bad_key.toml", "layers[1].colour (line 5): unknown key (did you mean 'color'?)"),
    ("bad_type.toml", "basemap (line 2): expected true or false, got a string 'yes'"),
    ("missing_file.toml", "layers[1].path (line 5): file not found: "),
    ("escape.toml", "output (line 2): expected a file name without folders"),
    ("not_toml.toml", "not valid TOML: Illegal character"),
])
def test_recipe_mistakes_name_file_key_and_line(name, message):
    with pytest.raises(RecipeError) as info:
        recipe.load(RECIPES / name)
    assert str(info.value).startswith(f"{RECIPES / name}: ") and message in str(info.value)


@pytest.mark.parametrize("text, message", [
    ('description = "no title"', "title: missing (every recipe needs a title)"),
    ('title = "t"\nbounds = [70, 20, 60, 30]', "bounds (line 2): must be [west, south, east, north]"),
    ('title = "t"\nbounds = [60, 20, 70, 30]\ncenter = [30, 66]', "center (line 3): give bounds or center"),
    ('title = "t"\nzoom = 6', "zoom (line 2): zoom needs a center"),
    ('title = "t"\ninclude = ["provinces", "rivers"]', "include (line 2): expected a list of built-in layers"),
    ('title = "t"\n[[layers]]\nname = "x"', "layers[1].path: missing"),
    ('title = "t"\n[[layers]]\npath = "x.geojson"\nfill_opacity = 2', "layers[1].fill_opacity (line 4): expected a number from 0 to 1"),
    ('title = "t"\n[[layers]]\npath = "a.geojson"\n[[layers]]\npath = "b.geojson"\ncolor = "url(x)"',
     "layers[2].color (line 6): expected a colour"),
    ('title = "t"\n[view]\nzoom = 3', "view (line 2): unknown key"),
    ('title = "t"\nlabel_events = "yes"', "label_events (line 2): expected true, a list of event ids, or a table"),
    ('title = "t"\nlabel_events = ["a", 3]', "label_events (line 2): expected true, a list of event ids"),
    ('title = "t"\n[label_events]\nserena = 1', "label_events (line 2): expected true, a list of event ids"),
])
def test_inline_recipe_mistakes(tmp_path, text, message):
    (tmp_path / "a.geojson").write_text("{}")
    path = tmp_path / "r.toml"
    path.write_text(text + "\n")
    with pytest.raises(RecipeError) as info:
        recipe.load(path)
    assert message in str(info.value)


@pytest.mark.parametrize("text, expected", [
    ("", False),
    ("label_events = true", True),
    ('label_events = ["b-event", "a-event"]', (("b-event", ""), ("a-event", ""))),
    ('[label_events]\nb-event = "Bombing, Apr 2021"\na-event = ""', (("b-event", "Bombing, Apr 2021"), ("a-event", ""))),
])
def test_label_events_forms(tmp_path, text, expected):
    path = tmp_path / "r.toml"
    path.write_text(f'title = "t"\n{text}\n')
    assert recipe.load(path).label_events == expected


def test_unknown_recipe_name():
    with pytest.raises(RecipeError, match="no recipe file or built-in recipe named 'atlantis'"):
        recipe.find("atlantis")


def _line_of(text: str, start: str, after: int = 0) -> int:
    """The number of the first line of ``text`` beginning with ``start`` (below line ``after``)."""
    lines = text.splitlines()
    return next(n for n, line in enumerate(lines, 1) if n > after and line.startswith(start))


THREE_PROBLEMS = '''title = "Three problems"
basemap = "yes"

[[layers]]
path = "a.geojson"

[[layers]]
path = "a.geojson"
colour = "red"
fill_opacity = 2
'''


def test_every_problem_is_reported_with_its_key_and_line(tmp_path):
    (tmp_path / "a.geojson").write_text("{}")
    path = tmp_path / "r.toml"
    path.write_text(THREE_PROBLEMS)
    with pytest.raises(RecipeError) as info:
        recipe.load(path)
    second = _line_of(THREE_PROBLEMS, "[[layers]]", after=_line_of(THREE_PROBLEMS, "[[layers]]"))
    expected = [("basemap", _line_of(THREE_PROBLEMS, "basemap")),
                ("layers[2].colour", _line_of(THREE_PROBLEMS, "colour", after=second)),
                ("layers[2].fill_opacity", _line_of(THREE_PROBLEMS, "fill_opacity", after=second))]
    assert [(p.key, p.line) for p in info.value.problems] == expected
    assert all(p.path == path for p in info.value.problems)
    assert (info.value.key, info.value.line) == expected[0]
    lines = info.value.lines()
    assert lines == [f"{path}: {key} (line {line}): {problem.problem}"
                     for (key, line), problem in zip(expected, info.value.problems)]
    assert "did you mean 'color'?" in lines[1] and "a number from 0 to 1" in lines[2]
    assert "\n" not in str(info.value)


def test_a_wrong_value_is_not_checked_again():
    text = 'title = "t"\nbounds = "everywhere"\nevents = 3\n'
    with pytest.raises(RecipeError) as info:
        recipe.parse(tomllib.loads(text), Path("r.toml"), text)
    assert [(p.key, p.line) for p in info.value.problems] == [("bounds", 2), ("events", 3)]


def test_a_toml_syntax_error_has_its_line(tmp_path):
    text = 'title = "t"\nzoom = \n'
    path = tmp_path / "r.toml"
    path.write_text(text)
    with pytest.raises(RecipeError) as info:
        recipe.load(path)
    assert (info.value.key, info.value.line) == (None, _line_of(text, "zoom"))
    assert str(info.value).startswith(f"{path}: line 2: not valid TOML: ")


def test_an_unknown_encoding_is_a_recipe_problem(tmp_path):
    (tmp_path / "a.geojson").write_text("{}")
    text = 'title = "t"\n[[layers]]\npath = "a.geojson"\nencoding = "latin-9000"\n'
    path = tmp_path / "r.toml"
    path.write_text(text)
    with pytest.raises(RecipeError) as info:
        recipe.load(path)
    assert (info.value.key, info.value.line) == ("layers[1].encoding", _line_of(text, "encoding"))
