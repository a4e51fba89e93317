"""GitHub REST payloads derived from a sandbox dataset (shapes of GitHub's OpenAPI description).

Pure functions: a dataset organisation or repository (see docs/architecture.md) plus the base
URL the client used gives the JSON GitHub would send (``organization-full``,
``minimal-repository``, ``language``, ``community-profile``, ``basic-error``).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from oshs.errors import SandboxError

Json = dict[str, Any]
WEB = "https://github.com"
DOCS = "https://docs.github.com/rest"
REASONS = {304: "Not Modified", 403: "Forbidden", 404: "Not Found", 422: "Validation Failed"}
MEMBER_TOKEN = re.compile(r"member-of-(?P<login>.+)", re.IGNORECASE)


@dataclass(frozen=True)
class Viewer:
    """Who is asking: authenticated or not, and which organisations (lower-case) they belong to."""

    authenticated: bool
    member_of: frozenset[str] = frozenset()

    @classmethod
    def from_token(cls, token: str | None) -> Viewer:
        """Any token is accepted; ``member-of-<login>`` is a member of organisation `login`."""
        if not token:
            return cls(False)
        match = MEMBER_TOKEN.fullmatch(token)
        return cls(True, frozenset({match["login"].lower()}) if match else frozenset())

    def is_member(self, org: Mapping[str, Any]) -> bool:
        """Whether the viewer belongs to organisation `org`."""
        return org["login"].lower() in self.member_of

    def can_see(self, org: Mapping[str, Any], repo: Mapping[str, Any]) -> bool:
        """Public repositories are seen by all; private and internal ones by members only."""
        return repo.get("visibility", "public") == "public" or self.is_member(org)


class DatasetIndex:
    """Case-insensitive look-ups into a dataset (organisations by login and id, repositories)."""

    def __init__(self, dataset: Mapping[str, Any]) -> None:
        if not isinstance(dataset, Mapping) or not isinstance(dataset.get("organisations"), list):
            raise SandboxError("sandbox dataset: expected a mapping with a list 'organisations'")
        self.dataset = dataset
        self._by_login: dict[str, Json] = {}
        self._by_id: dict[int, Json] = {}
        self._repos: dict[tuple[str, str], Json] = {}
        for org in dataset["organisations"]:
            self._add(org)

    def _add(self, org: Json) -> None:
        try:
            login, repos = org["login"].lower(), org.get("repositories", [])
            self._by_login[login] = org
            self._by_id[int(org["id"])] = org
            for repo in repos:
                self._repos[(login, repo["name"].lower())] = repo
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise SandboxError(f"sandbox dataset: invalid organisation entry ({exc!r})") from None

    def org(self, login: str) -> Json | None:
        """The organisation whose login is `login`, in any case."""
        return self._by_login.get(login.lower())

    def org_by_id(self, org_id: int) -> Json | None:
        """The organisation with numeric id `org_id`."""
        return self._by_id.get(org_id)

    def repo(self, owner: str, name: str) -> tuple[Json, Json] | None:
        """(organisation, repository) for ``owner/name`` in any case, or None."""
        org = self.org(owner)
        repo = self._repos.get((owner.lower(), name.lower()))
        return (org, repo) if org is not None and repo is not None else None


def error_body(status: int, message: str | None = None) -> Json:
    """GitHub's ``basic-error`` body, e.g. ``{"message": "Not Found", ..., "status": "404"}``."""
    return {
        "message": message or REASONS.get(status, "Error"),
        "documentation_url": DOCS,
        "status": str(status),
    }


def node_id(kind: str, key: object) -> str:
    """A legacy GitHub global node id, e.g. ``MDEwOlJlcG9zaXRvcnkx`` for repository 1."""
    return base64.b64encode(f"0{len(kind)}:{kind}{key}".encode()).decode()


def avatar_url(account_id: int) -> str:
    """The avatar URL GitHub gives an account."""
    return f"https://avatars.githubusercontent.com/u/{account_id}?v=4"


def _present(payload: Json, source: Mapping[str, Any], keys: tuple[str, ...]) -> None:
    """Copy `keys` of `source` that are not None (fields GitHub's schema does not let be null)."""
    payload.update({key: source[key] for key in keys if source.get(key) is not None})


def organization_full(org: Mapping[str, Any], base: str, viewer: Viewer) -> Json:
    """The ``organization-full`` body of ``GET /orgs/{org}``; `base` is the client's API root."""
    login, url = org["login"], f"{base}/orgs/{org['login']}"
    repos = org.get("repositories", [])
    payload: Json = {
        "login": login,
        "id": org["id"],
        "node_id": node_id("Organization", org["id"]),
        "url": url,
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events",
        "hooks_url": f"{url}/hooks",
        "issues_url": f"{url}/issues",
        "members_url": f"{url}/members{{/member}}",
        "public_members_url": f"{url}/public_members{{/member}}",
        "avatar_url": avatar_url(org["id"]),
        "description": org.get("description"),
        "twitter_username": org.get("twitter_username"),
        "is_verified": bool(org.get("is_verified", False)),
        "has_organization_projects": True,
        "has_repository_projects": True,
        "public_repos": sum(1 for r in repos if r.get("visibility", "public") == "public"),
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "html_url": f"{WEB}/{login}",
        "created_at": org["created_at"],
        "updated_at": org.get("updated_at") or org["created_at"],
        "archived_at": None,
        "type": "Organization",
    }
    _present(payload, org, ("name", "company", "blog", "location", "email"))
    if viewer.is_member(org):
        hidden = sum(1 for r in repos if r.get("visibility", "public") != "public")
        payload.update(total_private_repos=hidden, owned_private_repos=hidden)
    return payload


def simple_owner(org: Mapping[str, Any], base: str) -> Json:
    """The ``simple-user`` owner object of an organisation's repositories."""
    login, url = org["login"], f"{base}/users/{org['login']}"
    return {
        "login": login,
        "id": org["id"],
        "node_id": node_id("Organization", org["id"]),
        "avatar_url": avatar_url(org["id"]),
        "gravatar_id": "",
        "url": url,
        "html_url": f"{WEB}/{login}",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": "Organization",
        "user_view_type": "public",
        "site_admin": False,
    }


def license_simple(license_: Mapping[str, Any] | None, base: str) -> Json | None:
    """The ``license-simple`` object of a dataset licence (``url`` is null for "other")."""
    if not license_:
        return None
    key = license_["key"]
    return {
        "key": key,
        "name": license_["name"],
        "spdx_id": license_.get("spdx_id") or "NOASSERTION",
        "url": None if key == "other" else f"{base}/licenses/{key}",
        "node_id": node_id("License", key),
    }


def primary_language(languages: Mapping[str, int] | None) -> str | None:
    """The language with the most bytes (ties: first by name), or None without languages."""
    ordered = languages_body(languages)
    return next(iter(ordered), None)


def languages_body(languages: Mapping[str, int] | None) -> dict[str, int]:
    """The ``language`` body: bytes per language, largest first (ties by name)."""
    items = sorted((languages or {}).items(), key=lambda item: (-item[1], item[0]))
    return dict(items)


# "field=suffix" of the templated URLs of a repository, suffix appended to its API URL
_REPO_URL_TABLE = """
    archive_url=/{archive_format}{/ref} assignees_url=/assignees{/user} blobs_url=/git/blobs{/sha}
    branches_url=/branches{/branch} collaborators_url=/collaborators{/collaborator}
    comments_url=/comments{/number} commits_url=/commits{/sha} compare_url=/compare/{base}...{head}
    contents_url=/contents/{+path} contributors_url=/contributors deployments_url=/deployments
    downloads_url=/downloads events_url=/events forks_url=/forks git_commits_url=/git/commits{/sha}
    git_refs_url=/git/refs{/sha} git_tags_url=/git/tags{/sha} hooks_url=/hooks
    issue_comment_url=/issues/comments{/number} issue_events_url=/issues/events{/number}
    issues_url=/issues{/number} keys_url=/keys{/key_id} labels_url=/labels{/name}
    languages_url=/languages merges_url=/merges milestones_url=/milestones{/number}
    notifications_url=/notifications{?since,all,participating} pulls_url=/pulls{/number}
    releases_url=/releases{/id} stargazers_url=/stargazers statuses_url=/statuses/{sha}
    subscribers_url=/subscribers subscription_url=/subscription tags_url=/tags teams_url=/teams
    trees_url=/git/trees{/sha}
"""
_REPO_URLS = dict(item.split("=", 1) for item in _REPO_URL_TABLE.split())
# boolean fields of a repository and GitHub's default when the dataset leaves one out
_REPO_FLAGS = {
    **dict.fromkeys(("fork", "archived", "disabled", "is_template", "has_pages"), False),
    **dict.fromkeys(("has_discussions",), False),
    **dict.fromkeys(("has_issues", "has_projects", "has_wiki", "has_downloads"), True),
}


def _repo_counts(repo: Mapping[str, Any]) -> Json:
    open_issues = int(repo.get("open_issues", 0)) + int(repo.get("open_pull_requests", 0))
    stars, forks = int(repo.get("stargazers_count", 0)), int(repo.get("forks_count", 0))
    watchers = int(repo.get("watchers_count", stars))
    return {
        "stargazers_count": stars,
        "watchers_count": watchers,
        "watchers": watchers,
        "forks_count": forks,
        "forks": forks,
        "open_issues_count": open_issues,
        "open_issues": open_issues,
        "size": int(repo.get("size", 0)),
    }


def minimal_repository(org: Mapping[str, Any], repo: Mapping[str, Any], base: str) -> Json:
    """One ``minimal-repository`` item of ``GET /orgs/{org}/repos``."""
    full_name = f"{org['login']}/{repo['name']}"
    url, web = f"{base}/repos/{full_name}", f"{WEB}/{full_name}"
    visibility = repo.get("visibility", "public")
    payload: Json = {
        "id": repo["id"],
        "node_id": node_id("Repository", repo["id"]),
        "name": repo["name"],
        "full_name": full_name,
        "owner": simple_owner(org, base),
        "private": visibility != "public",
        "visibility": visibility,
        "html_url": web,
        "description": repo.get("description"),
        "url": url,
        **{field: url + suffix for field, suffix in _REPO_URLS.items()},
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "clone_url": f"{web}.git",
        "svn_url": web,
        "mirror_url": None,
        "homepage": repo.get("homepage"),
        "language": primary_language(repo.get("languages")),
        "license": license_simple(repo.get("license"), base),
        "topics": list(repo.get("topics", [])),
        "default_branch": repo.get("default_branch", "main"),
        "allow_forking": True,
        "web_commit_signoff_required": False,
        "created_at": repo.get("created_at"),
        "updated_at": repo.get("updated_at"),
        "pushed_at": repo.get("pushed_at"),
        **_repo_counts(repo),
    }
    payload.update({flag: bool(repo.get(flag, dflt)) for flag, dflt in _REPO_FLAGS.items()})
    return payload


_COMMUNITY_FILES = {
    "readme": re.compile(r"readme(\..+)?", re.IGNORECASE),
    "license": re.compile(r"(licen[cs]e|copying)([.-].+)?", re.IGNORECASE),
    "contributing": re.compile(r"contributing(\..+)?", re.IGNORECASE),
    "code_of_conduct_file": re.compile(r"code[_-]of[_-]conduct(\..+)?", re.IGNORECASE),
    "issue_template": re.compile(r"issue_template(\..+)?", re.IGNORECASE),
    "pull_request_template": re.compile(r"pull_request_template(\..+)?", re.IGNORECASE),
}


def _find_files(names: list[str]) -> dict[str, str | None]:
    """The first root entry matching each community file (None when absent)."""
    return {
        kind: next((name for name in sorted(names) if pattern.fullmatch(name)), None)
        for kind, pattern in _COMMUNITY_FILES.items()
    }


def community_profile(org: Mapping[str, Any], repo: Mapping[str, Any], base: str) -> Json:
    """The ``community-profile`` body of ``GET /repos/{owner}/{repo}/community/profile``.

    Files come from the repository's root entries; ``health_percentage`` is the share (floor)
    of seven checks GitHub lists: description, README, code of conduct, contributing,
    licence, issue template and pull request template.
    """
    full_name = f"{org['login']}/{repo['name']}"
    branch = repo.get("default_branch", "main")
    api, blob = f"{base}/repos/{full_name}", f"{WEB}/{full_name}/blob/{branch}"
    found = _find_files(list(repo.get("files", [])))
    files: Json = {
        kind: {"url": f"{api}/contents/{name}", "html_url": f"{blob}/{name}"} if name else None
        for kind, name in found.items()
        if kind != "license"
    }
    license_ = license_simple(repo.get("license"), base) if found["license"] else None
    if license_ is not None:
        license_["html_url"] = f"{blob}/{found['license']}"
    conduct = found["code_of_conduct_file"]
    files["license"] = license_
    files["code_of_conduct"] = (
        {
            "key": "other",
            "name": "Other",
            "url": f"{api}/community/code_of_conduct",
            "html_url": f"{blob}/{conduct}",
        }
        if conduct
        else None
    )
    checks = [bool(repo.get("description")), license_ is not None]
    checks += [files[kind] is not None for kind in _COMMUNITY_FILES if kind != "license"]
    return {
        "health_percentage": 100 * sum(checks) // len(checks),
        "description": repo.get("description"),
        "documentation": repo.get("homepage") or None,
        "files": files,
        "updated_at": repo.get("updated_at"),
        "content_reports_enabled": False,
    }


# --- pagination ------------------------------------------------------------------------


def bounded(value: str, default: int, low: int, high: int | None = None) -> int:
    """An integer query parameter: `default` when absent, invalid or below `low`; capped."""
    try:
        number = int(value)
    except ValueError:
        return default
    if number < low:
        return default
    return number if high is None else min(number, high)


def page_url(url: str, query: list[tuple[str, str]], page: int) -> str:
    """`url` with the client's query parameters (in their order) and ``page`` set."""
    pairs = [(key, value) for key, value in query if key != "access_token"]
    if any(key == "page" for key, _ in pairs):
        pairs = [(key, str(page) if key == "page" else value) for key, value in pairs]
    else:
        pairs.append(("page", str(page)))
    return f"{url}?{urlencode(pairs)}"


def link_header(url: str, query: list[tuple[str, str]], page: int, last: int) -> str | None:
    """GitHub's ``Link`` header: prev, next, last, first as they apply, or None for one page."""
    links = []
    if page > 1:
        links.append(("prev", page - 1))
    if page < last:
        links += [("next", page + 1), ("last", last)]
    if page > 1:
        links.append(("first", 1))
    return ", ".join(f'<{page_url(url, query, n)}>; rel="{rel}"' for rel, n in links) or None
