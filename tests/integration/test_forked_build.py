"""A build that shares its work with forked processes (`oshs.background`: snapshots read in two
halves, Parquet twins, validation while the charts and website are made) publishes the bytes of
a build in one process, and nothing when the staged package is invalid."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from conftest import published_files

from oshs.config import bundled_config
from oshs.errors import PackageError
from oshs.package import write_staged
from oshs.pipeline import run_build


def next_day(demo: Path) -> None:
    """The demo's last collection again, a day later."""
    day = demo / "raw" / "2025-10-14"
    day.mkdir()
    for path in sorted((demo / "raw" / "2025-10-13").iterdir()):
        if path.suffix != ".gz":
            (day / path.name).write_bytes(path.read_bytes())
            continue
        doc = json.loads(gzip.decompress(path.read_bytes()))
        doc["collected_at"] = "2025-10-14T06:00:00Z"
        (day / path.name).write_bytes(gzip.compress(json.dumps(doc).encode(), mtime=0))


def build(demo: Path) -> None:
    run_build(bundled_config(), raw_dir=demo / "raw", out_dir=demo / "outputs",
              package_path=demo / "datapackage.json")  # fmt: skip


@pytest.mark.slow
def test_a_forked_build_publishes_the_bytes_of_a_build_in_one_process(
    demo_package, tmp_path, monkeypatch
):
    monkeypatch.setattr("oshs.collection.PARALLEL_READ_BYTES", 0)
    published = {}
    for processes in ("1", "2"):
        demo = tmp_path / processes
        shutil.copytree(demo_package, demo)
        next_day(demo)
        monkeypatch.setenv("OSHS_PROCESSES", processes)
        # the forked build also keeps every CSV on disk until it is staged (`oshs.spool`)
        monkeypatch.setattr("oshs.spool.SPILL_BYTES", 0 if processes == "2" else 2**24)
        build(demo)
        published[processes] = published_files(demo)
    assert published["2"] == published["1"]
    assert published["1"] != published_files(demo_package)  # the next day was applied


@pytest.mark.slow
def test_a_forked_build_whose_staged_package_is_invalid_publishes_nothing(demo_copy, monkeypatch):
    next_day(demo_copy)
    before = published_files(demo_copy)

    def staged_with_a_broken_row(*args, **options):  # the validating process reads the files
        write_staged(*args, **options)
        with (options["out_dir"] / "data" / "topics.csv").open("ab") as topics:
            topics.write(b"broken,row\n")

    monkeypatch.setattr("oshs.pipeline.write_staged", staged_with_a_broken_row)
    monkeypatch.setenv("OSHS_PROCESSES", "2")
    with pytest.raises(PackageError) as raised:
        build(demo_copy)
    assert raised.value.message == (
        f"data package {demo_copy / 'datapackage.json'} failed validation, nothing was published: "
        "topics: file: byte-count: 251649 bytes; topics: file: hash-count: sha256 differs; "
        'topics: row 4931, field repository_id: constraint-error: constraint "pattern" is '
        '"^(gitlab:)?[1-9][0-9]*$" (and 3 more)'
    )
    assert published_files(demo_copy) == before
