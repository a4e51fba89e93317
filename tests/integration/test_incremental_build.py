"""An incremental build does one day's work: the package's own day is replayed only when its raw
files or the configuration changed since the build that published it (`oshs.build_record`)."""

from __future__ import annotations

import dataclasses
import gc
import gzip
import json
import logging
from pathlib import Path

import pytest
from conftest import published_files

from oshs.build_record import RECORD_NAME
from oshs.config import bundled_config
from oshs.pipeline import run_build


def build(demo: Path, caplog: pytest.LogCaptureFixture, **config_changes: object) -> list[str]:
    """`oshs build` of the demo's raw folder; the dates it applied."""
    config = dataclasses.replace(bundled_config(), **config_changes)
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="oshs.pipeline"):
        run_build(config, raw_dir=demo / "raw", out_dir=demo / "outputs",
                  package_path=demo / "datapackage.json")  # fmt: skip
    lines = [
        r.getMessage() for r in caplog.records if r.getMessage().startswith("collection dates")
    ]
    assert len(lines) == 1
    return [d for d in lines[0].split(": ", 1)[1].split(", ") if d != "none"]


def test_the_demo_records_the_day_it_applied_beside_the_raw_files(demo_package):
    records = json.loads((demo_package / "raw" / RECORD_NAME).read_text(encoding="utf-8"))
    assert {record["collected_on"] for record in records["builds"]} == {"2025-10-13"}
    assert sorted(records["builds"][0]) == ["collected_on", "config", "package", "raw"]
    assert not any(path.name == RECORD_NAME for path in (demo_package / "outputs").rglob("*"))


def test_a_build_with_nothing_new_applies_no_day_and_changes_no_byte(demo_copy, caplog):
    before = published_files(demo_copy)
    assert build(demo_copy, caplog) == []
    assert published_files(demo_copy) == before


def test_the_next_day_alone_is_applied(demo_copy, caplog):
    day = demo_copy / "raw" / "2025-10-14"
    day.mkdir()
    for path in sorted((demo_copy / "raw" / "2025-10-13").iterdir()):
        doc = json.loads(gzip.decompress(path.read_bytes())) if path.suffix == ".gz" else None
        if doc is None:
            (day / path.name).write_bytes(path.read_bytes())
            continue
        doc["collected_at"] = "2025-10-14T06:00:00Z"
        (day / path.name).write_bytes(gzip.compress(json.dumps(doc).encode(), mtime=0))
    assert build(demo_copy, caplog) == ["2025-10-14"]
    assert gc.get_freeze_count() == 0  # what reading froze is thawed: this process goes on
    assert build(demo_copy, caplog) == []


def test_a_changed_raw_file_or_configuration_replays_the_day(demo_copy, caplog):
    before = published_files(demo_copy)
    snapshot = sorted((demo_copy / "raw" / "2025-10-13").glob("*.json.gz"))[0]
    snapshot.write_bytes(gzip.compress(gzip.decompress(snapshot.read_bytes()), mtime=1))
    assert build(demo_copy, caplog) == ["2025-10-13"]
    assert published_files(demo_copy) == before  # the same data: the same bytes
    assert build(demo_copy, caplog) == []
    assert build(demo_copy, caplog, include_archived=False) == ["2025-10-13"]
