"""A big collection date is read by forked processes, a run of files each: the same collection
as one process reads, and an error in any process is raised with its message and hint."""

from __future__ import annotations

import shutil

import pytest

import oshs.collection as collection
from oshs.errors import SnapshotError
from oshs.snapshot import read_snapshot, write_snapshot


@pytest.fixture
def forking(monkeypatch):
    monkeypatch.setattr(collection, "PARALLEL_FROM", 1)
    monkeypatch.setattr(collection, "available_processes", lambda: 2)


def read(raw):
    (date,) = [p.name for p in raw.iterdir() if p.is_dir()][:1]
    result = collection.read_collections(raw, [date])
    collection.thaw()
    return result


def test_processes_read_the_collection_one_process_reads(demo_package, monkeypatch, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(demo_package / "raw" / "2025-10-06", raw / "2025-10-06")
    alone = read(raw)
    monkeypatch.setattr(collection, "PARALLEL_FROM", 1)
    monkeypatch.setattr(collection, "available_processes", lambda: 2)
    together = read(raw)
    assert len(together[0].organisations) == len(alone[0].organisations) > 8
    assert together == alone
    assert sum(o.repositories.num_rows for o in together[0].organisations) > 1000


def test_an_error_in_a_forked_process_is_raised_with_its_hint(demo_package, forking, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(demo_package / "raw" / "2025-10-06", raw / "2025-10-06")
    last = sorted((raw / "2025-10-06").glob("*.json.gz"))[-1]
    moved = read_snapshot(last) | {"collected_at": "2025-10-05T06:00:00Z"}
    last.unlink()
    write_snapshot(tmp_path / "elsewhere", moved)
    shutil.copy(next((tmp_path / "elsewhere").rglob("*.json.gz")), last)
    with pytest.raises(SnapshotError) as raised:
        read(raw)
    assert raised.value.message.startswith(f"{last}: collected_at is '2025-10-05T06:00:00Z'")
    assert raised.value.hint == "move the snapshot to the folder of its collection date"
