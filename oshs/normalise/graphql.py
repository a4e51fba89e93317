"""The GraphQL normaliser: a raw GraphQL snapshot (`oshs.collect.graphql`) → internal records.

The records are the REST normaliser's (`oshs.normalise.rest`), with what GraphQL knows on top:

- ``open_issues`` (issues only) and ``open_pull_requests`` are the ``openIssues`` and
  ``openPullRequests`` counts (``states: OPEN``);
- ``languages`` is ``{language: bytes}`` from the ``languages`` edges (``None`` if null);
- ``license`` is the SPDX id, ``NOASSERTION`` for a licence GitHub could not identify (key
  ``other`` or no SPDX id), ``None`` for none, as over REST;
- community flags come from the root tree's entries (``rootTree``, case-insensitive:
  ``README*``, ``LICENSE*``/``LICENCE*``/``COPYING*``, ``CONTRIBUTING*``, ``CODE_OF_CONDUCT*``,
  ``SECURITY*``, ``CITATION.cff``; the root only, not ``.github/`` or ``docs/``), and also from
  ``codeOfConduct``, ``contributingGuidelines`` and ``isSecurityPolicyEnabled``, which GitHub
  detects in those folders too. A null root tree (an empty repository) has no files; a node
  without the ``rootTree`` key (another query) leaves the file flags ``None``;
- nodes that do not say ``visibility: PUBLIC`` and ``isPrivate: false`` are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache
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
from oshs.snapshot import is_public_graphql_node

ROOT_FILES = {
    "has_readme": re.compile(r"readme(\..+)?", re.IGNORECASE),
    "has_license_file": re.compile(r"(licen[cs]e|copying)([.-].+)?", re.IGNORECASE),
    "has_contributing": re.compile(r"contributing(\..+)?", re.IGNORECASE),
    "has_code_of_conduct": re.compile(r"code[_-]of[_-]conduct(\..+)?", re.IGNORECASE),
    "has_security_policy": re.compile(r"security(\..+)?", re.IGNORECASE),
    "has_citation": re.compile(r"citation\.cff", re.IGNORECASE),
}


def normalise_graphql(doc: dict[str, Any]) -> OrganisationCollection:
    """Normalise a raw snapshot document with ``api: "graphql"``."""
    login, collected_on, body = read_envelope(doc)
    organisation = organisation_record_from_graphql(
        body, doc.get("display_name"), collected_on, login=login
    )
    records = (
        repository_record_from_graphql(node, organisation["login"])
        for node in _nodes(doc)
        if is_public_graphql_node(node)
    )
    return collection_of(organisation, records, collected_on, "graphql")


GRAPHQL_ORGANISATION_KEYS = {
    "id": "databaseId",
    "html_url": "url",
    "website": "websiteUrl",
    "created_at": "createdAt",
    "is_verified": "isVerified",
}


def organisation_record_from_graphql(
    body: dict[str, Any], display_name: str | None, collected_on: str, *, login: str | None = None
) -> dict[str, Any]:
    """Flatten an ``Organization`` object to an `organisations.csv` record (without `stale`)."""
    return organisation_record(
        body,
        display_name,
        collected_on,
        login=login,
        keys=GRAPHQL_ORGANISATION_KEYS,
        public_repositories=as_int(_count(body, "publicRepositories"), "publicRepositories"),
    )


def repository_record_from_graphql(node: dict[str, Any], organisation_login: str) -> dict[str, Any]:
    """Flatten one ``Repository`` node to an internal record."""
    full_name = as_text(node.get("nameWithOwner"))
    repo_id = as_int(node.get("databaseId"), "repository databaseId")
    if repo_id is None:
        raise SnapshotError(f"snapshot: repository {full_name!r} has no 'databaseId'")
    license_id, license_name = license_fields(node.get("licenseInfo"), "spdxId")
    record: dict[str, Any] = {
        "id": repo_id,
        "platform": "github",
        "organisation": organisation_login,
        "name": as_text(node.get("name")),
        "full_name": full_name,
        "description": as_text(node.get("description")),
        "html_url": as_text(node.get("url")),
        "homepage": as_text(node.get("homepageUrl")),
        "created_at": normalise_datetime(node.get("createdAt"), "createdAt"),
        "updated_at": normalise_datetime(node.get("updatedAt"), "updatedAt"),
        "pushed_at": normalise_datetime(node.get("pushedAt"), "pushedAt"),
        "language": as_text(_field(node.get("primaryLanguage"), "name")),
        "license": license_id,
        "license_name": license_name,
        "topics": _topics(node.get("repositoryTopics")),
        "stars": as_int(node.get("stargazerCount"), "stargazerCount"),
        "forks": as_int(node.get("forkCount"), "forkCount"),
        "open_issues": as_int(_count(node, "openIssues"), "openIssues"),
        "open_pull_requests": as_int(_count(node, "openPullRequests"), "openPullRequests"),
        "size_kb": as_int(node.get("diskUsage"), "diskUsage"),
        "default_branch": as_text(_field(node.get("defaultBranchRef"), "name")),
        "fork": as_bool(node.get("isFork")),
        "archived": as_bool(node.get("isArchived")),
        "is_template": as_bool(node.get("isTemplate")),
        "has_issues": as_bool(node.get("hasIssuesEnabled")),
        "has_wiki": as_bool(node.get("hasWikiEnabled")),
    }
    record.update(community_flags_from_graphql(node))
    record["languages"] = language_bytes(_language_bytes(node.get("languages")), full_name)
    return record


def community_flags_from_graphql(node: dict[str, Any]) -> dict[str, bool | None]:
    """``has_*`` flags from the root tree and GitHub's own community detections."""
    if "rootTree" not in node:
        flags: dict[str, bool | None] = dict.fromkeys(ROOT_FILES)
    else:
        found = {kind for name in _entry_names(node.get("rootTree")) for kind in root_kinds(name)}
        flags = {column: column in found for column in ROOT_FILES}
    detected: dict[str, bool] = {
        "has_code_of_conduct": node.get("codeOfConduct") is not None,
        "has_contributing": node.get("contributingGuidelines") is not None,
        "has_security_policy": node.get("isSecurityPolicyEnabled") is True,
    }
    for column, seen in detected.items():
        if seen:
            flags[column] = True
    return flags


@lru_cache(maxsize=1 << 16)
def root_kinds(name: str) -> tuple[str, ...]:
    """The `ROOT_FILES` columns a root file name matches (names repeat across repositories)."""
    return tuple(column for column, pattern in ROOT_FILES.items() if pattern.fullmatch(name))


def _entry_names(tree: Any) -> list[str]:
    entries = tree.get("entries") if isinstance(tree, dict) else None
    return [
        entry["name"]
        for entry in entries or []
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
        and entry.get("type") != "tree"
    ]  # fmt: skip


def _nodes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for number, page in enumerate(required(doc, "pages", list), start=1):
        body = page.get("body") if isinstance(page, dict) else None
        org = body.get("organization") if isinstance(body, dict) else None
        connection = org.get("repositories") if isinstance(org, dict) else None
        items = connection.get("nodes") if isinstance(connection, dict) else None
        if not isinstance(items, list):
            raise SnapshotError(
                f"snapshot (graphql): page {number} has no 'organization.repositories.nodes' list"
            )
        nodes.extend(item for item in items if isinstance(item, dict))
    return nodes


def _topics(value: Any) -> list[str]:
    nodes = value.get("nodes") if isinstance(value, dict) else None
    names = {_field(_field(item, "topic"), "name") for item in nodes or []}
    return sorted(name for name in names if isinstance(name, str) and name)


def _language_bytes(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    edges = value.get("edges") if isinstance(value, dict) else None
    if not isinstance(edges, list):
        raise SnapshotError("snapshot: 'languages' has no list of 'edges'")
    result: dict[str, Any] = {}
    for edge in edges:
        name = _field(_field(edge, "node"), "name")
        if isinstance(name, str):
            result[name] = _field(edge, "size")
    return result


def _count(value: dict[str, Any], key: str) -> Any:
    return _field(value.get(key), "totalCount")


def _field(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None
