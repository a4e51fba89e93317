"""One collection date as the build applies it: the raw snapshots of a date, normalised, with
the organisations that failed (`read_collections`)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from oshs.errors import SnapshotError
from oshs.normalise import OrganisationCollection, normalise_snapshot
from oshs.records import RecordColumns
from oshs.snapshot import failed_organisations, iter_collection_files, snapshot_key


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
    records of every organisation go into one Arrow table (`oshs.records`)."""
    organisations: list[OrganisationCollection] = []
    keys: list[str] = []
    envelopes: list[dict[str, Any]] = []
    columns = RecordColumns()
    starts: list[int] = []
    for path, doc in iter_collection_files(raw_dir, date) if present else ():
        keys.append(snapshot_key(doc))
        envelopes.append({key: doc[key] for key in ("platform", "api_url") if key in doc})
        organisation = normalised(path, doc)
        starts.append(columns.add(organisation.repositories))
        organisations.append(replace(organisation, repositories=[]))
    table = columns.table()
    ends = [*starts[1:], table.num_rows]
    organisations = [
        replace(organisation, repositories=table.slice(start, end - start))
        for organisation, start, end in zip(organisations, starts, ends, strict=True)
    ]
    return organisations, keys, envelopes
