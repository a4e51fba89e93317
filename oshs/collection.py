"""One collection date as the build applies it: the raw snapshots of a date, normalised, with
the organisations that failed (`read_collections`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oshs.errors import SnapshotError
from oshs.normalise import OrganisationCollection, normalise_snapshot
from oshs.snapshot import failed_organisations, read_collection_files, snapshot_key


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
    """
    result = []
    for date in sorted(dates):
        folder = Path(raw_dir) / date
        files = read_collection_files(raw_dir, date) if any(folder.glob("*.json.gz")) else []
        docs = [doc for _, doc in files]
        failed = set(failed_organisations(raw_dir, date))  # every manifest, sharded or not
        seen = {snapshot_key(doc).lower() for doc in docs}
        failed |= {login for login in configured if login.lower() not in seen}
        urls = api_urls(docs)
        api_url = urls[0][1] if urls else None
        organisations = tuple(normalised(path, doc) for path, doc in files)
        failures = tuple(sorted(failed, key=str.lower))
        result.append(Collection(date, organisations, failures, api_url, urls))
    return result
