"""Embedded layers: a file that passes its checksum but is not readable is still one clear error."""

import json
import shutil

import pytest

from bordermap import catalog, databuild, settings, sources
from bordermap._io import sha256_file
from bordermap.errors import SourceError


def test_an_unreadable_embedded_layer_is_a_source_error(tmp_path):
    folder = tmp_path / "geodata"
    shutil.copytree(settings.geodata_dir(), folder)
    broken = folder / databuild.BORDERS_FILE
    broken.write_text("{ this is not GeoJSON")
    manifest_path = folder / "MANIFEST.json"
    data = json.loads(manifest_path.read_text())
    data["files"][databuild.BORDERS_FILE]["sha256"] = sha256_file(broken)  # the checksum no longer guards it
    manifest_path.write_text(json.dumps(data))
    with pytest.raises(SourceError, match="cannot read \\(DataSourceError: ") as info:
        sources.read_embedded(databuild.BORDERS_FILE, folder)
    assert info.value.path == broken and "\n" not in str(info.value)


@pytest.fixture
def copy(tmp_path):
    folder = tmp_path / "geodata"
    shutil.copytree(settings.geodata_dir(), folder)
    return folder


@pytest.mark.parametrize("name, load", [(catalog.RELIEF_FILE, sources.load_relief),
                                        (catalog.DISTRICT_SHAPES_FILE, sources.load_district_shapes),
                                        (catalog.TOWNS_FILE, sources.load_towns)])
def test_the_new_embedded_files_are_checked_against_the_manifest(copy, name, load):
    assert len(load(copy) if name != catalog.RELIEF_FILE else load(copy).data) > 0
    path = copy / name
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(SourceError, match="does not match MANIFEST.json") as info:
        load(copy)
    assert info.value.path == path


def test_relief_without_its_georeferencing_is_refused(copy):
    manifest_path = copy / catalog.MANIFEST_FILE
    data = json.loads(manifest_path.read_text())
    del data["files"][catalog.RELIEF_FILE]["parameters"]["bounds_deg"]
    manifest_path.write_text(json.dumps(data))
    with pytest.raises(SourceError, match="lacks bounds_deg"):
        sources.load_relief(copy)


def test_relief_credit_and_bounds_come_from_the_manifest(copy):
    record = json.loads((copy / catalog.MANIFEST_FILE).read_text())["files"][catalog.RELIEF_FILE]
    relief = sources.load_relief(copy)
    assert list(relief.bounds) == record["parameters"]["bounds_deg"]
    assert relief.credit == "Relief: " + record["sources"][0]["attribution"]
