"""Raw snapshot documents → one internal record per organisation and per repository.

One normaliser per API (REST here, GraphQL in `oshs.normalise_graphql`; see `_NORMALISERS`).
Records carry the columns of `organisations.csv` (minus `stale`) and `repositories.csv`
(minus `first_seen`, `last_seen`, `removed`) of SPEC §3.3,
plus, for repositories, `languages` ({language: bytes}).

Conventions (REST):

- values the API did not give are `None`, never guessed. REST's `open_issues_count` counts pull
  requests too, so `open_issues` and `open_pull_requests` are always `None` over REST;
- `languages` is the languages enrichment when the snapshot has it, else `None` (unknown: no
  `languages.csv` rows; the `language` column still holds GitHub's primary language);
- `has_*` community flags come from the community profile enrichment, else `None`. The REST
  community profile reports no security policy or citation file: those stay `None`;
- `license` is the SPDX id, `NOASSERTION` for a licence GitHub could not identify, `None` for none;
- private or internal repositories are dropped (defence in depth);
- datetimes become `YYYY-MM-DDTHH:MM:SSZ` (UTC); empty strings become `None`;
- missing fields (older payloads: no `topics`, `visibility`, `is_template`) give `None`/`[]`;
  extra fields are ignored. A repository listed twice (pagination shifted by a repository added
  between pages) is kept once, as its last listing says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from oshs.errors import SnapshotError

SNAPSHOT_FORMAT = 1


@dataclass(frozen=True)
class OrganisationCollection:
    """One organisation as one snapshot saw it: its record and its public repositories."""

    organisation: dict[str, Any]
    repositories: list[dict[str, Any]]
    collected_on: str
    api: str


def normalise_snapshot(doc: dict[str, Any]) -> OrganisationCollection:
    """Normalise one raw snapshot document (see docs/architecture.md) by its `api`."""
    if not isinstance(doc, dict):
        raise SnapshotError("snapshot: expected a JSON object at the top level")
    fmt = doc.get("format", SNAPSHOT_FORMAT)
    if fmt != SNAPSHOT_FORMAT:
        raise SnapshotError(f"snapshot: unsupported format {fmt!r}, expected {SNAPSHOT_FORMAT}")
    api = doc.get("api")
    normaliser = _NORMALISERS.get(api) if isinstance(api, str) else None
    if normaliser is None:
        known = ", ".join(sorted(_NORMALISERS))
        raise SnapshotError(f"snapshot: unknown api {api!r}, expected one of: {known}")
    return normaliser(doc)


def read_envelope(doc: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(configured login, collection date, organisation body) of a snapshot of either API."""
    login = required(doc, "login", str)
    collected_at = normalise_datetime(required(doc, "collected_at", str), "collected_at")
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


def _normalise_rest(doc: dict[str, Any]) -> OrganisationCollection:
    login, collected_on, org_body = read_envelope(doc)
    organisation = organisation_record_from_rest(
        org_body, doc.get("display_name"), collected_on, login=login
    )
    languages = _enrichment(doc, "languages")
    community = _enrichment(doc, "community")
    records = (
        repository_record_from_rest(
            item,
            organisation["login"],
            languages=_lookup(languages, item.get("full_name")),
            community=_lookup(community, item.get("full_name")),
        )
        for item in _rest_items(doc)
        if is_public(item)
    )
    return collection_of(organisation, records, collected_on, "rest")


def _normalise_graphql(doc: dict[str, Any]) -> OrganisationCollection:
    """The GraphQL normaliser (`oshs.normalise_graphql`): same records, richer values."""
    from oshs.normalise_graphql import normalise_graphql  # imports this module

    return normalise_graphql(doc)


_NORMALISERS: dict[str, Callable[[dict[str, Any]], OrganisationCollection]] = {
    "rest": _normalise_rest,
    "graphql": _normalise_graphql,
}


def organisation_record_from_rest(
    body: dict[str, Any],
    display_name: str | None,
    collected_on: str,
    *,
    login: str | None = None,
) -> dict[str, Any]:
    """Flatten a `GET /orgs/{org}` body to an `organisations.csv` record (without `stale`).

    `login` (the configured one) is used only when the body has none.
    """
    org_login = as_text(body.get("login")) or login
    if not org_login:
        raise SnapshotError("snapshot: organisation body has no 'login'")
    return {
        "login": org_login,
        "name": as_text(display_name) or as_text(body.get("name")) or org_login,
        "id": as_int(body.get("id"), "organisation id"),
        "description": as_text(body.get("description")),
        "html_url": as_text(body.get("html_url")),
        "website": as_text(body.get("blog")),
        "location": as_text(body.get("location")),
        "created_at": normalise_datetime(body.get("created_at"), "organisation created_at"),
        "is_verified": as_bool(body.get("is_verified")),
        "public_repositories": as_int(body.get("public_repos"), "public_repos"),
        "collected_on": collected_on,
    }


def repository_record_from_rest(
    item: dict[str, Any],
    organisation_login: str,
    languages: dict[str, int] | None = None,
    community: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Flatten one REST repository item (+ optional enrichment bodies) to an internal record."""
    repo_id = as_int(item.get("id"), "repository id")
    if repo_id is None:
        raise SnapshotError(f"snapshot: repository {item.get('full_name')!r} has no 'id'")
    license_id, license_name = license_fields(item.get("license"))
    record: dict[str, Any] = {
        "id": repo_id,
        "organisation": organisation_login,
        "name": as_text(item.get("name")),
        "full_name": as_text(item.get("full_name")),
        "description": as_text(item.get("description")),
        "html_url": as_text(item.get("html_url")),
        "homepage": as_text(item.get("homepage")),
        "created_at": normalise_datetime(item.get("created_at"), "created_at"),
        "updated_at": normalise_datetime(item.get("updated_at"), "updated_at"),
        "pushed_at": normalise_datetime(item.get("pushed_at"), "pushed_at"),
        "language": as_text(item.get("language")),
        "license": license_id,
        "license_name": license_name,
        "topics": sorted({t for t in item.get("topics") or [] if isinstance(t, str) and t}),
        "stars": as_int(item.get("stargazers_count"), "stargazers_count"),
        "forks": as_int(item.get("forks_count"), "forks_count"),
        "open_issues": None,  # REST's open_issues_count includes pull requests
        "open_pull_requests": None,
        "size_kb": as_int(item.get("size"), "size"),
        "default_branch": as_text(item.get("default_branch")),
        "fork": as_bool(item.get("fork")),
        "archived": as_bool(item.get("archived")),
        "is_template": as_bool(item.get("is_template")),
        "has_issues": as_bool(item.get("has_issues")),
        "has_wiki": as_bool(item.get("has_wiki")),
    }
    record.update(community_flags_from_rest(community))
    record["languages"] = language_bytes(languages, record["full_name"])
    return record


_COMMUNITY_FILES = {
    "has_readme": ("readme",),
    "has_license_file": ("license",),
    "has_contributing": ("contributing",),
    "has_code_of_conduct": ("code_of_conduct", "code_of_conduct_file"),
}


def community_flags_from_rest(body: dict[str, Any] | None) -> dict[str, bool | None]:
    """`has_*` flags from a community profile body; all `None` without one.

    A flag is `None` when the profile does not report that file at all (security policy and
    citation are not part of GitHub's REST community profile).
    """
    flags: dict[str, bool | None] = dict.fromkeys(
        (*_COMMUNITY_FILES, "has_security_policy", "has_citation")
    )
    files = body.get("files") if isinstance(body, dict) else None
    if not isinstance(files, dict):
        return flags
    for column, keys in _COMMUNITY_FILES.items():
        reported = [key for key in keys if key in files]
        if reported:
            flags[column] = any(files[key] is not None for key in reported)
    return flags


def is_public(item: dict[str, Any]) -> bool:
    """True only for a payload that says it is public; private and internal ones are never
    written anywhere. Older payloads have no `visibility`, but every one has `private`."""
    return item.get("private") is False and item.get("visibility", "public") == "public"


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


def _rest_items(doc: dict[str, Any]) -> list[dict[str, Any]]:
    pages = required(doc, "pages", list)
    items: list[dict[str, Any]] = []
    for number, page in enumerate(pages, start=1):
        body = page.get("body") if isinstance(page, dict) else None
        if not isinstance(body, list) or not all(isinstance(i, dict) for i in body):
            raise SnapshotError(f"snapshot: page {number} has no list of repositories as 'body'")
        items.extend(body)
    return items


def _enrichment(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key) or {}
    if not isinstance(value, dict):
        raise SnapshotError(f"snapshot: '{key}' must be an object keyed by full name")
    return {name.lower(): entry for name, entry in value.items() if isinstance(entry, dict)}


def _lookup(enrichment: dict[str, Any], full_name: Any) -> Any:
    if not isinstance(full_name, str):
        return None
    entry = enrichment.get(full_name.lower())
    return entry.get("body") if entry is not None else None


def required(doc: dict[str, Any], key: str, kind: type) -> Any:
    value = doc.get(key)
    if not isinstance(value, kind):
        raise SnapshotError(f"snapshot: '{key}' is missing or not a {kind.__name__}")
    return value


def as_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def as_int(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SnapshotError(f"snapshot: {what} is {value!r}, expected an integer")
    return value


def as_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None
