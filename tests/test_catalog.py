"""The embedded data's one owner: the manifest read once, each file hashed once, a changed file checked again."""

import json
import shutil
from collections import Counter

import pytest

from bordermap import build, catalog, settings
from bordermap.errors import SourceError

EMBEDDED = (catalog.ADMIN1_FILE, catalog.COUNTRIES_FILE, catalog.BORDERS_FILE, catalog.FORMER_FILE,
            catalog.EVENTS_FILE, catalog.ACTORS_FILE, catalog.DISTRICTS_FILE, catalog.DISTRICT_SHAPES_FILE,
            catalog.RELIEF_FILE, catalog.TOWNS_FILE)


@pytest.fixture
def geodata(tmp_path, monkeypatch):
    """A fresh copy of the embedded data, in use for this test: nothing of it is cached yet."""
    copy = tmp_path / "geodata"
    shutil.copytree(settings.geodata_dir(), copy)
    monkeypatch.setenv(settings.GEODATA_ENV, str(copy))
    return copy


def test_manifest_lists_every_embedded_file(geodata):
    assert set(catalog.files()) >= set(EMBEDDED)


def test_a_build_reads_the_manifest_once_and_hashes_each_file_once(geodata, tmp_path, monkeypatch):
    parsed, hashed = Counter(), Counter()
    real_parse, real_hash = catalog._parse, catalog.sha256_file
    monkeypatch.setattr(catalog, "_parse", lambda path: parsed.update([path.name]) or real_parse(path))
    monkeypatch.setattr(catalog, "sha256_file", lambda path: hashed.update([path.name]) or real_hash(path))
    build(out_dir=tmp_path / "a")
    build("baloch-insurgency", tmp_path / "b")
    assert parsed == {catalog.MANIFEST_FILE: 1}
    assert hashed == dict.fromkeys(EMBEDDED, 1)


def test_an_edited_file_is_checked_again(geodata):
    path = catalog.verified(catalog.ACTORS_FILE)
    original = path.read_bytes()
    path.write_bytes(original.replace(b"{", b"{ ", 1))
    with pytest.raises(SourceError, match="does not match"):
        catalog.verified(catalog.ACTORS_FILE)
    path.write_bytes(original)
    assert catalog.verified(catalog.ACTORS_FILE) == path


def test_an_edited_manifest_is_read_again(geodata):
    catalog.verified(catalog.DISTRICTS_FILE)
    manifest = geodata / catalog.MANIFEST_FILE
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["files"][catalog.DISTRICTS_FILE]["sha256"] = "0" * 64
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SourceError, match="does not match"):
        catalog.verified(catalog.DISTRICTS_FILE)
    manifest.unlink()
    with pytest.raises(SourceError, match="manifest not found"):
        catalog.files()


def test_update_keeps_other_records(geodata):
    before = dict(catalog.files())
    record = catalog.entry(geodata / catalog.ACTORS_FILE, description="d", kind="curated", sources=[],
                           build_command="c", features=1)
    catalog.update(geodata, {catalog.ACTORS_FILE: record})
    after = catalog.files()
    assert after[catalog.ACTORS_FILE]["description"] == "d"
    assert {k: v for k, v in after.items() if k != catalog.ACTORS_FILE} == \
        {k: v for k, v in before.items() if k != catalog.ACTORS_FILE}
