"""`oshs.spool`: bytes by name, the large ones kept in an unnamed temporary file."""

from __future__ import annotations

import hashlib
import tempfile

import pytest

from oshs.errors import StorageError
from oshs.spool import SpooledBytes, save_value, size_and_sha256


def spooled(monkeypatch, **values: bytes) -> SpooledBytes:
    monkeypatch.setattr("oshs.spool.SPILL_BYTES", 4)
    result = SpooledBytes()
    for name, data in values.items():
        result.add(name, data)
    return result


def test_small_values_stay_in_memory_and_large_ones_go_to_a_file(monkeypatch):
    values = spooled(monkeypatch, small=b"abc", large=b"a,b\n1,2\n")
    assert [type(value).__name__ for value in values._values.values()] == [
        "bytes",
        "BufferedRandom",
    ]
    assert values == {"small": b"abc", "large": b"a,b\n1,2\n"}
    assert values["large"] == b"a,b\n1,2\n"  # read again: the same bytes
    assert (list(values), len(values)) == (["small", "large"], 2)
    assert repr(values) == "SpooledBytes(small: 3 bytes, large: 8 bytes)"


def test_size_and_hash_are_kept_from_when_a_value_was_added(monkeypatch):
    values = spooled(monkeypatch, small=b"abc", large=b"a,b\n1,2\n")
    values._values["large"].write(b"not read back")  # the file changes: the hash is the value's
    abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert size_and_sha256(values, "small") == (3, abc)
    assert size_and_sha256(values, "large")[1] == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert size_and_sha256({"plain": b"abc"}, "plain") == (3, abc)


def test_each_value_is_saved_byte_for_byte(monkeypatch, tmp_path):
    values = spooled(monkeypatch, small=b"", large=b"x" * 5_000_000)
    for name in values:
        save_value(values, name, tmp_path / name)
    save_value({"plain": b"1\n"}, "plain", tmp_path / "plain")
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == {
        "small": b"",
        "large": b"x" * 5_000_000,
        "plain": b"1\n",
    }


def test_a_temporary_folder_that_cannot_be_written_is_named(monkeypatch, tmp_path):
    missing = tmp_path / "gone"
    monkeypatch.setattr(tempfile, "tempdir", str(missing))
    with pytest.raises(StorageError) as raised:
        spooled(monkeypatch, large=b"12345")
    assert raised.value.message == f"cannot write {missing}: No such file or directory"
