"""GitLab's REST API (v4) in the sandbox, below ``<base>/gitlab/api/v4``, from a dataset's
``gitlab_groups`` (see docs/architecture.md).

The endpoints `oshs` and GitLab clients use to read a group: the group, its projects
(``include_subgroups``, ``with_shared`` (default true, as on GitLab), ``visibility``,
``order_by``, ``sort``, ``per_page``/``page``), and a project, its languages (percentages), its
merge requests (``state``) and its repository's root tree. Pagination headers as GitLab sends
them (``Link`` with first/prev/next/last, ``X-Page``, ``X-Per-Page``, ``X-Next-Page``,
``X-Prev-Page``, ``X-Total``, ``X-Total-Pages``), its error bodies (``{"message": "404 Group
Not Found"}``), and its rate-limit headers (``RateLimit-*``; past the limit a 429 with
``Retry-After``). Private and internal projects and groups are seen only by a member's token
(``member-of-<top-level group path>``, sent as ``PRIVATE-TOKEN`` or ``Authorization: Bearer``).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from oshs.sandbox.ratelimit import identity_of
from oshs.sandbox.rest import MEMBER_TOKEN, Json, bounded, page_url
from oshs.sandbox.server import Context, Reply, read_token

WEB = "https://gitlab.com"
LIMITS = {True: 2000, False: 500}
"""Requests per window (GitLab.com: per minute) when the sandbox's limiter sets no `gitlab`."""
ORDER_FIELDS = ("id", "name", "path", "created_at", "updated_at", "last_activity_at", "star_count")


def groups_of(dataset: Mapping[str, Any]) -> Iterator[tuple[Json, Json]]:
    """Every (group, top-level group) of the dataset, subgroups included, depth first."""

    def walk(group: Json, top: Json) -> Iterator[tuple[Json, Json]]:
        yield group, top
        for child in group.get("subgroups", []):
            yield from walk(child, top)

    for group in dataset.get("gitlab_groups", []):
        yield from walk(group, group)


def find_group(dataset: Mapping[str, Any], key: str) -> tuple[Json, Json] | None:
    """(group, its top-level group) by numeric id or full path (any case)."""
    key = unquote(key).lower()
    for group, top in groups_of(dataset):
        if str(group["id"]) == key or group["full_path"].lower() == key:
            return group, top
    return None


def own_projects(group: Json) -> Iterator[tuple[Json, Json]]:
    """(project, its namespace group) of `group` and all its subgroups."""
    for project in group.get("projects", []):
        yield project, group
    for child in group.get("subgroups", []):
        yield from own_projects(child)


def find_project(dataset: Mapping[str, Any], key: str) -> tuple[Json, Json, Json] | None:
    """(project, namespace group, top-level group) by numeric id or full path."""
    key = unquote(key).lower()
    for top in dataset.get("gitlab_groups", []):
        for project, group in own_projects(top):
            full = f"{group['full_path']}/{project['path']}".lower()
            if str(project["id"]) == key or full == key:
                return project, group, top
    return None


class GitlabViewer:
    """Who asks: a token or none, and the top-level group paths it is a member of."""

    def __init__(self, ctx: Context) -> None:
        token = ctx.headers.get("PRIVATE-TOKEN") or read_token(ctx.headers.get("Authorization"))
        self.authenticated = bool(token)
        match = MEMBER_TOKEN.fullmatch(token or "")
        self.member_of = {match["login"].lower()} if match else set()
        self.identity = identity_of(token, "") if token else ctx.identity

    def sees(self, item: Json, top: Json) -> bool:
        """Public items are seen by all; private and internal ones by members only."""
        return item.get("visibility", "public") == "public" or top["full_path"].lower() in (
            self.member_of
        )


def group_body(group: Json, parent: Json | None = None) -> Json:
    """GitLab's ``Details of a group`` body (without the deprecated project lists)."""
    return {
        "id": group["id"],
        "web_url": f"{WEB}/groups/{group['full_path']}",
        "name": group["name"],
        "path": group["full_path"].rsplit("/", 1)[-1],
        "description": group.get("description") or "",
        "visibility": group.get("visibility", "public"),
        "full_name": group.get("full_name") or group["name"],
        "full_path": group["full_path"],
        "created_at": group.get("created_at"),
        "parent_id": parent["id"] if parent else None,
        "avatar_url": None,
        "request_access_enabled": True,
        "share_with_group_lock": False,
    }


def namespace_body(group: Json) -> Json:
    """A project's ``namespace`` object."""
    return {
        "id": group["id"],
        "name": group["name"],
        "path": group["full_path"].rsplit("/", 1)[-1],
        "kind": "group",
        "full_path": group["full_path"],
        "parent_id": group.get("parent_id"),
        "avatar_url": None,
        "web_url": f"{WEB}/groups/{group['full_path']}",
    }


def project_body(project: Json, group: Json, license_: bool = False) -> Json:
    """GitLab's project body (as listed, or ``GET /projects/:id``, with ``license=true``)."""
    full_path = f"{group['full_path']}/{project['path']}"
    web = f"{WEB}/{full_path}"
    body: Json = {
        "id": project["id"],
        "description": project.get("description"),
        "name": project.get("name") or project["path"],
        "name_with_namespace": f"{group['name']} / {project.get('name') or project['path']}",
        "path": project["path"],
        "path_with_namespace": full_path,
        "created_at": project["created_at"],
        "updated_at": project.get("updated_at") or project["last_activity_at"],
        "default_branch": project.get("default_branch"),
        "tag_list": list(project.get("topics", [])),
        "topics": list(project.get("topics", [])),
        "ssh_url_to_repo": f"git@gitlab.com:{full_path}.git",
        "http_url_to_repo": f"{web}.git",
        "web_url": web,
        "readme_url": readme_url(project, web),
        "forks_count": project.get("forks_count", 0),
        "avatar_url": None,
        "star_count": project.get("star_count", 0),
        "last_activity_at": project["last_activity_at"],
        "namespace": namespace_body(group),
        "visibility": project.get("visibility", "public"),
        "archived": bool(project.get("archived")),
        "empty_repo": not project.get("files"),
        "issues_enabled": project.get("issues_enabled", True),
        "merge_requests_enabled": True,
        "wiki_enabled": project.get("wiki_enabled", True),
    }
    if body["issues_enabled"]:
        body["open_issues_count"] = project.get("open_issues_count", 0)
    if project.get("forked_from_id"):
        body["forked_from_project"] = {"id": project["forked_from_id"]}
    if license_:
        body["license_url"] = f"{web}/-/blob/main/LICENSE" if project.get("license") else None
        body["license"] = license_body(project.get("license"))
    return body


def readme_url(project: Json, web: str) -> str | None:
    """The ``readme_url`` GitLab gives: the root README's blob URL, if there is one."""
    names = [name for name in project.get("files", []) if name.lower().startswith("readme")]
    branch = project.get("default_branch") or "main"
    return f"{web}/-/blob/{branch}/{names[0]}" if names else None


def license_body(license_: Json | None) -> Json | None:
    """GitLab's ``license`` object: key, name, nickname, html_url, source_url."""
    if not license_:
        return None
    return {
        "key": license_["key"],
        "name": license_["name"],
        "nickname": license_.get("nickname"),
        "html_url": f"https://choosealicense.com/licenses/{license_['key']}/",
        "source_url": None,
    }


def pagination(ctx: Context, url: str, total: int, page: int, per_page: int) -> dict[str, str]:
    """GitLab's pagination headers for `page` of `total` items."""
    pages = max(1, math.ceil(total / per_page))
    links = [("prev", page - 1)] if page > 1 else []
    links += [("next", page + 1)] if page < pages else []
    links += [("first", 1), ("last", pages)]
    return {
        "Link": ", ".join(f'<{page_url(url, ctx.query, n)}>; rel="{rel}"' for rel, n in links),
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Next-Page": str(page + 1) if page < pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
        "X-Total": str(total),
        "X-Total-Pages": str(pages),
    }


def paged(ctx: Context, url: str, items: list[Json]) -> Reply:
    """One page of `items` (``per_page`` default 20, at most 100) with GitLab's headers."""
    per_page = bounded(ctx.arg("per_page"), 20, 1, 100)
    page = bounded(ctx.arg("page"), 1, 1)
    body = items[(page - 1) * per_page : page * per_page]
    return Reply(200, body, pagination(ctx, url, len(items), page, per_page))


def not_found(what: str) -> Reply:
    """GitLab's 404 body, e.g. ``{"message": "404 Group Not Found"}``."""
    return Reply(404, {"message": f"404 {what} Not Found"})


def group_projects(ctx: Context, viewer: GitlabViewer, group: Json, top: Json) -> list[Json]:
    """The projects ``GET /groups/:id/projects`` lists for the query, ordered."""
    subgroups = ctx.arg("include_subgroups") == "true"
    found = list(own_projects(group)) if subgroups else [(p, group) for p in group["projects"]]
    if ctx.arg("with_shared", "true") != "false":
        found += [(p, {**p["namespace"]}) for p in group.get("shared_projects", [])]
    wanted = ctx.arg("visibility")
    items = [
        project_body(project, namespace)
        for project, namespace in found
        if viewer.sees(project, top) and (not wanted or project.get("visibility") == wanted)
    ]
    order = ctx.arg("order_by") if ctx.arg("order_by") in ORDER_FIELDS else "created_at"
    reverse = ctx.arg("sort", "desc") != "asc"
    return sorted(items, key=lambda item: (item[order], item["id"]), reverse=reverse)


def answer(ctx: Context, viewer: GitlabViewer, path: str) -> Reply:
    """The reply to ``GET <path>`` below ``/api/v4``."""
    dataset = ctx.index.dataset
    parts = path.strip("/").split("/")
    base = f"{ctx.base_url}/gitlab/api/v4"
    if parts[0] == "groups" and len(parts) in (2, 3):
        found = find_group(dataset, parts[1])
        if found is None or not viewer.sees(found[0], found[1]):
            return not_found("Group")
        if len(parts) == 2:
            return Reply(200, group_body(found[0], parent_of(dataset, found[0])))
        if parts[2] == "projects":
            url = f"{base}/groups/{found[0]['id']}/projects"
            return paged(ctx, url, group_projects(ctx, viewer, *found))
    if parts[0] == "projects" and len(parts) >= 2:
        project = find_project(dataset, parts[1])
        if project is None or not viewer.sees(project[0], project[2]):
            return not_found("Project")
        return project_answer(ctx, project, parts[2:], f"{base}/projects/{project[0]['id']}")
    return Reply(404, {"error": "404 Not Found"})


def parent_of(dataset: Mapping[str, Any], group: Json) -> Json | None:
    """The group whose subgroup `group` is, or None for a top-level group."""
    return next(
        (g for g, _ in groups_of(dataset) if any(c is group for c in g.get("subgroups", []))),
        None,
    )


def project_answer(
    ctx: Context, found: tuple[Json, Json, Json], rest: list[str], url: str
) -> Reply:
    """``GET /projects/:id`` and its ``languages``, ``merge_requests``, ``repository/tree``."""
    project, group, _ = found
    if not rest:
        return Reply(200, project_body(project, group, ctx.arg("license") == "true"))
    if rest == ["languages"]:
        return Reply(200, dict(project.get("languages") or {}))
    if rest == ["merge_requests"]:
        state = ctx.arg("state", "all")
        opened = project.get("open_merge_requests", 0) if state in ("opened", "all") else 0
        items = [merge_request(project, number) for number in range(opened, 0, -1)]
        return paged(ctx, url + "/merge_requests", items)
    if rest == ["repository", "tree"]:
        if not project.get("files"):
            return not_found("Tree")
        entries = [tree_entry(name) for name in sorted(project["files"])]
        return paged(ctx, url + "/repository/tree", entries)
    return Reply(404, {"error": "404 Not Found"})


def merge_request(project: Json, number: int) -> Json:
    """A minimal open merge request of `project` (GitLab's list entity, main fields)."""
    return {
        "id": project["id"] * 1000 + number,
        "iid": number,
        "project_id": project["id"],
        "title": f"Merge request {number}",
        "state": "opened",
        "created_at": project["last_activity_at"],
        "web_url": f"{WEB}/-/merge_requests/{number}",
    }


def tree_entry(name: str) -> Json:
    """One entry of a repository tree (a file in the root)."""
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()
    return {"id": digest, "name": name, "type": "blob", "path": name, "mode": "100644"}


def serve(ctx: Context) -> Reply:
    """Route handler of ``/gitlab/api/v4/...``: GitLab's rate limit, then the endpoint."""
    viewer = GitlabViewer(ctx)
    limit = ctx.limiter.limit("gitlab", viewer.authenticated) or LIMITS[viewer.authenticated]
    status = ctx.limiter.status(viewer.identity, "gitlab", viewer.authenticated)
    reset = status.reset
    if status.used >= limit:
        headers = rate_headers(limit, status.used, reset)
        headers["Retry-After"] = str(max(1, reset - int(time.time())))
        return Reply(429, {"message": "429 Too Many Requests"}, headers, cost=0)
    ctx.limiter.charge(viewer.identity, "gitlab", viewer.authenticated, 1)
    reply = answer(ctx, viewer, ctx.params[0] if ctx.params else "/")
    reply.headers.update(rate_headers(limit, status.used + 1, reset))
    reply.cost = 0
    return reply


def rate_headers(limit: int, used: int, reset: int) -> dict[str, str]:
    """GitLab's ``RateLimit-*`` headers."""
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(reset))
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Observed": str(used),
        "RateLimit-Remaining": str(max(0, limit - used)),
        "RateLimit-Reset": str(reset),
        "RateLimit-ResetTime": when,
    }
