"""What the normalisers of every API share: the organisation collection they return, the
snapshot envelope, and readers of values (datetimes, licences, language bytes, typed fields).

Values the API did not give are `None`, never guessed; datetimes become `YYYY-MM-DDTHH:MM:SSZ`
(UTC); empty strings become `None`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from oshs.errors import SnapshotError


@dataclass(frozen=True)
class OrganisationCollection:
    """One organisation as one snapshot saw it: its record and its public repositories (records
    as a normaliser returns them; an Arrow table of them once a build has read them:
    `oshs.records`)."""

    organisation: dict[str, Any]
    repositories: list[dict[str, Any]] | pa.Table
    collected_on: str
    api: str


def read_envelope(doc: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(configured login, collection date, organisation body) of a snapshot of either API."""
    login = required(doc, "login", str)
    collected_at = normalise_datetime(required(doc, "collected_at", str), "collected_at")
    if collected_at is None:
        raise SnapshotError("snapshot: 'collected_at' is empty, expected an ISO 8601 datetime")
    body = required(required(doc, "organisation", dict), "body", dict)
    return login, collected_at[:10], body


def collection_of(
    organisation: dict[str, Any], records: Iterable[dict[str, Any]], collected_on: str, api: str
) -> OrganisationCollection:
    """The collection of an organisation's records, one per id (the last listing wins when
    pagination shifted between pages), sorted by id."""
    by_id = {record["id"]: record for record in records}
    return OrganisationCollection(
        organisation, [by_id[k] for k in sorted(by_id)], collected_on, api
    )


_CANONICAL = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
"""A datetime `normalise_datetime` returns unchanged once `datetime` accepts it (years from 1000:
`strftime` writes earlier ones without their leading zeros)."""


def normalise_datetime(value: Any, what: str = "datetime") -> str | None:
    """ISO 8601 datetime → `YYYY-MM-DDTHH:MM:SSZ` in UTC; `None`/empty → `None`.

    A datetime without an offset is taken as UTC (GitHub always sends UTC).
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise SnapshotError(f"snapshot: {what} is {value!r}, expected an ISO 8601 datetime")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SnapshotError(
            f"snapshot: {what} is {value!r}, expected an ISO 8601 datetime"
        ) from None
    if _CANONICAL.fullmatch(value):  # already UTC in the output's format: kept as it is
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def license_fields(value: Any, spdx_key: str = "spdx_id") -> tuple[str | None, str | None]:
    """(SPDX id, name) of a licence object (REST `spdx_id`, GraphQL `spdxId`): `NOASSERTION`
    for a licence GitHub could not identify, (None, None) for no licence."""
    if not isinstance(value, dict):
        return None, None
    spdx = as_text(value.get(spdx_key))
    if spdx is None or value.get("key") == "other":
        spdx = "NOASSERTION"
    return spdx, as_text(value.get("name"))


def language_bytes(body: Any, full_name: str | None) -> dict[str, int] | None:
    """{language: bytes} of a languages object, sorted by language; `None` when unknown."""
    if body is None:
        return None
    if not isinstance(body, dict):
        raise SnapshotError(f"snapshot: languages of {full_name!r} are not a JSON object")
    result = {}
    for language, size in sorted(body.items()):
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise SnapshotError(
                f"snapshot: languages of {full_name!r}: {language!r} has {size!r} bytes, "
                "expected a non-negative integer"
            )
        result[language] = size
    return result


def required(doc: dict[str, Any], key: str, kind: type) -> Any:
    """`doc[key]`, which must be a `kind`, else a `SnapshotError` naming the key."""
    value = doc.get(key)
    if not isinstance(value, kind):
        raise SnapshotError(f"snapshot: '{key}' is missing or not a {kind.__name__}")
    return value


def as_text(value: Any) -> str | None:
    """Text, with `None` and the empty string both `None`."""
    if value is None or value == "":
        return None
    return str(value)


def as_int(value: Any, what: str) -> int | None:
    """An integer or `None`; anything else (a boolean too) is a `SnapshotError` naming `what`."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SnapshotError(f"snapshot: {what} is {value!r}, expected an integer")
    return value


def as_bool(value: Any) -> bool | None:
    """A boolean, or `None` for anything that is not one."""
    return value if isinstance(value, bool) else None


def organisation_record(
    body: dict[str, Any],
    display_name: str | None,
    collected_on: str,
    *,
    login: str | None,
    keys: Mapping[str, str],
    public_repositories: Any,
) -> dict[str, Any]:
    """An `organisations.csv` record (without `stale`) from an organisation body of either API.

    `keys` names the body's key of `id`, `html_url`, `website`, `created_at` and `is_verified`
    (the APIs spell them differently); `login` (the configured one) is used only when the body
    has none; the display name wins over the body's own name.
    """
    org_login = as_text(body.get("login")) or login
    if not org_login:
        raise SnapshotError("snapshot: organisation body has no 'login'")
    return {
        "login": org_login,
        "platform": "github",
        "name": as_text(display_name) or as_text(body.get("name")) or org_login,
        "id": as_int(body.get(keys["id"]), f"organisation {keys['id']}"),
        "description": as_text(body.get("description")),
        "html_url": as_text(body.get(keys["html_url"])),
        "website": as_text(body.get(keys["website"])),
        "location": as_text(body.get("location")),
        "created_at": normalise_datetime(
            body.get(keys["created_at"]), f"organisation {keys['created_at']}"
        ),
        "is_verified": as_bool(body.get(keys["is_verified"])),
        "public_repositories": public_repositories,
        "collected_on": collected_on,
    }
