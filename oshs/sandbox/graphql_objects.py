"""GraphQL objects of the sandbox: dataset organisations and repositories as GitHub types.

Objects are dicts for graphql-core's default resolver; a connection or a field with arguments
is a callable ``(info, **arguments)``. Cursors encode the sort key of an item, so paging stays
stable when repositories are added or removed between pages. The dataset knows open issue and
pull request counts only: closed and merged ones count 0. Code of conduct, contributing
guidelines and security policy come from the repository's root files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from oshs.sandbox.rest import WEB, DatasetIndex, Viewer, languages_body, primary_language


class GitHubError(Exception):
    """A resolver error reported with GitHub's ``type`` (e.g. ``NOT_FOUND``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


Json = dict[str, Any]
ORDER_KEYS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "CREATED_AT": lambda repo: repo.get("created_at") or "",
    "NAME": lambda repo: repo["name"].lower(),
    "PUSHED_AT": lambda repo: repo.get("pushed_at") or "",
    "STARGAZERS": lambda repo: int(repo.get("stargazers_count", 0)),
    "UPDATED_AT": lambda repo: repo.get("updated_at") or "",
}


def root(index: DatasetIndex, viewer: Viewer, rate: Json, dry_run: bool) -> Json:
    """The root value: ``organization(login)`` and ``rateLimit`` (nothing else runs on dry run)."""

    def organization(_info: Any, login: str) -> Json | None:
        if dry_run:
            return None
        org = index.org(login)
        if org is None:
            message = f"Could not resolve to an Organization with the login of '{login}'."
            raise GitHubError("NOT_FOUND", message)
        return organization_object(org, viewer)

    return {"organization": organization, "rateLimit": lambda _info, **_: rate}


def organization_object(org: Mapping[str, Any], viewer: Viewer) -> Json:
    """An ``Organization`` whose repositories are those `viewer` may see."""
    visible = [repo for repo in org.get("repositories", []) if viewer.can_see(org, repo)]
    return {
        "login": org["login"],
        "name": org.get("name"),
        "databaseId": org["id"],
        "description": org.get("description"),
        "websiteUrl": org.get("blog") or None,
        "location": org.get("location"),
        "createdAt": org["created_at"],
        "isVerified": bool(org.get("is_verified", False)),
        "url": f"{WEB}/{org['login']}",
        "repositories": lambda _info, **args: repositories(org, visible, args),
    }


def repositories(org: Mapping[str, Any], visible: list[Json], args: Json) -> Json:
    """``Organization.repositories``: privacy and fork filters, ordered, cursor-paged."""
    privacy, fork = args.get("privacy"), args.get("isFork")
    repos = [
        repo
        for repo in visible
        if (
            privacy is None
            or (repo.get("visibility", "public") == "public") == (privacy == "PUBLIC")
        )
        and (fork is None or bool(repo.get("fork", False)) == fork)
    ]
    order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
    by = ORDER_KEYS[order["field"]]
    return connection(
        repos,
        lambda repo: [by(repo), repo["id"]],
        args,
        lambda repo: repository_object(org, repo),
        reverse=order["direction"] == "DESC",
    )


def connection(
    items: list[Any],
    key: Callable[[Any], list],
    args: Json,
    node: Callable[[Any], Any],
    *,
    reverse: bool = False,
    edge: Callable[[Any], Json] | None = None,
) -> Json:
    """A cursor-paged connection over `items` (cursors encode the sort key: stable paging)."""
    ordered = sorted(items, key=key, reverse=reverse)
    after, before = _cursor(args.get("after")), _cursor(args.get("before"))
    after_ok = (lambda k: k < after) if reverse else (lambda k: k > after)
    before_ok = (lambda k: k > before) if reverse else (lambda k: k < before)
    window = [
        item
        for item in ordered
        if (after is None or after_ok(key(item))) and (before is None or before_ok(key(item)))
    ]
    first, last = args.get("first"), args.get("last")
    page = window[:first] if first is not None else window
    page = page[len(page) - last :] if last is not None and last < len(page) else page
    cursors = [encode_cursor(key(item)) for item in page]
    return {
        "totalCount": len(ordered),
        "nodes": [node(item) for item in page],
        "edges": [
            {"cursor": cursor, "node": node(item), **(edge(item) if edge else {})}
            for cursor, item in zip(cursors, page, strict=True)
        ],
        "pageInfo": {
            "hasNextPage": first is not None and len(window) > first,
            "hasPreviousPage": last is not None and len(window) > last,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


def encode_cursor(key: list) -> str:
    """An opaque cursor for a sort key."""
    return base64.b64encode(("cursor:v2:" + json.dumps(key)).encode()).decode()


def _cursor(value: str | None) -> list | None:
    if value is None:
        return None
    try:
        text = base64.b64decode(value, validate=True).decode()
        key = json.loads(text.removeprefix("cursor:v2:")) if text.startswith("cursor:v2:") else None
    except ValueError:
        key = None
    if not isinstance(key, list):
        raise GitHubError(
            "INVALID_CURSOR_ARGUMENTS", f"`{value}` does not appear to be a valid cursor."
        )
    return key


def git_oid(*parts: str) -> str:
    """A deterministic 40-hex object id."""
    return hashlib.sha1("\0".join(parts).encode(), usedforsecurity=False).hexdigest()


def repository_object(org: Mapping[str, Any], repo: Mapping[str, Any]) -> Json:
    """A ``Repository`` (`databaseId` is the dataset id; counts as the dataset says)."""
    full_name = f"{org['login']}/{repo['name']}"
    visibility = repo.get("visibility", "public").upper()
    language = primary_language(repo.get("languages"))
    files = list(repo.get("files", []))
    return {
        "databaseId": repo["id"],
        "name": repo["name"],
        "nameWithOwner": full_name,
        "description": repo.get("description"),
        "homepageUrl": repo.get("homepage"),
        "url": f"{WEB}/{full_name}",
        "createdAt": repo.get("created_at"),
        "updatedAt": repo.get("updated_at"),
        "pushedAt": repo.get("pushed_at"),
        "primaryLanguage": {"name": language} if language else None,
        "languages": lambda _info, **args: languages(repo, args),
        "repositoryTopics": lambda _info, **args: topics(repo, args),
        "licenseInfo": license_info(repo.get("license")),
        "stargazerCount": int(repo.get("stargazers_count", 0)),
        "forkCount": int(repo.get("forks_count", 0)),
        "issues": lambda _info, **args: counted(repo, args, {"OPEN": "open_issues"}),
        "pullRequests": lambda _info, **args: counted(repo, args, {"OPEN": "open_pull_requests"}),
        "diskUsage": int(repo.get("size", 0)),
        "defaultBranchRef": {"name": repo.get("default_branch", "main")},
        "isFork": bool(repo.get("fork", False)),
        "isArchived": bool(repo.get("archived", False)),
        "isTemplate": bool(repo.get("is_template", False)),
        "isPrivate": visibility != "PUBLIC",
        "visibility": visibility,
        "hasIssuesEnabled": bool(repo.get("has_issues", True)),
        "hasWikiEnabled": bool(repo.get("has_wiki", True)),
        **community(full_name, repo.get("default_branch", "main"), files),
        "object": lambda _info, **args: tree(
            full_name, repo.get("default_branch", "main"), files, args
        ),
    }


def languages(repo: Mapping[str, Any], args: Json) -> Json:
    """``Repository.languages``: by size, largest first unless ``orderBy`` says ``ASC``."""
    items = list(enumerate(languages_body(repo.get("languages")).items()))
    order = args.get("orderBy") or {"direction": "DESC"}
    if order["direction"] == "ASC":
        items = [(index, item) for index, (_, item) in enumerate(reversed(items))]
    page = connection(
        items,
        lambda item: [item[0]],
        args,
        lambda item: {"name": item[1][0]},
        edge=lambda item: {"size": item[1][1]},
    )
    page["totalSize"] = sum(size for _, (_, size) in items)
    return page


def topics(repo: Mapping[str, Any], args: Json) -> Json:
    """``Repository.repositoryTopics`` in the dataset's order."""
    items = list(enumerate(repo.get("topics", [])))
    return connection(
        items, lambda item: [item[0]], args, lambda item: {"topic": {"name": item[1]}}
    )


def counted(repo: Mapping[str, Any], args: Json, fields: Mapping[str, str]) -> Json:
    """``issues``/``pullRequests`` count by ``states`` (the dataset knows open ones only)."""
    states = args.get("states") or ["OPEN"]
    return {"totalCount": sum(int(repo.get(fields[s], 0)) for s in set(states) if s in fields)}


def license_info(license_: Mapping[str, Any] | None) -> Json | None:
    """``License``: ``spdxId`` is ``NOASSERTION`` for a licence GitHub could not identify."""
    if not license_:
        return None
    return {
        "key": license_["key"],
        "name": license_["name"],
        "spdxId": license_.get("spdx_id") or "NOASSERTION",
    }


ROOT_FILES = {
    "code_of_conduct": re.compile(r"code[_-]of[_-]conduct(\..+)?", re.IGNORECASE),
    "contributing": re.compile(r"contributing(\..+)?", re.IGNORECASE),
    "security": re.compile(r"security(\..+)?", re.IGNORECASE),
}


def _root_file(files: list[str], kind: str) -> str | None:
    return next((name for name in sorted(files) if ROOT_FILES[kind].fullmatch(name)), None)


def community(full_name: str, branch: str, files: list[str]) -> Json:
    """Code of conduct, contributing guidelines and security policy from the root files."""
    blob = f"{WEB}/{full_name}/blob/{branch}"
    conduct = _root_file(files, "code_of_conduct")
    contributing = _root_file(files, "contributing")
    return {
        "codeOfConduct": (
            {"key": "other", "name": "Other", "body": None, "url": f"{blob}/{conduct}"}
            if conduct
            else None
        ),
        "contributingGuidelines": (
            {"body": f"Contributing to {full_name}", "url": f"{blob}/{contributing}"}
            if contributing
            else None
        ),
        "isSecurityPolicyEnabled": _root_file(files, "security") is not None,
    }


def tree(full_name: str, branch: str, files: list[str], args: Json) -> Json | None:
    """``Repository.object``: the root ``Tree`` for ``HEAD:`` or ``<default branch>:``."""
    if args.get("oid") is not None or args.get("expression") not in ("HEAD:", f"{branch}:"):
        return None
    oid = git_oid(full_name, "tree")
    entries = [
        {"name": name, "path": name, "type": "blob", "oid": git_oid(full_name, name)}
        for name in files
    ]
    return {"__typename": "Tree", "oid": oid, "abbreviatedOid": oid[:7], "entries": entries}
