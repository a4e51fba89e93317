"""Atomic writes leave complete, readable files and no temporary files."""

from __future__ import annotations

import os
import stat

import pytest

from oshs.files import write_bytes_atomic, write_text_atomic


def test_written_files_are_complete_and_world_readable(tmp_path):
    old = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "sub" / "a.csv", "x\n")
    finally:
        os.umask(old)
    path = tmp_path / "sub" / "a.csv"
    assert path.read_bytes() == b"x\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["a.csv"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"old\n")

    with pytest.raises(TypeError):
        write_bytes_atomic(path, "not bytes")  # fails while writing the temporary file
    assert path.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]
