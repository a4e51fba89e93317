"""One collection date as the build applies it: the raw snapshots of a date, normalised, with
the organisations that failed (`read_collections`)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from oshs.background import PARALLEL_FROM, in_background, processes_for
from oshs.errors import SnapshotError
from oshs.normalise import OrganisationCollection, normalise_snapshot
from oshs.records import RecordColumns
from oshs.snapshot import collection_paths, failed_organisations, iter_snapshots, snapshot_key

PARALLEL_READ_BYTES = 4_000_000
"""Compressed snapshot bytes of a date from which its snapshots are read by two processes
(about 25,000 repositories; below it a fork would save little)."""


@dataclass(frozen=True)
class Collection:
    """One collection date: its normalised organisations, the logins that failed, and the API
    URL it was collected from (None for a date whose every organisation failed)."""

    collected_on: str
    organisations: tuple[OrganisationCollection, ...]
    failed: tuple[str, ...] = ()
    api_url: str | None = None
    api_urls: tuple[tuple[str, str], ...] = ()  # (platform, API URL) of its snapshots


def normalised(path: Path, doc: dict[str, Any]) -> OrganisationCollection:
    """`normalise_snapshot(doc)`, its errors naming the snapshot file."""
    try:
        return normalise_snapshot(doc)
    except SnapshotError as error:
        raise SnapshotError(f"{path}: {error.message.removeprefix('snapshot: ')}") from None


def api_urls(docs: Iterable[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    """(platform, API URL) of the snapshots' APIs, each once: GitHub's first, then GitLab's."""
    pairs = {(str(doc.get("platform", "github")), str(doc.get("api_url"))) for doc in docs}
    return tuple(sorted(pairs, key=lambda pair: (pair[0] != "github", pair)))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while snapshots are parsed and normalised, and what
    was made by then frozen (`gc.freeze`: never traversed again, still freed when unreferenced).

    Parsed JSON and records hold no reference cycles, and every full collection traverses every
    object made so far: at 250,000 repositories half the time of reading a date (12 s of 24 s),
    and as much again in the later stages while the records are alive.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def thaw() -> None:
    """Undo `collector_paused`'s freeze once a build is over: in a process that goes on (tests,
    a notebook, a service) what the build froze is traversed again, and freed when it becomes
    cyclic garbage."""
    gc.unfreeze()


def read_collections(
    raw_dir: Path,
    dates: Iterable[str],
    *,
    configured: Iterable[str] = (),
) -> list[Collection]:
    """The collections of `dates` in `raw_dir`, normalised, oldest first.

    `failed` are the logins the date's manifest names as failed, plus the `configured` logins
    without a snapshot; `api_url` is GitHub's API URL (GitLab's when only GitLab groups were
    collected), `api_urls` every platform's. A
    date whose every organisation failed (a manifest, no snapshot) gives an empty collection.
    Snapshots are read one at a time and only their normalised records are kept; what was read
    stays frozen (`collector_paused`) until the caller's `thaw()`, as `oshs build` does when done.
    """
    result = []
    for date in sorted(dates):
        folder = Path(raw_dir) / date
        with collector_paused():
            organisations, keys, envelopes = _read_date(
                raw_dir, date, any(folder.glob("*.json.gz"))
            )
        failed = set(failed_organisations(raw_dir, date))  # every manifest, sharded or not
        seen = {key.lower() for key in keys}
        failed |= {login for login in configured if login.lower() not in seen}
        urls = api_urls(envelopes)
        api_url = urls[0][1] if urls else None
        failures = tuple(sorted(failed, key=str.lower))
        result.append(Collection(date, tuple(organisations), failures, api_url, urls))
    return result


def _read_date(
    raw_dir: Path, date: str, present: bool
) -> tuple[list[OrganisationCollection], list[str], list[dict[str, Any]]]:
    """(normalised organisations, snapshot keys, {platform, api_url} of each snapshot) of the
    snapshots of `date` (none when not `present`), each parsed, normalised and dropped; the
    records of every organisation go into one Arrow table (`oshs.records`). A large date is
    read in two halves, the first by a forked process meanwhile (`oshs.background`)."""
    paths = collection_paths(raw_dir, date) if present else []
    middle = _middle(paths)
    with in_background(_read_files, paths[:middle], date, fork=middle > 0) as first_half:
        try:
            second_half = _read_files(paths[middle:], date)
        except SnapshotError:
            first_half()  # the first bad file in name order is the one reported, as in one go
            raise
        halves = [first_half(), second_half]
    table = pa.concat_tables([half.table for half in halves])
    organisations: list[OrganisationCollection] = []
    start = 0
    for half in halves:
        for organisation, rows in zip(half.organisations, half.rows, strict=True):
            organisations.append(replace(organisation, repositories=table.slice(start, rows)))
            start += rows
    keys = [key for half in halves for key in half.keys]
    return organisations, keys, [envelope for half in halves for envelope in half.envelopes]


@dataclass
class _Read:
    """What `_read_files` read: the organisations without their records, the number of records
    of each, the snapshots' keys and envelopes, and the records as one table."""

    organisations: list[OrganisationCollection]
    rows: list[int]
    keys: list[str]
    envelopes: list[dict[str, Any]]
    table: pa.Table


def _read_files(paths: list[Path], date: str) -> _Read:
    """The snapshots `paths` of `date`, each parsed, normalised and dropped."""
    read = _Read([], [], [], [], pa.table({}))
    columns = RecordColumns()
    for path, doc in iter_snapshots(paths, date):
        read.keys.append(snapshot_key(doc))
        read.envelopes.append({key: doc[key] for key in ("platform", "api_url") if key in doc})
        organisation = normalised(path, doc)
        read.rows.append(len(organisation.repositories))
        columns.add(organisation.repositories)
        read.organisations.append(replace(organisation, repositories=[]))
    read.table = columns.table()
    return read


def _middle(paths: list[Path]) -> int:
    """Where a date's snapshots are split in two halves of about the same size, read at once;
    0 (read here, in one go) below `PARALLEL_READ_BYTES` or with one core."""
    sizes = [path.stat().st_size for path in paths]
    if sum(sizes) < PARALLEL_READ_BYTES or processes_for(PARALLEL_FROM) < 2:
        return 0
    half, total = sum(sizes) / 2, 0
    for index, size in enumerate(sizes):
        total += size
        if total >= half:
            return index + 1 if index + 1 < len(paths) else 0  # no second half: read here
    return 0
