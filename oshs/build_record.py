"""What a build applied, so that the next build does one day's work.

A build replays the published package's own collection day (a same-day re-collection replaces
that day's observation) unless it knows that day is already in the package exactly as its raw
snapshots now are. `<raw-dir>/.oshs-build.json`, beside the raw files it describes and never
published, records it: the package it describes (the sha256 of
its descriptor's bytes), the day, a digest of that day's raw files (snapshots and manifests), and
a digest of the configuration that shapes tables (organisations, forks, archived). When all four
still match, the day is not replayed: its result is the package itself. Anything else (no
record, another package, a changed file, another configuration) replays the day as before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

RECORD_NAME = ".oshs-build.json"


def raw_digest(raw_dir: Path, day: str) -> str | None:
    """sha256 over the names and bytes of a day's raw files, or None when there are none."""
    folder = Path(raw_dir) / day
    files = sorted(p for p in folder.glob("*.json*") if p.is_file()) if folder.is_dir() else []
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return f"sha256:{digest.hexdigest()}"


def config_digest(logins: Iterable[str], include_forks: bool, include_archived: bool) -> str:
    """sha256 of what in the configuration changes the tables built from the same snapshots."""
    shape = {"logins": sorted(logins), "forks": include_forks, "archived": include_archived}
    return f"sha256:{hashlib.sha256(json.dumps(shape).encode('utf-8')).hexdigest()}"


KEPT_RECORDS = 8
"""Records kept: several packages may be built from one raw folder (a test, a second site)."""


def record_entry(descriptor: bytes, day: str, raw: str, config: str) -> dict[str, str]:
    """The record of a build that published `descriptor` after applying `day`."""
    return {
        "collected_on": day,
        "config": config,
        "package": f"sha256:{hashlib.sha256(descriptor).hexdigest()}",
        "raw": raw,
    }


def records_bytes(previous: bytes | None, entry: dict[str, str]) -> bytes:
    """The record file with `entry` first and the newest other records after it."""
    others = [item for item in _records(previous) if item.get("package") != entry["package"]]
    document = {"builds": [entry, *others][:KEPT_RECORDS]}
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def _records(data: bytes | None) -> list[dict[str, str]]:
    try:
        document = json.loads(data or b"{}")
    except ValueError:
        return []
    builds = document.get("builds") if isinstance(document, dict) else None
    return [item for item in builds or [] if isinstance(item, dict)]


def applied_day(raw_dir: Path, package_path: Path, config: str) -> str | None:
    """The day the published package already holds as its raw files now are, or None."""
    try:
        records = _records((Path(raw_dir) / RECORD_NAME).read_bytes())
        descriptor = Path(package_path).read_bytes()
    except OSError:
        return None
    package = f"sha256:{hashlib.sha256(descriptor).hexdigest()}"
    for record in records:
        day = record.get("collected_on")
        if record.get("package") != package or not isinstance(day, str):
            continue
        if record == record_entry(descriptor, day, raw_digest(raw_dir, day) or "", config):
            return day
    return None
