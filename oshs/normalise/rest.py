"""The REST normaliser: a raw REST snapshot (see `oshs.collect.rest`) → the internal records.

Records carry the columns of `organisations.csv` (minus `stale`) and `repositories.csv`
(minus `first_seen`, `last_seen`, `removed`) of SPEC §3.3, plus, for repositories,
`languages` ({language: bytes}). Conventions:

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

from typing import Any

from oshs.errors import SnapshotError
from oshs.normalise.common import (
    OrganisationCollection,
    as_bool,
    as_int,
    as_text,
    collection_of,
    language_bytes,
    license_fields,
    normalise_datetime,
    organisation_record,
    read_envelope,
    required,
)
from oshs.snapshot import is_public_rest_item


def normalise_rest(doc: dict[str, Any]) -> OrganisationCollection:
    """Normalise a raw snapshot document with `api: "rest"`."""
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
        if is_public_rest_item(item)
    )
    return collection_of(organisation, records, collected_on, "rest")


REST_ORGANISATION_KEYS = {
    "id": "id",
    "html_url": "html_url",
    "website": "blog",
    "created_at": "created_at",
    "is_verified": "is_verified",
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
    return organisation_record(
        body,
        display_name,
        collected_on,
        login=login,
        keys=REST_ORGANISATION_KEYS,
        public_repositories=as_int(body.get("public_repos"), "public_repos"),
    )


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
        "platform": "github",
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
