"""Atomic writes: the old file survives any failure and no temp file is left."""

import os

import pytest

from bordermap._io import write_atomic
from bordermap.errors import OutputError


def test_replaces_content(tmp_path):
    target = tmp_path / "a" / "map.html"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["map.html"]


def test_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "map.html"
    target.write_bytes(b"previous")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OutputError, match="No space left on device"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["map.html"]
