"""Collect: the GitHub API, through PyGithub, to raw snapshot documents.

GraphQL (`oshs.collect.graphql`) whenever a token is present, REST (`oshs.collect.rest`)
otherwise or with `--api rest`; both give one raw snapshot document per organisation. Every
request goes through `oshs.collect.api.ApiClient`, which counts it, so the run knows and reports
its cost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from github import Github, GithubException

from oshs.collect.api import DEFAULT_API_URL, ApiClient, ApiSettings, Budget, connect
from oshs.collect.graphql import collect_organisation_graphql, page_repositories
from oshs.collect.rest import collect_organisation_rest
from oshs.config import Config, Organisation
from oshs.errors import BudgetExhausted, UsageError
from oshs.snapshot import SNAPSHOT_FORMAT

__all__ = [
    "DEFAULT_API_URL",
    "ApiClient",
    "ApiSettings",
    "Budget",
    "CollectionReport",
    "collect",
    "connect",
    "failure_reason",
]

log = logging.getLogger(__name__)


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
    retries: int = 0
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
                doc["login"]: repository_count(doc)
                for doc in sorted(self.snapshots, key=lambda d: d["login"])
            },
            "requests": self.requests,
            "not_modified": self.not_modified,
            "retries": self.retries,
            "dropped_non_public": self.dropped_non_public,
            "rate_limit": self.rate_limit,
            "duration_seconds": round(self.duration_seconds, 3),
        }


def repository_count(doc: dict[str, Any]) -> int:
    """How many repositories a raw snapshot lists, whichever API it came from."""
    if doc["api"] == "graphql":
        return sum(len(page_repositories(page)) for page in doc["pages"])
    return sum(len(page["body"]) for page in doc["pages"])


def api_in_use(settings: ApiSettings) -> str:
    """The API a run uses: GraphQL needs a token (GitHub refuses it anonymously)."""
    if settings.api == "auto":
        return "graphql" if settings.token else "rest"
    if settings.api == "graphql" and not settings.token:
        raise UsageError(
            "--api graphql: GitHub's GraphQL API needs a token",
            hint="set GITHUB_TOKEN (or --token-env NAME), or use --api rest",
        )
    return settings.api


def collect_organisation(
    client: ApiClient,
    organisation: Organisation,
    config: Config,
    settings: ApiSettings,
    api: str,
    collected_at: str,
    budget: Budget,
) -> tuple[dict[str, Any], int]:
    """One organisation's raw snapshot over `api`, and the non-public items dropped."""
    if api == "graphql":
        return collect_organisation_graphql(
            client,
            organisation,
            collected_at=collected_at,
            include_forks=config.include_forks,
            budget=budget,
        )
    return collect_organisation_rest(
        client, organisation, collected_at=collected_at, enrich=settings.enrich, budget=budget
    )


def failure_reason(error: Exception) -> str:
    """One line saying why an organisation could not be collected (never the token)."""
    if isinstance(error, GithubException):
        meaning = {404: "not found", 451: "unavailable for legal reasons"}.get(error.status)
        return f"HTTP {error.status}: {meaning or error_message(error.data)}"
    if isinstance(error, requests.exceptions.RetryError):
        return "gave up after retries (server errors or rate limits)"
    return f"{type(error).__name__}: connection failed or timed out"


def error_message(data: Any) -> str:
    """GitHub's message in an error body: REST's `message`, or GraphQL's first error."""
    if isinstance(data, dict):
        errors = data.get("errors")
        if data.get("message"):
            return str(data["message"])
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return " ".join(str(first.get(key)) for key in ("type", "message") if first.get(key))
    return "request failed"


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
    """Collect every organisation of `config`; failures are recorded, not raised.

    The run never starts an organisation it cannot pay for: when the rate limit runs short it
    waits for the reset within `--max-wait`, else it stops and names the rest as failed.
    """
    started = time.monotonic()
    api = api_in_use(settings)
    client = ApiClient(github, settings.api_url, etags if api == "rest" else None)
    report = CollectionReport(
        collected_at=collected_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        api=api,
        api_url=client.api_url,
        authenticated=settings.token is not None,
        enriched=settings.enrich or api == "graphql",
    )
    budget = budget or Budget(settings.max_wait, waits=client.waits)
    total = len(config.organisations)
    for index, organisation in enumerate(config.organisations, start=1):
        if on_progress:
            on_progress(organisation.login, index, total)
        try:
            doc, dropped = collect_organisation(
                client, organisation, config, settings, api, report.collected_at, budget
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
    return record_costs(report, client, started)


def record_costs(report: CollectionReport, client: ApiClient, started: float) -> CollectionReport:
    """`report` with what the run cost: requests, 304s, retries, rate limit and duration."""
    report.requests = client.requests
    report.not_modified = client.not_modified
    report.retries = client.retries[0]
    report.rate_limit = dict(client.rate_limit)
    report.duration_seconds = time.monotonic() - started
    return report
