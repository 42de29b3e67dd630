"""The `bordermap` command line: run in-process for what each command does, and through the real
entry points (the console script, `python -m bordermap`) for a build, an error and the version."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from bordermap import __version__, databuild, pagedata, recipe, settings

from .conftest import DATA, geojson_layers, layer_control, page_text


def _one_line_error(proc):
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("bordermap: error: ")
    return lines[0]


@pytest.mark.slow
def test_build_with_no_arguments_writes_the_default_map(run, tmp_path):
    proc = run("build", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "outputs" / "border-region.html"
    assert proc.stdout.strip() == "wrote outputs/border-region.html"
    html = out.read_text(encoding="utf-8")
    overlays = layer_control(html)
    assert set(overlays) >= {"Neighbouring countries", "Provinces (first-level units)",
                             "International borders", "Former F.A.T.A. (merged into Khyber Pakhtunkhwa, 2018)"}
    provinces = geojson_layers(html)[overlays["Provinces (first-level units)"]]
    tips = " ".join(f["properties"]["_tip"] for f in provinces["features"])
    for name in ("Balochistan", "Sistan and Baluchestan", "Khyber Pakhtunkhwa", "Kandahar", "Kunar",
                 "Nuristan", "Nimruz", "Province of Afghanistan", "Province of Iran"):
        assert name in tips, name
    units = gpd.read_file(settings.geodata_dir() / databuild.ADMIN1_FILE)
    assert len(provinces["features"]) == len(units)
    assert all(name in tips for name in units["name"])
    assert "L.control.scale" in html
    assert "Natural Earth 1:10m admin-1 (public domain)" in page_text(html)


def test_out_chooses_the_folder_and_builds_are_byte_identical(cli, tmp_path, default_map):
    proc = cli("build", "--out", tmp_path / "a")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"wrote {tmp_path / 'a' / 'border-region.html'}\n"
    # the same bytes as the library's build of the same recipe, made earlier in another folder
    assert (tmp_path / "a" / "border-region.html").read_bytes() == default_map.read_bytes()


@pytest.mark.slow
def test_the_console_script_and_python_m_report_the_version(exe):
    on_path = {**os.environ, "PATH": f"{Path(exe).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for argv, env in ((["bordermap", "--version"], on_path), ([sys.executable, "-m", "bordermap", "--version"], None)):
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"bordermap {__version__}\n", ""), argv


def test_version_in_process(cli):
    assert cli("--version").stdout == f"bordermap {__version__}\n"


def test_an_in_process_command_that_exits_with_the_bug_status_fails_the_test(cli, monkeypatch):
    import bordermap.cli
    bug = getattr(bordermap.cli, "EXIT_BUG", 70)

    def crashes(argv):
        print("bordermap: internal error: boom", file=sys.stderr)
        return bug
    monkeypatch.setattr(bordermap.cli, "main", crashes)
    with pytest.raises(pytest.fail.Exception) as failed:
        cli("list")
    assert f"exited with the bug status {bug}:\nbordermap: internal error: boom" in str(failed.value)


@pytest.mark.slow
def test_unknown_option_is_one_line_exit_2(run):
    line = _one_line_error(run("build", "--colour", "red"))
    assert "unrecognized arguments: --colour" in line


def test_unwritable_output_folder(cli, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    line = _one_line_error(cli("build", "--out", str(blocker)))
    assert "cannot write" in line and str(blocker) in line


@pytest.fixture
def geodata_copy(tmp_path):
    copy = tmp_path / "geodata"
    shutil.copytree(settings.geodata_dir(), copy)
    return copy


@pytest.mark.parametrize("damage, expected", [
    (lambda d: (d / "admin1.geojson").write_bytes((d / "admin1.geojson").read_bytes()[:5000]), "does not match"),
    (lambda d: (d / "borders.geojson").unlink(), "file is missing"),
    (lambda d: (d / "MANIFEST.json").write_text("{not json"), "manifest is not readable JSON"),
])
def test_broken_geodata_fails_cleanly_and_keeps_the_previous_map(cli, previous_map, geodata_copy, damage, expected):
    out = previous_map
    before = (out / "border-region.html").read_bytes()
    damage(geodata_copy)
    line = _one_line_error(cli("build", "--out", str(out), env={settings.GEODATA_ENV: str(geodata_copy)}))
    assert expected in line and str(geodata_copy) in line
    assert (out / "border-region.html").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["border-region.html"]  # no temp files left


def test_data_status_lists_sources_and_licences(cli):
    proc = cli("data", "status")
    assert proc.returncode == 0, proc.stderr
    assert "admin1.geojson" in proc.stdout and "Public domain" in proc.stdout


def test_data_build_on_a_fixture(cli, tmp_path):
    from bordermap._io import sha256_file
    src = DATA / "ne_admin1_tiny.geojson"
    proc = cli("data", "build", "--only", "boundaries", "--source", str(src), "--out", str(tmp_path / "g"),
               "--sha256", sha256_file(src))
    assert proc.returncode == 0, proc.stderr
    files = json.loads((tmp_path / "g" / "MANIFEST.json").read_text())["files"]
    assert set(files) == {"admin1.geojson", "countries.geojson", "borders.geojson", "former_units.geojson"}


def test_data_build_with_a_wrong_checksum(cli, tmp_path):
    line = _one_line_error(cli("data", "build", "--source", str(DATA / "ne_admin1_tiny.geojson"),
                               "--out", str(tmp_path / "g")))
    assert "does not match the pinned" in line
    assert not (tmp_path / "g").exists()


@pytest.mark.parametrize("args", [[], ["build"], ["data"], ["data", "build"], ["data", "status"]])
def test_every_command_has_help(cli, args):
    proc = cli(*args, "--help")
    assert proc.returncode == 0
    assert "usage: bordermap" in proc.stdout and len(proc.stdout.splitlines()) >= 3


def test_analyst_events_join_the_map(cli, tmp_path):
    from .conftest import marker_sets
    proc = cli("build", "--out", str(tmp_path), "--events", str(DATA / "events_good.csv"),
               "--events", str(DATA / "events_good.geojson"))
    assert proc.returncode == 0, proc.stderr
    markers = marker_sets((tmp_path / "border-region.html").read_text())["Events and places"]
    ids = {m["id"] for m in markers}
    assert {"chaman-test", "quetta-test", "serena-hotel-bombing-2021"} <= ids


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace("2022,year", "2022-13,month"), "record 'chaman-test': date: '2022-13' is not a real date"),
    (lambda t: t.replace("chaman-test", "quetta"), "record 'quetta': id: already used by another events layer"),
    (lambda t: t.replace("border clash", "skirmish"), "record 'chaman-test': category: 'skirmish' is not one of"),
])
def test_bad_analyst_events_fail_cleanly(cli, tmp_path, previous_map, edit, expected):
    out = previous_map
    before = (out / "border-region.html").read_bytes()
    bad = tmp_path / "mine.csv"
    bad.write_text(edit((DATA / "events_good.csv").read_text()))
    line = _one_line_error(cli("build", "--out", str(out), "--events", str(bad)))
    assert line.startswith(f"bordermap: error: {bad}: ") and expected in line
    assert (out / "border-region.html").read_bytes() == before


# --- analysts' layers and recipes --------------------------------------------------------

def _features_by_layer(html):
    data = geojson_layers(html)
    return {name: data[var] for name, var in layer_control(html).items() if var in data}


def test_a_layer_added_on_the_command_line_appears_with_its_style(cli, tmp_path):
    from bordermap.layers import PALETTE
    gpkg = DATA / "layers" / "sites.gpkg"
    proc = cli("build", "--out", str(tmp_path), "--layer", str(DATA / "layers" / "sites.csv"),
               "--layer", f"{gpkg}:zones")
    assert proc.returncode == 0, proc.stderr
    layers = _features_by_layer((tmp_path / "border-region.html").read_text())
    sites, zones = layers["sites"]["features"], layers["zones"]["features"]
    assert len(sites) == len(gpd.read_file(DATA / "layers" / "sites.csv"))
    assert len(zones) == len(gpd.read_file(gpkg, layer="zones"))
    assert {f["properties"]["_style"]["color"] for f in sites} == {PALETTE[0]}
    assert {f["properties"]["_style"]["color"] for f in zones} == {PALETTE[1]}
    tips = " ".join(f["properties"]["_tip"] for f in sites)
    assert "Quetta" in tips and "<img src=x onerror=alert(1)>" in tips  # exact text, as data (the page uses textContent)


def test_recipe_with_layers_builds_with_categorical_colours(cli, tmp_path):
    from .conftest import marker_sets
    path = DATA / "recipes" / "analyst.toml"
    proc = cli("build", str(path), "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wrote {tmp_path / 'analyst-test.html'}"
    html = (tmp_path / "analyst-test.html").read_text()
    layers, overlays = _features_by_layer(html), layer_control(html)
    sites_spec, zones_spec = recipe.load(path).layers
    # the hidden layer is in the layer control with its features, but not added to the map until ticked
    assert not zones_spec.show and sites_spec.show
    zones = layers[zones_spec.name]["features"]
    assert len(zones) == len(gpd.read_file(zones_spec.path, layer=zones_spec.read.layer))
    assert {f["properties"]["_style"]["fillColor"] for f in zones} == {zones_spec.fill_color}
    drawn = pagedata.decode(html).layers
    assert zones_spec.name in overlays and not drawn[zones_spec.name].show and drawn[sites_spec.name].show
    # each site in its category's colour: the recipe's palette over the sorted categories
    sites = gpd.read_file(sites_spec.path)
    categories = sorted(set(sites[sites_spec.color_by]))
    expected = {name: sites_spec.palette[categories.index(kind)]
                for name, kind in zip(sites[sites_spec.label], sites[sites_spec.color_by])}
    colours = {f["properties"]["_pop"].split("\n")[0]:
               f["properties"]["_style"]["fillColor"] for f in layers[sites_spec.name]["features"]}
    assert colours == expected and len(set(expected.values())) == len(categories) > 1
    assert "chaman-test" in {m["id"] for m in marker_sets(html)["Events and places"]}  # the recipe's events
    # curated areas left out, the recipe's drawn: Panjgur as its embedded district shape, so no ring
    assert "Group areas: districts (shown at headquarters towns)" not in marker_sets(html)
    assert {f["properties"]["_item"] for f in layers["Group areas"]["features"]} == {"panjgur-test"}
    assert "<title>Analyst test map &lt;b&gt;bold?&lt;/b&gt; &#123;&#123; 7*191 &#125;&#125;</title>" in html
    assert "1337" not in page_text(html)


@pytest.mark.parametrize("args, expected", [
    (["--layer", "bad/truncated.geojson"], "truncated or malformed JSON"),
    (["--layer", "formats/lat_first_east.geojson"], "coordinates look swapped"),
    (["--layer", "bad/nodbf/sites.shp"], "missing its .dbf sidecar"),
    (["--layer", "layers/sites.gpkg"], "GeoPackage file has 2 tables with features"),
    (["recipes/missing_file.toml"], "layers[1].path (line 5): file not found"),
    (["recipes/bad_key.toml"], "layers[1].colour (line 5): unknown key (did you mean 'color'?)"),
    (["recipes/escape.toml"], "output (line 2): expected a file name without folders"),
    (["recipes/bad_layer.toml"], "truncated or malformed JSON"),
    (["no-such-recipe"], "no recipe file or built-in recipe named 'no-such-recipe'"),
])
def test_bad_inputs_leave_the_previous_map_alone(cli, tmp_path, previous_map, args, expected):
    out = previous_map
    before = (out / "border-region.html").read_bytes()
    line = _one_line_error(cli("build", *args, "--out", str(out), cwd=DATA))
    assert expected in line
    assert (out / "border-region.html").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["border-region.html"]
    assert not (tmp_path / "escaped.html").exists()


def test_repairs_are_reported_as_notes(cli, tmp_path):
    proc = cli("build", "--out", str(tmp_path), "--layer", str(DATA / "layers" / "messy.geojson"))
    assert proc.returncode == 0, proc.stderr
    notes = [line for line in proc.stderr.splitlines() if line.startswith("bordermap: note: ")]
    assert any("repaired 1 invalid geometry (Self-intersection)" in n for n in notes)
    assert any("dropped Z coordinates" in n for n in notes)
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_build_all_builds_every_recipe(cli, tmp_path):
    proc = cli("build", "--all", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "baloch-insurgency.html", "border-region.html", "pak-afghan-border.html"]
    _one_line_error(cli("build", "--all", "border-region"))


@pytest.mark.slow
def test_build_all_with_export_writes_a_page_and_a_figure_per_recipe(run, tmp_path):
    from bordermap import recipe
    proc = run("build", "--all", "--export", "png", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    names = [recipe.load(path).name for path in recipe.builtin_recipes().values()]
    expected = sorted(f"{name}{suffix}" for name in names for suffix in (".html", ".png"))
    assert sorted(p.name for p in tmp_path.iterdir()) == expected
    assert sorted(proc.stdout.splitlines()) == sorted(f"wrote {tmp_path / name}" for name in expected)
    for name in names:
        assert (tmp_path / f"{name}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    _one_line_error(run("build", "--all", "--export", "png", "border-region"))


def test_list_shows_recipes_layers_and_formats(cli):
    proc = cli("list")
    assert proc.returncode == 0
    for text in ("border-region", "baloch-insurgency", "pak-afghan-border", "(default)", "group areas",
                 ".gpkg", ".fgb"):
        assert text in proc.stdout


@pytest.mark.parametrize("args, code, expected", [
    (["layers/sites.geojson"], 0, "ok: layers/sites.geojson: 4 features (Point)"),
    (["layers/zones_utm42n.gpkg"], 0, "reprojected from EPSG:32642"),
    (["bad/noprj/zones.shp", "--crs", "EPSG:32642"], 0, "2 features (Polygon)"),
    (["events_good.csv"], 0, "2 events records in the events schema"),
    (["recipes/analyst.toml"], 0, "ok: recipes/analyst.toml: recipe 'analyst-test', 2 extra layer(s)"),
    (["bad/latin1.geojson"], 2, "text is not UTF-8"),
    (["bad/no_features.geojson"], 2, "no features"),
    (["bad/noprj/sites.shp"], 2, "unknown CRS"),
])
def test_validate_reports_without_writing(cli, args, code, expected):
    proc = cli("validate", *args, cwd=DATA)
    assert proc.returncode == code, proc
    assert expected in (proc.stdout if code == 0 else proc.stderr)
    if code:
        _one_line_error(proc)


# --- every problem at once, and bugs told apart from mistakes ---------------------------------

def test_a_recipe_with_three_problems_gives_three_lines(run, tmp_path):
    from .conftest import DATA
    text = (f'title = "Three"\nbasemap = "yes"\n\n[[layers]]\npath = "{DATA / "layers" / "sites.geojson"}"\n'
            'colour = "red"\nradius = 0\n')
    path = tmp_path / "three.toml"
    path.write_text(text)
    proc = run("build", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    line = {key: n for n, text_line in enumerate(text.splitlines(), 1) for key in ("basemap", "colour", "radius")
            if text_line.startswith(key)}
    assert proc.stderr.splitlines() == [
        f"bordermap: error: {path}: basemap (line {line['basemap']}): expected true or false, got a string 'yes'",
        f"bordermap: error: {path}: layers[1].colour (line {line['colour']}): unknown key (did you mean 'color'?)",
        f"bordermap: error: {path}: layers[1].radius (line {line['radius']}): expected a number of pixels, "
        "more than 0 and at most 200, got a number 0",
    ]
    assert not (tmp_path / "out").exists()


def test_validate_reports_every_problem_of_a_recipe_layer(run, tmp_path):
    from .conftest import DATA
    shp = DATA / "bad" / "noprj" / "zones.shp"
    path = tmp_path / "r.toml"
    path.write_text(f'title = "t"\n[[layers]]\npath = "{shp}"\nlabel = "title"\ntooltip = ["height"]\n')
    proc = run("validate", str(path))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert all(line.startswith(f"bordermap: error: {shp}: ") for line in lines)
    assert [line.removeprefix(f"bordermap: error: {shp}: ").split(":")[0] for line in lines] == [
        "unknown CRS", "label", "tooltip"]


def test_validate_checks_every_file_of_a_recipe_even_after_a_bad_one(cli, tmp_path):
    bad, good, latin1 = (DATA / "bad" / "no_features.geojson", DATA / "layers" / "sites.geojson",
                         DATA / "bad" / "latin1.geojson")
    broken_events = tmp_path / "events.geojson"
    broken_events.write_text("{ not json")
    path = tmp_path / "r.toml"
    path.write_text(f'title = "t"\nevents = ["{broken_events}"]\n[[layers]]\npath = "{bad}"\n'
                    f'[[layers]]\npath = "{good}"\n[[layers]]\npath = "{latin1}"\n')
    proc = cli("validate", str(path))
    assert proc.returncode == 2
    assert f"ok: {good}: " in proc.stdout  # the good layer after the bad one was still checked
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("bordermap: error: ") for line in errors)
    assert [str(p) in line for p, line in zip((bad, latin1, broken_events), errors)] == [True, True, True]


def test_an_internal_error_is_one_line_asking_for_a_report(monkeypatch, capsys):
    from bordermap import __version__, cli, layerio
    from .conftest import DATA

    def broken(*args, **kwargs):
        return 1 / 0

    monkeypatch.setattr(layerio, "read", broken)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.main(["validate", str(DATA / "layers" / "sites.geojson")]) == cli.EXIT_BUG == 70
    err = capsys.readouterr().err
    assert err == (f"bordermap: internal error: ZeroDivisionError: division by zero — this is a bug in "
                   f"bordermap {__version__}; please report it with the command you ran\n")
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(["validate", str(DATA / "layers" / "sites.geojson")])
