"""Collect: the GitHub API, through PyGithub, to raw snapshot documents.

The REST collector lists `/orgs/{org}/repos?type=public` in pages of 100 and follows the
`Link` headers GitHub sends, keeping each page exactly as received. Every request goes through
`ApiClient`, which counts it and remembers the rate-limit headers, so the run knows its cost.
A second API (GraphQL) slots in beside `collect_organisation_rest` with the same output shape.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from github import Auth, Github, GithubException, GithubRetry
from requests.utils import parse_header_links

from oshs.config import Config, Organisation
from oshs.errors import CollectError
from oshs.normalise import is_public
from oshs.snapshot import SNAPSHOT_FORMAT

log = logging.getLogger(__name__)

PER_PAGE = 100
MAX_PAGES = 10_000
DEFAULT_API_URL = "https://api.github.com"


@dataclass(frozen=True)
class ApiSettings:
    """How to reach the API. The token is never shown in `repr`."""

    api_url: str = DEFAULT_API_URL
    token: str | None = field(default=None, repr=False)
    max_wait: float = 600.0
    enrich: bool = False
    timeout: float = 30.0
    # PyGithub's default pause between requests, polite to GitHub; the sandbox needs none.
    seconds_between_requests: float = 0.25


@dataclass
class CollectionReport:
    """What a collection did: the run manifest's content plus the snapshot documents."""

    collected_at: str
    api: str
    api_url: str
    authenticated: bool
    enriched: bool
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    requests: int = 0
    not_modified: int = 0
    dropped_non_public: int = 0
    rate_limit: dict[str, int] = field(default_factory=dict)
    duration_seconds: float = 0.0

    def manifest(self) -> dict[str, Any]:
        """The manifest document of this collection (no token, no private data)."""
        return {
            "format": SNAPSHOT_FORMAT,
            "collected_at": self.collected_at,
            "api": self.api,
            "api_url": self.api_url,
            "authenticated": self.authenticated,
            "enriched": self.enriched,
            "organisations": {
                "collected": sorted(doc["login"] for doc in self.snapshots),
                "failed": dict(sorted(self.failed.items())),
            },
            "repositories": {
                doc["login"]: sum(len(page["body"]) for page in doc["pages"])
                for doc in sorted(self.snapshots, key=lambda d: d["login"])
            },
            "requests": self.requests,
            "not_modified": self.not_modified,
            "dropped_non_public": self.dropped_non_public,
            "rate_limit": self.rate_limit,
            "duration_seconds": round(self.duration_seconds, 3),
        }


def connect(settings: ApiSettings) -> Github:
    """A PyGithub client for `settings`, with GitHub-aware retries bounded by `max_wait`."""
    retry = GithubRetry(
        total=5,
        backoff_factor=0.5,
        backoff_max=min(60.0, settings.max_wait),
        max_rate_limit_wait=settings.max_wait,
        secondary_rate_wait=min(60.0, settings.max_wait),
    )
    auth = Auth.Token(settings.token) if settings.token else None
    return Github(
        auth=auth,
        base_url=settings.api_url.rstrip("/"),
        per_page=PER_PAGE,
        retry=retry,
        timeout=int(settings.timeout),
        seconds_between_requests=settings.seconds_between_requests,
    )


class ApiClient:
    """Sends GET requests through PyGithub's requester, counting each and its rate limit.

    With an ETag cache (`{url: {"etag", "body"}}`), requests are conditional: a 304 costs no
    rate limit and the cached body is used. Only public data is ever put in the cache.
    """

    def __init__(self, github: Github, api_url: str, etags: dict[str, Any] | None = None) -> None:
        self.requester = github.requester
        self.api_url = api_url.rstrip("/")
        self.etags = etags
        self.requests = 0
        self.not_modified = 0
        self.rate_limit: dict[str, int] = {}

    def get(self, url: str, parameters: dict[str, Any] | None = None) -> tuple[dict, Any]:
        """GET `url` (a path below the API URL, or an absolute URL the API gave us)."""
        cached = self.etags.get(self.absolute(url, parameters)) if self.etags is not None else None
        conditional = {"If-None-Match": cached["etag"]} if cached else None
        self.requests += 1
        headers, body = self.requester.requestJsonAndCheck("GET", url, parameters, conditional)
        self._remember_rate_limit(headers)
        if body is None and cached is not None:  # 304 Not Modified: may come without a Link
            self.not_modified += 1
            return {"link": cached.get("link"), **headers}, copy.deepcopy(cached["body"])
        return headers, body

    def remember(self, absolute_url: str, headers: dict[str, Any], public_body: Any) -> None:
        """Cache the public part of a response under its ETag, for the next run's 304."""
        etag = headers.get("etag")
        if self.etags is not None and etag:
            entry = {"etag": etag, "body": public_body, "link": headers.get("link")}
            self.etags[absolute_url] = entry

    def absolute(self, url: str, parameters: dict[str, Any] | None = None) -> str:
        """The absolute URL of a request, for the raw snapshot's record."""
        full = url if "://" in url else f"{self.api_url}{url}"
        if parameters:
            query = "&".join(f"{key}={value}" for key, value in parameters.items())
            full = f"{full}{'&' if '?' in full else '?'}{query}"
        return full

    def _remember_rate_limit(self, headers: dict[str, Any]) -> None:
        for name in ("limit", "remaining", "used", "reset"):
            value = headers.get(f"x-ratelimit-{name}")
            if value is not None and str(value).isdigit():
                self.rate_limit[name] = int(value)


def next_page_url(headers: dict[str, Any]) -> str | None:
    """The `rel="next"` URL of a `Link` header, or None on the last page."""
    link = headers.get("link")
    if not link:
        return None
    for entry in parse_header_links(link):
        if entry.get("rel") == "next":
            return entry["url"]
    return None


def fetch_organisation(client: ApiClient, login: str) -> dict[str, Any]:
    """`GET /orgs/{login}` as a raw record `{url, body}`."""
    url = f"/orgs/{login}"
    headers, body = client.get(url)
    client.remember(client.absolute(url), headers, body)
    return {"url": client.absolute(url), "body": body}


def list_public_repositories(client: ApiClient, login: str) -> tuple[list[dict], int]:
    """Every page of `GET /orgs/{login}/repos?type=public`, with non-public items dropped.

    Returns the pages as raw records `{url, body}` and how many items were dropped.
    """
    url: str | None = f"/orgs/{login}/repos"
    parameters: dict[str, Any] | None = {"type": "public", "per_page": PER_PAGE, "page": 1}
    pages: list[dict[str, Any]] = []
    dropped = 0
    seen: set[str] = set()
    while url is not None and len(pages) < MAX_PAGES:
        absolute = client.absolute(url, parameters)
        if absolute in seen:
            break
        seen.add(absolute)
        headers, body = client.get(url, parameters)
        public = [item for item in body if is_public(item)]
        dropped += len(body) - len(public)
        client.remember(absolute, headers, public)
        pages.append({"url": absolute, "body": public})
        url, parameters = next_page_url(headers), None
    return pages, dropped


def fetch_enrichment(client: ApiClient, full_names: Iterable[str]) -> dict[str, dict]:
    """Languages and community profile of each repository (two requests per repository)."""
    languages: dict[str, Any] = {}
    community: dict[str, Any] = {}
    for full_name in full_names:
        for kind, target in (("languages", languages), ("community/profile", community)):
            url = f"/repos/{full_name}/{kind}"
            _, body = client.get(url)
            body.pop("url", None)  # PyGithub adds the request URL to dict bodies
            target[full_name] = {"url": client.absolute(url), "body": body}
    return {"languages": languages, "community": community}


class BudgetExhausted(CollectError):
    """The rate limit left cannot pay for the next piece of work within `--max-wait`."""


@dataclass
class Budget:
    """The run's rate-limit budget: it waits for a reset only within `max_wait` in all."""

    max_wait: float
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    waited: float = 0.0

    def ensure(self, client: ApiClient, needed: int) -> None:
        """Return when `needed` points are left, waiting for the reset if that fits."""
        remaining, reset = client.rate_limit.get("remaining"), client.rate_limit.get("reset")
        if remaining is None or remaining >= needed:
            return
        wait = max(0.0, (reset or 0) - self.clock()) + 1.0
        if self.waited + wait > self.max_wait:
            when = datetime.fromtimestamp(reset or 0, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            raise BudgetExhausted(
                f"rate limit exhausted: {needed} needed, {remaining} left until {when}, "
                f"beyond --max-wait {self.max_wait:g} s"
            )
        log.warning(
            "rate limit: %d left, %d needed; waiting %.0f s for the reset", remaining, needed, wait
        )
        self.sleep(wait)
        self.waited += wait
        client.rate_limit.pop("remaining", None)  # unknown until the next response


def rest_cost(public_repositories: int, enrich: bool) -> int:
    """Requests a REST listing of an organisation costs: pages of 100, and 2 per repository
    when enriched (languages and community profile)."""
    pages = max(1, -(-public_repositories // PER_PAGE))
    return pages + (2 * public_repositories if enrich else 0)


def collect_organisation_rest(
    client: ApiClient,
    organisation: Organisation,
    *,
    collected_at: str,
    enrich: bool,
    budget: Budget,
) -> tuple[dict[str, Any], int]:
    """The raw snapshot document of one organisation over REST, and items dropped."""
    budget.ensure(client, 1)
    org = fetch_organisation(client, organisation.login)
    budget.ensure(client, rest_cost(int(org["body"].get("public_repos") or 0), enrich))
    pages, dropped = list_public_repositories(client, organisation.login)
    doc: dict[str, Any] = {
        "format": SNAPSHOT_FORMAT,
        "api": "rest",
        "api_url": client.api_url,
        "login": organisation.login,
        "display_name": organisation.name,
        "collected_at": collected_at,
        "organisation": org,
        "pages": pages,
    }
    if enrich:
        names = [item["full_name"] for page in pages for item in page["body"]]
        doc.update(fetch_enrichment(client, names))
    return doc, dropped


def failure_reason(error: Exception) -> str:
    """One line saying why an organisation could not be collected (never the token)."""
    if isinstance(error, GithubException):
        message = error.data.get("message") if isinstance(error.data, dict) else None
        meaning = {404: "not found", 451: "unavailable for legal reasons"}.get(error.status)
        return f"HTTP {error.status}: {meaning or message or 'request failed'}"
    if isinstance(error, requests.exceptions.RetryError):
        return "gave up after retries (server errors or rate limits)"
    return f"{type(error).__name__}: connection failed or timed out"


RECOVERABLE = (GithubException, requests.exceptions.RequestException)


def collect(
    config: Config,
    github: Github,
    settings: ApiSettings,
    *,
    collected_at: datetime,
    on_progress: Callable[[str, int, int], None] | None = None,
    etags: dict[str, Any] | None = None,
    budget: Budget | None = None,
) -> CollectionReport:
    """Collect every organisation of `config` over REST; failures are recorded, not raised.

    The run never starts an organisation it cannot pay for: when the rate limit runs short it
    waits for the reset within `--max-wait`, else it stops and names the rest as failed.
    """
    started = time.monotonic()
    client = ApiClient(github, settings.api_url, etags)
    report = CollectionReport(
        collected_at=collected_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        api="rest",
        api_url=client.api_url,
        authenticated=settings.token is not None,
        enriched=settings.enrich,
    )
    budget = budget or Budget(settings.max_wait)
    total = len(config.organisations)
    for index, organisation in enumerate(config.organisations, start=1):
        if on_progress:
            on_progress(organisation.login, index, total)
        try:
            doc, dropped = collect_organisation_rest(
                client,
                organisation,
                collected_at=report.collected_at,
                enrich=settings.enrich,
                budget=budget,
            )
        except BudgetExhausted as error:
            skipped = [org.login for org in config.organisations[index - 1 :]]
            report.failed.update(dict.fromkeys(skipped, error.message))
            log.error("%s; stopping, %d organisations not collected", error.message, len(skipped))
            break
        except RECOVERABLE as error:
            report.failed[organisation.login] = failure_reason(error)
            log.warning("could not collect %s: %s", organisation.login, failure_reason(error))
            continue
        report.snapshots.append(doc)
        report.dropped_non_public += dropped
    report.requests = client.requests
    report.not_modified = client.not_modified
    report.rate_limit = dict(client.rate_limit)
    report.duration_seconds = time.monotonic() - started
    return report
