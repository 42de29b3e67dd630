"""The real `bordermap` console script, end to end."""

import json
import shutil

import pytest

from bordermap import settings

from .conftest import geojson_layers, layer_control


def _one_line_error(proc):
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("bordermap: error: ")
    return lines[0]


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
    assert len(provinces["features"]) == 72
    assert "L.control.scale" in html
    assert "Natural Earth 1:10m admin-1 (public domain)" in html


def test_out_chooses_the_folder_and_builds_are_byte_identical(run, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("build", "--out", str(a)).returncode == 0
    assert run("build", "--out", str(b)).returncode == 0
    assert (a / "border-region.html").read_bytes() == (b / "border-region.html").read_bytes()


def test_unknown_option_is_one_line_exit_2(run):
    line = _one_line_error(run("build", "--colour", "red"))
    assert "unrecognized arguments: --colour red" in line


def test_unwritable_output_folder(run, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    line = _one_line_error(run("build", "--out", str(blocker)))
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
def test_broken_geodata_fails_cleanly_and_keeps_the_previous_map(run, tmp_path, geodata_copy, damage, expected):
    out = tmp_path / "out"
    assert run("build", "--out", str(out)).returncode == 0
    before = (out / "border-region.html").read_bytes()
    damage(geodata_copy)
    line = _one_line_error(run("build", "--out", str(out), env={settings.GEODATA_ENV: str(geodata_copy)}))
    assert expected in line and str(geodata_copy) in line
    assert (out / "border-region.html").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["border-region.html"]  # no temp files left


def test_data_status_lists_sources_and_licences(run):
    proc = run("data", "status")
    assert proc.returncode == 0, proc.stderr
    assert "admin1.geojson" in proc.stdout and "Public domain" in proc.stdout


def test_data_build_on_a_fixture(run, tmp_path):
    from .conftest import DATA
    from bordermap._io import sha256_file
    src = DATA / "ne_admin1_tiny.geojson"
    proc = run("data", "build", "--source", str(src), "--out", str(tmp_path / "g"), "--sha256", sha256_file(src))
    assert proc.returncode == 0, proc.stderr
    files = json.loads((tmp_path / "g" / "MANIFEST.json").read_text())["files"]
    assert set(files) == {"admin1.geojson", "countries.geojson", "borders.geojson", "former_units.geojson"}


def test_data_build_with_a_wrong_checksum(run, tmp_path):
    from .conftest import DATA
    line = _one_line_error(run("data", "build", "--source", str(DATA / "ne_admin1_tiny.geojson"),
                               "--out", str(tmp_path / "g")))
    assert "does not match the pinned" in line
    assert not (tmp_path / "g").exists()


@pytest.mark.parametrize("args", [[], ["build"], ["data"], ["data", "build"], ["data", "status"]])
def test_every_command_has_help(run, args):
    proc = run(*args, "--help")
    assert proc.returncode == 0
    assert "usage: bordermap" in proc.stdout and len(proc.stdout.splitlines()) >= 3


def test_analyst_events_join_the_map(run, tmp_path):
    from .conftest import DATA, marker_sets
    proc = run("build", "--out", str(tmp_path), "--events", str(DATA / "events_good.csv"),
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
def test_bad_analyst_events_fail_cleanly(run, tmp_path, edit, expected):
    from .conftest import DATA
    out = tmp_path / "out"
    assert run("build", "--out", str(out)).returncode == 0
    before = (out / "border-region.html").read_bytes()
    bad = tmp_path / "mine.csv"
    bad.write_text(edit((DATA / "events_good.csv").read_text()))
    line = _one_line_error(run("build", "--out", str(out), "--events", str(bad)))
    assert line.startswith(f"bordermap: error: {bad}: ") and expected in line
    assert (out / "border-region.html").read_bytes() == before
