"""The error tree: every error a user can cause is a BordermapError with path, key and line."""

from pathlib import Path

import pytest

from bordermap import errors, geoboundaries
from bordermap.errors import (BordermapError, FetchError, LayerError, OutputError, RecipeError,
                              SourceError)


@pytest.mark.parametrize("error, path, key, line, text", [
    (BordermapError("--level must be ADM2"), None, None, None, "--level must be ADM2"),
    (SourceError("a/b.geojson", "file not found"), Path("a/b.geojson"), None, None, "a/b.geojson: file not found"),
    (LayerError("a.shp", ["no features"]), Path("a.shp"), None, None, "a.shp: no features"),
    (FetchError("https://example.org/x", "HTTP 404"), None, None, None, "https://example.org/x: HTTP 404"),
    (RecipeError("r.toml", "zoom needs a center", key="zoom", line=2), Path("r.toml"), "zoom", 2,
     "r.toml: zoom (line 2): zoom needs a center"),
    (RecipeError("r.toml", "missing", key="title"), Path("r.toml"), "title", None, "r.toml: title: missing"),
    (RecipeError("r.toml", "not valid TOML: x", line=4), Path("r.toml"), None, 4, "r.toml: line 4: not valid TOML: x"),
    (RecipeError(None, "no recipe named 'x'"), None, None, None, "no recipe named 'x'"),
    (OutputError("out/m.html", "No space left"), Path("out/m.html"), None, None, "cannot write out/m.html: No space left"),
])
def test_every_error_has_path_key_line_and_one_line(error, path, key, line, text):
    assert isinstance(error, BordermapError)
    assert (error.path, error.key, error.line) == (path, key, line)
    assert str(error) == text and error.lines() == [text]


def test_fetch_error_is_a_source_error_that_keeps_its_url():
    error = FetchError("https://www.geoboundaries.org/api/current/gbOpen/PAK/ADM2/", "not JSON")
    assert isinstance(error, SourceError) and isinstance(error, BordermapError)
    assert geoboundaries.FetchError is FetchError
    assert error.url.startswith("https://") and str(error).startswith("https://www.geoboundaries.org/")
    assert error.problem == "not JSON"


def test_a_layer_error_prints_one_line_per_problem_and_str_stays_one_line():
    problems = [f"problem {n}" for n in range(errors.SHOWN + 2)]
    error = LayerError("x.gpkg", problems)
    assert error.problems == problems
    assert error.lines() == [f"x.gpkg: {p}" for p in problems]
    assert "\n" not in str(error) and str(error).endswith("; and 2 more")


def test_collected_recipe_problems_keep_their_own_key_and_line():
    found = [RecipeError("r.toml", "bad", key="title", line=1), RecipeError("r.toml", "worse", key="layers[1].color", line=5)]
    error = RecipeError.collect(found)
    assert error.problems == found and (error.key, error.line) == ("title", 1)
    assert error.lines() == ["r.toml: title (line 1): bad", "r.toml: layers[1].color (line 5): worse"]
    assert str(error) == "r.toml: title (line 1): bad; layers[1].color (line 5): worse"
    assert RecipeError.collect(found[:1]) is found[0]
