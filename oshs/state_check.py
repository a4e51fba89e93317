"""The previous package is the state of the next build: it is checked before it is trusted.

A build appends to what was published, so a state that differs from what its descriptor says
was published (a hand-edited value, a dropped column, a deleted changelog, a missing `created`)
would be carried into a new, valid-looking package, or silently restart the history. So before
the state is read:

- the descriptor must have a `MAJOR.MINOR.PATCH` `version`, a `YYYY-MM-DDTHH:MM:SSZ` `created`
  not in the future, and a list of resources, each with a local `path`, `bytes` and `hash`;
- each resource file must exist with exactly those bytes and that sha256 (the descriptor
  records both), and its header must be the descriptor's fields, in order;
- the columns the history is made of (`HISTORY_COLUMNS`) must be in the descriptor;
- `CHANGELOG.md` must be there (it is state too: versions and what changed in each);
- the migration to 2.0.0 (GitLab groups): a 1.x package has no `platform` column in
  `organisations` and `repositories` and integer repository ids; it is valid state, read as
  GitHub-only (`oshs.csvtables.read_table`: every row `github`, the ids the same text). From 2.0.0
  on, a package without `platform` is refused (`PLATFORM_TABLES`).

Any difference stops the build with one line naming the file and what differs (`StateError`,
exit 1): never a silent repair. The way out is to restore the published files (e.g. from git).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from oshs.descriptor import VERSION_PATTERN
from oshs.errors import StateError
from oshs.validation.csvread import first_line

HINT = "restore the published files (e.g. `git checkout -- <file>`), or move the package away"
CREATED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
HISTORY_COLUMNS = {
    "organisations": ("login", "collected_on", "stale"),
    "repositories": ("id", "organisation", "full_name", "first_seen", "last_seen", "removed"),
    "organisation_history": ("collected_on", "organisation", "repositories", "removed"),
    "repository_history": ("collected_on", "repository_id"),
}
"""Columns without which the history would restart: their loss is never a schema change."""
PLATFORM_TABLES = ("organisations", "repositories")
"""Tables that carry `platform` from version 2.0.0 on (1.x packages are GitHub-only)."""
FUTURE_SLACK = timedelta(days=1)


def fail(what: str, message: str) -> StateError:
    """`StateError("<what>: <message>")` with the hint to restore the files."""
    return StateError(f"{what}: {message}", hint=HINT)


def verify_state(
    package_path: Path, descriptor: Any, changelog: Path, *, now: datetime | None = None
) -> None:
    """Raise `StateError` unless the package at `package_path` is exactly what it says it is."""
    if not isinstance(descriptor, dict):
        raise fail(str(package_path), "the descriptor is not a JSON object")
    verify_metadata(package_path, descriptor, now or datetime.now(UTC))
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        raise fail(str(package_path), "'resources' is missing or empty")
    for resource in resources:
        verify_resource(package_path, resource)
        verify_platform(package_path, resource, descriptor["version"])
    if not changelog.is_file():
        raise fail(
            str(changelog),
            "missing, but it is part of the published state (every version and what changed)",
        )


def verify_metadata(package_path: Path, descriptor: dict[str, Any], now: datetime) -> None:
    """`version` and `created` are there, well-formed, and `created` is not in the future."""
    version, created = descriptor.get("version"), descriptor.get("created")
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        raise fail(str(package_path), f"'version' is {version!r}, expected MAJOR.MINOR.PATCH")
    if not isinstance(created, str) or not CREATED.match(created):
        raise fail(
            str(package_path),
            f"'created' is {created!r}, expected the collection date as YYYY-MM-DDTHH:MM:SSZ",
        )
    if datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) > now + FUTURE_SLACK:
        raise fail(str(package_path), f"'created' {created} is in the future (now {now:%Y-%m-%d})")


def resource_file(package_path: Path, resource: Any) -> Path:
    """The local file of a resource (its `path`, relative to the descriptor, inside its folder)."""
    if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
        raise fail(str(package_path), "a resource has no 'name'")
    path = resource.get("path")
    text = path if isinstance(path, str) else ""
    parts = PurePosixPath(text).parts
    if not parts or "://" in text or text.startswith("/") or ".." in parts:
        raise fail(
            str(package_path),
            f"resource {resource['name']!r}: path {path!r} is not a file inside the package",
        )
    return package_path.parent.joinpath(*parts)


def verify_resource(package_path: Path, resource: Any) -> None:
    """The resource file has the descriptor's bytes, hash, header and history columns."""
    file = resource_file(package_path, resource)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise fail(str(file), f"cannot be read ({error.strerror or error})") from None
    if resource.get("bytes") != len(data):
        raise fail(
            str(file),
            f"{len(data)} bytes, but {package_path.name} says {resource.get('bytes')!r}: "
            "the file changed after it was published",
        )
    digest = f"sha256:{hashlib.sha256(data).hexdigest()}"
    if resource.get("hash") != digest:
        raise fail(
            str(file),
            f"its sha256 differs from the hash in {package_path.name}: "
            "the file changed after it was published",
        )
    if resource.get("type") != "file":  # a Parquet twin has a size and a hash, no header
        verify_columns(file, package_path, resource, data)


def verify_columns(file: Path, package_path: Path, resource: dict[str, Any], data: bytes) -> None:
    """The CSV header is the descriptor's fields, in order, and holds the history columns."""
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    names = [item.get("name") for item in fields or [] if isinstance(item, dict)]
    header = first_line(data).decode("utf-8", "replace").rstrip("\r").split(",")
    if header != names:
        missing = [name for name in names if name not in header]
        extra = [name for name in header if name not in names]
        raise fail(
            str(file),
            f"its columns differ from the schema in {package_path.name} "
            f"(missing: {', '.join(map(str, missing)) or 'none'}; "
            f"unexpected: {', '.join(extra) or 'none'}; or in another order)",
        )
    lost = [name for name in HISTORY_COLUMNS.get(resource["name"], ()) if name not in names]
    if lost:
        raise fail(
            str(file),
            f"column(s) {', '.join(lost)} missing: the history cannot continue without them",
        )


def verify_platform(package_path: Path, resource: dict[str, Any], version: str) -> None:
    """A 2.x package's organisations and repositories have `platform` (1.x: GitHub only)."""
    if resource["name"] not in PLATFORM_TABLES or int(version.split(".")[0]) < 2:
        return
    fields = resource.get("schema", {}).get("fields", [])
    if not any(isinstance(f, dict) and f.get("name") == "platform" for f in fields):
        raise fail(
            str(resource_file(package_path, resource)),
            f"no 'platform' column, but version {version} (from 2.0.0 on every package has "
            "one; only 1.x packages are GitHub-only)",
        )


def present_repositories(package_path: Path | None) -> dict[str, frozenset[int]]:
    """Per lower-cased organisation login, the ids of the repositories the package at
    `package_path` publishes as present (not removed); empty when there is no readable package.

    What a collection must not mark removed without evidence (`oshs.collect.rest`)."""
    if package_path is None or not Path(package_path).is_file():
        return {}
    try:
        descriptor = json.loads(Path(package_path).read_text(encoding="utf-8"))
        resource = next(r for r in descriptor["resources"] if r.get("name") == "repositories")
        with resource_file(Path(package_path), resource).open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, ValueError, KeyError, TypeError, StopIteration, StateError):
        return {}  # the build names what is wrong with the package
    present: dict[str, set[int]] = {}
    for row in rows:
        if row.get("removed") != "true" and (row.get("id") or "").isdigit():
            present.setdefault((row.get("organisation") or "").lower(), set()).add(int(row["id"]))
    return {login: frozenset(ids) for login, ids in present.items()}
