"""Collection of GitLab groups through python-gitlab (REST API v4), to raw snapshot documents.

Per group: `GET /groups/:id` (without its deprecated project list), then every page of
`GET /groups/:id/projects?include_subgroups=true&with_shared=false&visibility=public&per_page=100`
following the `Link` headers GitLab sends, and per public project what the tables need and the
listing lacks: the licence (`GET /projects/:id?license=true`), languages (percentages), the
number of open merge requests (`X-Total` of `GET /projects/:id/merge_requests?state=opened
&per_page=1`) and the names in the repository's root (community files). Stars, forks, open
issues (issues only on GitLab), topics, archived and last activity come with the listing.

A listing is trusted only when it holds as many projects as its `X-Total` says. Private and
internal projects, and projects outside the group's namespace (shared in), are dropped before
anything is written; the group body keeps only `PUBLIC_GROUP_FIELDS`. Every HTTP response is
counted (retries too); waits for `Retry-After` or a rate-limit reset are charged to the run's
one `--max-wait`, and a wait that would pass it fails the group instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import gitlab
import requests

from oshs.collect.api import PER_PAGE, Waits
from oshs.config import Organisation
from oshs.errors import BudgetExhausted, CollectError, OddAnswer
from oshs.snapshot import SNAPSHOT_FORMAT

log = logging.getLogger(__name__)

DEFAULT_GITLAB_URL = "https://gitlab.com"
MAX_PAGES = 10_000
REQUESTS_PER_PROJECT = 4
"""Licence, languages, open merge requests, root tree."""

PUBLIC_GROUP_FIELDS = frozenset(
    {
        "id", "name", "path", "full_name", "full_path", "description", "visibility",
        "web_url", "avatar_url", "created_at", "parent_id",
    }
)  # fmt: skip
"""The fields of `GET /groups/:id` anyone may see (a member's token also gets settings)."""


@dataclass(frozen=True)
class GitlabSettings:
    """How to reach a GitLab instance. The token is never shown in `repr`."""

    url: str = DEFAULT_GITLAB_URL
    token: str | None = field(default=None, repr=False)
    max_wait: float = 600.0
    timeout: float = 30.0


def is_public_project(item: Any) -> bool:
    """True only for a project payload that says it is public."""
    return isinstance(item, dict) and item.get("visibility") == "public"


def in_namespace(item: dict[str, Any], group_path: str) -> bool:
    """Whether a project belongs to the group or one of its subgroups (not shared in)."""
    path = str(item.get("path_with_namespace") or "").lower()
    return path.startswith(group_path.lower() + "/")


def public_group(body: dict[str, Any]) -> dict[str, Any]:
    """`GET /groups/:id`'s body with only `PUBLIC_GROUP_FIELDS`."""
    return {key: value for key, value in body.items() if key in PUBLIC_GROUP_FIELDS}


def retry_wait(headers: Any, now: float) -> float:
    """Seconds a 429 asks to wait: `Retry-After`, else until `RateLimit-Reset`, else 0."""
    after, reset = headers.get("Retry-After"), headers.get("RateLimit-Reset")
    if after is not None and str(after).isdigit():
        return float(after)
    if reset is not None and str(reset).isdigit():
        return max(0.0, int(reset) - now)
    return 0.0


class GitlabClient:
    """python-gitlab's `Gitlab`, every response counted and its rate-limit headers kept."""

    def __init__(self, settings: GitlabSettings, waits: Waits) -> None:
        self.gl = gitlab.Gitlab(
            settings.url,
            private_token=settings.token,
            timeout=settings.timeout,
            per_page=PER_PAGE,
            retry_transient_errors=True,
        )
        self.api_url = self.gl.api_url
        self.waits = waits
        self.requests = 0
        self.retries = 0
        self.rate_limit: dict[str, int] = {}
        self.gl.session.hooks["response"].append(self._on_response)

    def _on_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Count a response, keep `RateLimit-*`; a 429 (or 5xx) will be retried by
        python-gitlab: its wait is charged, and one past `--max-wait` fails the group."""
        self.requests += 1
        for name in ("limit", "remaining", "reset"):
            value = response.headers.get(f"RateLimit-{name.capitalize()}")
            if value is not None and value.isdigit():
                self.rate_limit[name] = int(value)
        if response.status_code == 429 or response.status_code >= 500:
            wait = retry_wait(response.headers, time.time())
            if not self.waits.allows(wait):
                raise BudgetExhausted(
                    f"GitLab rate limit: waiting {wait:g} s would pass --max-wait "
                    f"{self.waits.limit:g} s"
                )
            self.retries += 1
            self.waits.spent += wait

    def get(self, path: str, query: dict[str, Any] | None = None) -> tuple[Any, Any, str]:
        """GET `path` (below the API URL, or a URL GitLab gave): (headers, JSON body, URL)."""
        response = self.gl.http_request("get", path, query_data=query or {}, max_retries=5)
        try:
            body = response.json()
        except ValueError:
            raise OddAnswer(f"GET {response.url}: the answer is not JSON") from None
        return response.headers, body, response.url

    def ensure(self, needed: int) -> None:
        """Return when `needed` requests are left, waiting for the reset if that fits."""
        remaining, reset = self.rate_limit.get("remaining"), self.rate_limit.get("reset")
        if remaining is None or remaining >= needed:
            return
        wait = max(0.0, (reset or 0) - time.time()) + 1.0
        if not self.waits.allows(wait):
            raise BudgetExhausted(
                f"GitLab rate limit exhausted: {needed} needed, {remaining} left, "
                f"beyond --max-wait {self.waits.limit:g} s"
            )
        log.warning(
            "GitLab rate limit: %d left, %d needed; waiting %.0f s", remaining, needed, wait
        )
        time.sleep(wait)
        self.waits.spent += wait
        self.rate_limit.pop("remaining", None)


def encoded(path: str) -> str:
    """A group or project path as GitLab wants it in a URL (`a/b` → `a%2Fb`)."""
    return quote(path, safe="")


def fetch_group(client: GitlabClient, path: str) -> dict[str, Any]:
    """`GET /groups/:id` as a raw record `{url, body}` (public fields only)."""
    _, body, url = client.get(f"/groups/{encoded(path)}", {"with_projects": "false"})
    if not isinstance(body, dict) or not isinstance(body.get("id"), int):
        raise OddAnswer(f"GET {url}: expected a group object with an integer id")
    if body.get("visibility") != "public":
        raise CollectError(f"GitLab group {path} is not public; only public groups are measured")
    return {"url": url, "body": public_group(body)}


def list_projects(client: GitlabClient, group_id: int, group_path: str) -> tuple[list, int]:
    """Every page of the group's public projects (subgroups in, shared-in out): the pages as
    raw records `{url, body}` and the items dropped as not public. Raises `OddAnswer` when
    the pages hold fewer projects than the first page's `X-Total` (when GitLab sends one)."""
    url: str | None = f"/groups/{group_id}/projects"
    query: dict[str, Any] = {
        "include_subgroups": "true", "with_shared": "false", "visibility": "public",
        "per_page": PER_PAGE, "page": 1, "order_by": "id", "sort": "asc",
    }  # fmt: skip
    pages: list[dict[str, Any]] = []
    dropped, total, received = 0, -1, 0
    while url is not None and len(pages) < MAX_PAGES:
        headers, body, absolute = client.get(url, query)
        if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
            raise OddAnswer(f"GET {absolute}: expected a list of projects")
        if not pages and str(headers.get("X-Total", "")).isdigit():
            total = int(headers["X-Total"])
        received += len(body)
        public = [item for item in body if is_public_project(item)]
        dropped += len(body) - len(public)
        mine = [item for item in public if in_namespace(item, group_path)]
        pages.append({"url": absolute, "body": mine})
        next_link = requests.utils.parse_header_links(headers.get("Link") or "")
        url = next((link["url"] for link in next_link if link.get("rel") == "next"), None)
        query = {}
    if 0 <= total != received:
        raise OddAnswer(f"{group_path}: the listing holds {received} projects, X-Total {total}")
    return pages, dropped


def optional(get: Callable[[], tuple[Any, Any, str]]) -> tuple[Any, Any, str] | None:
    """`get()`, or None when GitLab answers 403 or 404 (a feature disabled, an empty repo)."""
    try:
        return get()
    except gitlab.GitlabHttpError as error:
        if error.response_code in (403, 404):
            return None
        raise


def project_details(client: GitlabClient, project_id: int) -> dict[str, Any]:
    """What one project's listing lacks: licence, languages, open merge requests, root names."""
    base = f"/projects/{project_id}"
    details: dict[str, Any] = {}
    project = optional(lambda: client.get(base, {"license": "true"}))
    if project is not None:
        details["license"] = {"url": project[2], "body": project[1].get("license")}
    languages = optional(lambda: client.get(f"{base}/languages"))
    if languages is not None:
        details["languages"] = {"url": languages[2], "body": languages[1]}
    query = {"state": "opened", "per_page": 1}
    merges = optional(lambda: client.get(f"{base}/merge_requests", query))
    if merges is not None and str(merges[0].get("X-Total", "")).isdigit():
        details["merge_requests"] = {"url": merges[2], "x_total": int(merges[0]["X-Total"])}
    tree = optional(lambda: client.get(f"{base}/repository/tree", {"per_page": PER_PAGE}))
    names = [entry.get("name") for entry in tree[1] if isinstance(entry, dict)] if tree else []
    details["tree"] = {"url": tree[2] if tree else None, "names": sorted(map(str, names))}
    return details


def collect_group(
    client: GitlabClient, organisation: Organisation, *, collected_at: str
) -> tuple[dict[str, Any], int]:
    """The raw snapshot document of one GitLab group, and the non-public projects dropped."""
    client.ensure(2)
    group = fetch_group(client, organisation.login)
    pages, dropped = list_projects(client, group["body"]["id"], organisation.login)
    listed = sum(len(page["body"]) for page in pages)
    client.ensure(REQUESTS_PER_PROJECT * listed)
    projects = {
        str(item["id"]): project_details(client, item["id"])
        for page in pages
        for item in page["body"]
    }
    doc = {
        "format": SNAPSHOT_FORMAT,
        "api": "gitlab",
        "platform": "gitlab",
        "api_url": client.api_url,
        "login": organisation.login,
        "display_name": organisation.name,
        "collected_at": collected_at,
        "organisation": group,
        "pages": pages,
        "projects": projects,
    }
    return doc, dropped
