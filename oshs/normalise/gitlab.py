"""The GitLab normaliser: a raw GitLab snapshot (see `oshs.collect.gitlab`) → internal records.

The records have the columns of the GitHub normalisers (see `oshs.normalise.rest`), with:

- keys that never collide with GitHub's: the organisation is `gitlab:<group full path>` and a
  project's `id` is `gitlab:<project id>`; `platform` is `gitlab`;
- `name` is the project's `path` (its URL slug), `full_name` its `path_with_namespace` (with
  subgroups, more than one `/`), `html_url` its `web_url`;
- `pushed_at` is GitLab's `last_activity_at` (pushes, and also issues and merge requests: GitLab
  gives no push time); `updated_at` when GitLab sends it; `homepage`, `size_kb` (members only)
  and `is_template` are `None`;
- `open_issues` is GitLab's `open_issues_count` (issues only; `None` when issues are disabled);
  `open_pull_requests` the `X-Total` of the open merge requests (`None` when not given);
- `languages` is `None`, and `language_shares` GitLab's `{language: percent}` as fractions
  (GitLab gives no bytes): `languages.csv` gets `share` and leaves `bytes` empty; `language` is
  the language with the largest share (ties: alphabetical);
- `license` is the SPDX id of GitLab's licence key (`LICENSE_SPDX`), `NOASSERTION` for a
  licence it does not name; community flags come from the names in the repository's root.
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
    normalise_datetime,
    read_envelope,
    required,
)
from oshs.normalise.graphql import ROOT_FILES

LICENSE_SPDX = {
    "agpl-3.0": "AGPL-3.0", "apache-2.0": "Apache-2.0", "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause", "bsl-1.0": "BSL-1.0", "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa-4.0": "CC-BY-SA-4.0", "cc0-1.0": "CC0-1.0", "epl-2.0": "EPL-2.0",
    "gpl-2.0": "GPL-2.0", "gpl-3.0": "GPL-3.0", "isc": "ISC", "lgpl-2.1": "LGPL-2.1",
    "lgpl-3.0": "LGPL-3.0", "mit": "MIT", "mpl-2.0": "MPL-2.0", "ogl-uk-3.0": "OGL-UK-3.0",
    "unlicense": "Unlicense",
}  # fmt: skip
"""GitLab's licence keys (licensee's, lower-case SPDX ids) → SPDX ids."""


def gitlab_key(value: Any) -> str:
    """`gitlab:<value>`: the key of a GitLab group or project in the tables."""
    return f"gitlab:{value}"


def normalise_gitlab(doc: dict[str, Any]) -> OrganisationCollection:
    """Normalise a raw snapshot document with `api: "gitlab"`."""
    login, collected_on, body = read_envelope(doc)
    organisation = group_record(body, doc.get("display_name"), collected_on, login)
    details = doc.get("projects") or {}
    if not isinstance(details, dict):
        raise SnapshotError("snapshot: 'projects' must be an object keyed by project id")
    items = [item for page in required(doc, "pages", list) for item in _page_items(page)]
    records = [
        project_record(item, organisation["login"], details.get(str(item.get("id"))) or {})
        for item in items
        if item.get("visibility") == "public"
    ]
    organisation["public_repositories"] = len(records)
    return collection_of(organisation, records, collected_on, "gitlab")


def group_record(
    body: dict[str, Any], display_name: str | None, collected_on: str, login: str
) -> dict[str, Any]:
    """An `organisations.csv` record (without `stale`) of a GitLab group."""
    path = as_text(body.get("full_path")) or login
    return {
        "login": gitlab_key(path),
        "platform": "gitlab",
        "name": as_text(display_name) or as_text(body.get("name")) or path,
        "id": as_int(body.get("id"), "group id"),
        "description": as_text(body.get("description")),
        "html_url": as_text(body.get("web_url")),
        "website": None,
        "location": None,
        "created_at": normalise_datetime(body.get("created_at"), "group created_at"),
        "is_verified": None,
        "public_repositories": None,
        "collected_on": collected_on,
    }


def project_record(
    item: dict[str, Any], organisation: str, details: dict[str, Any]
) -> dict[str, Any]:
    """Flatten one GitLab project (+ its details) to an internal record."""
    project_id = as_int(item.get("id"), "project id")
    if project_id is None:
        raise SnapshotError(f"snapshot: project {item.get('path_with_namespace')!r} has no 'id'")
    shares = language_shares(_body(details, "languages"), item.get("path_with_namespace"))
    license_id, license_name = gitlab_license(_body(details, "license"))
    merges = details.get("merge_requests")
    record: dict[str, Any] = {
        "id": gitlab_key(project_id),
        "platform": "gitlab",
        "organisation": organisation,
        "name": as_text(item.get("path")),
        "full_name": as_text(item.get("path_with_namespace")),
        "description": as_text(item.get("description")),
        "html_url": as_text(item.get("web_url")),
        "homepage": None,
        "created_at": normalise_datetime(item.get("created_at"), "created_at"),
        "updated_at": normalise_datetime(item.get("updated_at"), "updated_at"),
        "pushed_at": normalise_datetime(item.get("last_activity_at"), "last_activity_at"),
        "language": top_language(shares),
        "license": license_id,
        "license_name": license_name,
        "topics": sorted({t for t in item.get("topics") or [] if isinstance(t, str) and t}),
        "stars": as_int(item.get("star_count"), "star_count"),
        "forks": as_int(item.get("forks_count"), "forks_count"),
        "open_issues": as_int(item.get("open_issues_count"), "open_issues_count"),
        "open_pull_requests": as_int(merges.get("x_total"), "merge requests X-Total")
        if isinstance(merges, dict)
        else None,
        "size_kb": None,
        "default_branch": as_text(item.get("default_branch")),
        "fork": isinstance(item.get("forked_from_project"), dict),
        "archived": as_bool(item.get("archived")),
        "is_template": None,
        "has_issues": as_bool(item.get("issues_enabled")),
        "has_wiki": as_bool(item.get("wiki_enabled")),
    }
    record.update(community_flags(details.get("tree")))
    record["languages"] = None
    record["language_shares"] = shares
    return record


def language_shares(body: Any, full_name: Any) -> dict[str, float] | None:
    """GitLab's `{language: percent}` as `{language: fraction}` sorted by language."""
    if body is None:
        return None
    if not isinstance(body, dict):
        raise SnapshotError(f"snapshot: languages of {full_name!r} are not a JSON object")
    shares = {}
    for language, percent in sorted(body.items()):
        if isinstance(percent, bool) or not isinstance(percent, int | float) or percent < 0:
            raise SnapshotError(
                f"snapshot: languages of {full_name!r}: {language!r} is {percent!r}, expected a "
                "percentage"
            )
        shares[language] = round(percent / 100, 6)
    return shares


def top_language(shares: dict[str, float] | None) -> str | None:
    """The language with the largest share (ties: the alphabetically first)."""
    if not shares:
        return None
    return min(shares, key=lambda language: (-shares[language], language.casefold(), language))


def gitlab_license(body: Any) -> tuple[str | None, str | None]:
    """(SPDX id, name) of GitLab's licence object; `NOASSERTION` for one not in
    `LICENSE_SPDX`; (None, None) for no licence."""
    if not isinstance(body, dict):
        return None, None
    key = str(body.get("key") or "").lower()
    return LICENSE_SPDX.get(key, "NOASSERTION"), as_text(body.get("name"))


def community_flags(tree: Any) -> dict[str, bool | None]:
    """`has_*` flags from the names in the repository's root; all `None` when not collected."""
    names = tree.get("names") if isinstance(tree, dict) else None
    if not isinstance(names, list):
        return dict.fromkeys(ROOT_FILES)
    return {
        column: any(isinstance(name, str) and pattern.fullmatch(name) for name in names)
        for column, pattern in ROOT_FILES.items()
    }


def _body(details: dict[str, Any], key: str) -> Any:
    entry = details.get(key)
    return entry.get("body") if isinstance(entry, dict) else None


def _page_items(page: Any) -> list[dict[str, Any]]:
    body = page.get("body") if isinstance(page, dict) else None
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise SnapshotError("snapshot: a page has no list of projects as 'body'")
    return body
