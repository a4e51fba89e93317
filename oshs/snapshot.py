"""Raw snapshots: what the API returned, one gzip JSON file per organisation per collection date.

Layout: `<raw-dir>/YYYY-MM-DD/<login>.json.gz` (login lower-cased) and
`<raw-dir>/YYYY-MM-DD/manifest.json` for the run (`manifest-shard-K-of-N.json` per shard).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from oshs.errors import SnapshotError
from oshs.files import write_bytes_atomic

SNAPSHOT_FORMAT = 1
MANIFEST_NAME = "manifest.json"
_DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_public_rest_item(item: dict[str, Any]) -> bool:
    """True only for a REST repository payload that says it is public; private and internal
    ones are never written anywhere. Older payloads have no `visibility`, but every one has
    `private`."""
    return item.get("private") is False and item.get("visibility", "public") == "public"


def is_public_graphql_node(node: Any) -> bool:
    """True only for a GraphQL repository node that says it is public."""
    return (
        isinstance(node, dict)
        and node.get("visibility") == "PUBLIC"
        and node.get("isPrivate") is False
    )


PUBLIC_ORGANISATION_FIELDS = frozenset(
    {
        "login", "id", "node_id", "url", "repos_url", "events_url", "hooks_url", "issues_url",
        "members_url", "public_members_url", "avatar_url", "description", "name", "company",
        "blog", "location", "email", "twitter_username", "is_verified",
        "has_organization_projects", "has_repository_projects", "public_repos", "public_gists",
        "followers", "following", "html_url", "created_at", "updated_at", "archived_at", "type",
    }
)  # fmt: skip
"""The fields of GitHub's `organization-full` that anyone may see. A member's token also gets
private counts, plan, billing and policy fields: those are never kept, in a snapshot or a cache."""


def public_organisation(body: dict[str, Any]) -> dict[str, Any]:
    """`GET /orgs/{org}`'s body with only `PUBLIC_ORGANISATION_FIELDS`."""
    return {key: value for key, value in body.items() if key in PUBLIC_ORGANISATION_FIELDS}


def snapshot_path(raw_dir: Path, collected_on: str, login: str) -> Path:
    """Where the snapshot of `login` collected on `collected_on` lives."""
    return Path(raw_dir) / collected_on / f"{login.lower()}.json.gz"


def snapshot_key(doc: dict[str, Any]) -> str:
    """The organisation key of a snapshot: its login, `gitlab:<path>` for a GitLab group."""
    platform, login = str(doc.get("platform", "github")), str(doc.get("login", ""))
    return login if platform == "github" else f"{platform}:{login}"


def snapshot_stem(doc: dict[str, Any]) -> str:
    """The file name (less `.json.gz`) of a snapshot: the login lower-cased; a GitLab group's
    is `gitlab~<path>` with `/` as `~` (no GitHub login or GitLab path holds a `~`)."""
    return snapshot_key(doc).lower().replace(":", "~").replace("/", "~")


def encode_snapshot(doc: dict[str, Any]) -> bytes:
    """Deterministic gzip JSON bytes of a snapshot (sorted keys, no gzip timestamp)."""
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), mtime=0)


def write_snapshot(raw_dir: Path, doc: dict[str, Any]) -> Path:
    """Write one organisation's snapshot atomically and return its path."""
    path = snapshot_path(raw_dir, doc["collected_at"][:10], snapshot_stem(doc))
    write_bytes_atomic(path, encode_snapshot(doc))
    return path


def read_snapshot(path: Path) -> dict[str, Any]:
    """Read one snapshot file, raising `SnapshotError` when it is not a valid snapshot."""
    try:
        doc = orjson.loads(gzip.decompress(Path(path).read_bytes()))  # 3× json's speed
    except (OSError, EOFError, ValueError) as error:
        raise SnapshotError(f"{path}: not a readable gzip JSON snapshot ({error})") from None
    if not isinstance(doc, dict) or doc.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(f"{path}: not an oshs snapshot of format {SNAPSHOT_FORMAT}")
    return doc


def collection_dates(raw_dir: Path) -> list[str]:
    """The collection dates present in `raw_dir`, oldest first."""
    root = Path(raw_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and _DATE_DIR.match(p.name))


def read_collection(raw_dir: Path, collected_on: str) -> list[dict[str, Any]]:
    """Every organisation snapshot of one collection date, sorted by login."""
    return [doc for _, doc in read_collection_files(raw_dir, collected_on)]


def read_collection_files(raw_dir: Path, collected_on: str) -> list[tuple[Path, dict[str, Any]]]:
    """(path, snapshot) of every organisation of one collection date, sorted by file name.

    A snapshot whose `collected_at` is not of the date of its folder is an error naming it.
    """
    return list(iter_collection_files(raw_dir, collected_on))


def iter_collection_files(
    raw_dir: Path, collected_on: str
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """`read_collection_files` one snapshot at a time, so that a reader that keeps only what it
    needs of each never holds every parsed snapshot of a date at once."""
    return iter_snapshots(collection_paths(raw_dir, collected_on), collected_on)


def collection_paths(raw_dir: Path, collected_on: str) -> list[Path]:
    """The snapshot files of a collection date, in name order; `SnapshotError` when none."""
    folder = Path(raw_dir) / collected_on
    paths = sorted(folder.glob("*.json.gz"))
    if not paths:
        raise SnapshotError(f"{folder}: no snapshots (*.json.gz) for {collected_on}")
    return paths


def iter_snapshots(
    paths: Iterable[Path], collected_on: str
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Each of `paths` read (`read_snapshot`), in turn; `SnapshotError` for one not collected
    on `collected_on`."""
    for path in paths:
        doc = read_snapshot(path)
        stamp = doc.get("collected_at")
        if not isinstance(stamp, str) or stamp[:10] != collected_on:
            raise SnapshotError(
                f"{path}: collected_at is {stamp!r}, not of {collected_on} (the date of its "
                "folder)",
                hint="move the snapshot to the folder of its collection date",
            )
        yield path, doc


def future_dates(dates: list[str], today: str) -> list[str]:
    """The collection dates after `today` (YYYY-MM-DD): no collection can come from the future."""
    return [date for date in dates if date > today]


def write_manifest(
    raw_dir: Path, collected_on: str, manifest: dict[str, Any], name: str = MANIFEST_NAME
) -> Path:
    """Write the run manifest of a collection date atomically (`name` differs per shard)."""
    path = Path(raw_dir) / collected_on / name
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))
    return path


def read_manifest(
    raw_dir: Path, collected_on: str, name: str = MANIFEST_NAME
) -> dict[str, Any] | None:
    """The run manifest `name` of a collection date, or None when there is none."""
    path = Path(raw_dir) / collected_on / name
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SnapshotError(f"{path}: unreadable manifest ({error})") from None


def read_manifests(raw_dir: Path, collected_on: str) -> list[dict[str, Any]]:
    """Every manifest of a collection date (one, or one per shard), in file-name order."""
    folder = Path(raw_dir) / collected_on
    return [
        manifest
        for path in sorted(folder.glob("manifest*.json"))
        if (manifest := read_manifest(raw_dir, collected_on, path.name)) is not None
    ]


def failed_organisations(raw_dir: Path, collected_on: str) -> dict[str, str]:
    """Organisations the manifests of a collection date name as failed, with the reasons."""
    failed: dict[str, str] = {}
    for manifest in read_manifests(raw_dir, collected_on):
        failed.update(manifest.get("organisations", {}).get("failed", {}))
    return dict(sorted(failed.items()))


ETAG_CACHE_NAME = "etag-cache.json.gz"


def read_etag_cache(raw_dir: Path) -> dict[str, Any]:
    """The ETag cache of earlier REST collections (`{url: {etag, body, link}}`), else empty.

    A cache that cannot be read is ignored: it only saves rate limit, it holds no state.
    """
    path = Path(raw_dir) / ETAG_CACHE_NAME
    try:
        cache = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    except (OSError, EOFError, ValueError):
        return {}
    return cache if isinstance(cache, dict) else {}


def write_etag_cache(raw_dir: Path, cache: dict[str, Any]) -> None:
    """Write the ETag cache (public data only) atomically."""
    write_bytes_atomic(Path(raw_dir) / ETAG_CACHE_NAME, encode_snapshot(cache))
