"""Result files are written whole or not at all, hashed by content, and stamped with versions."""

from __future__ import annotations

import hashlib
import os

import pytest

from analysis import io as rio
from analysis.io import atomic_path, file_sha256, versions, write_atomic, write_json_atomic


def test_interrupted_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    target.write_text("old")

    def failing_replace(src, dst):
        assert os.path.exists(src)  # the new content was complete before the rename
        raise OSError("disk full")

    monkeypatch.setattr(rio.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_a_writer_failing_midway_keeps_the_previous_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "chunk.parquet"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="worker killed"):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half of the ne")
            raise RuntimeError("worker killed")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["chunk.parquet"]


def test_write_replaces_the_old_file_and_creates_missing_folders(tmp_path):
    target = tmp_path / "a" / "b" / "r.txt"
    write_atomic(target, "première")
    write_atomic(target, "seconde")
    assert target.read_text(encoding="utf-8") == "seconde"
    assert sorted(p.name for p in target.parent.iterdir()) == ["r.txt"]


def test_json_is_written_sorted_and_indented(tmp_path):
    path = write_json_atomic(tmp_path / "manifest.json", {"b": [1, 2], "a": tmp_path})
    assert path.read_text() == '{\n  "a": "%s",\n  "b": [\n    1,\n    2\n  ]\n}' % tmp_path


@pytest.mark.parametrize("size", [0, 3, (1 << 20) + 7])
def test_file_sha256_is_the_hash_of_the_bytes_across_blocks(tmp_path, size):
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    path = tmp_path / "f"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
    assert file_sha256(path, block=1000) == hashlib.sha256(data).hexdigest()


def test_versions_name_python_first_and_mark_missing_packages():
    import numpy as np

    v = versions()
    assert list(v)[0] == "python" and v["numpy"] == np.__version__
    assert versions(("surely-not-installed-pkg",))["surely-not-installed-pkg"] is None
