"""Embedded layers: a file that passes its checksum but is not readable is still one clear error."""

import json
import shutil

import pytest

from bordermap import databuild, settings, sources
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
