"""Collect: the GitHub API, through PyGithub, to raw snapshot documents.

GraphQL (`oshs.collect.graphql`) whenever a token is present, REST (`oshs.collect.rest`)
otherwise or with `--api rest`; both give one raw snapshot document per organisation. Every
request goes through `oshs.collect.api.ApiClient`, which counts it, so the run knows and reports
its cost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import requests
from github import Github, GithubException
from gitlab import exceptions as gitlab_errors

from oshs.api_settings import DEFAULT_API_URL, ApiSettings
from oshs.collect.api import ApiClient, Budget, Waits, connect
from oshs.collect.gitlab import GitlabClient, GitlabSettings, collect_group
from oshs.collect.graphql import collect_organisation_graphql, page_repositories
from oshs.collect.rest import collect_organisation_rest
from oshs.collect.transport import error_message, failure_reason
from oshs.config import Config, Organisation
from oshs.errors import BudgetExhausted, CollectError, UsageError
from oshs.snapshot import SNAPSHOT_FORMAT, snapshot_key
from oshs.text import one_line

__all__ = [
    "DEFAULT_API_URL",
    "ApiClient",
    "ApiSettings",
    "Budget",
    "CollectionReport",
    "collect",
    "collect_all",
    "connect",
    "error_message",
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
    gitlab: CollectionReport | None = None  # the GitLab groups' part of a mixed run

    def manifest(self) -> dict[str, Any]:
        """The manifest document of this collection (no token, no private data); the GitLab
        groups' part, if any, under `gitlab` (its organisations named by key, `gitlab:<path>`)."""
        manifest = self.own_manifest()
        if self.gitlab is not None:
            part = self.gitlab.own_manifest()
            del part["format"], part["collected_at"]
            manifest["gitlab"] = part
        return manifest

    def own_manifest(self) -> dict[str, Any]:
        """The manifest of this report alone."""
        return {
            "format": SNAPSHOT_FORMAT,
            "collected_at": self.collected_at,
            "api": self.api,
            "api_url": self.api_url,
            "authenticated": self.authenticated,
            "enriched": self.enriched,
            "organisations": {
                "collected": sorted(snapshot_key(doc) for doc in self.snapshots),
                "failed": dict(sorted(self.failed.items())),
            },
            "repositories": {
                snapshot_key(doc): repository_count(doc)
                for doc in sorted(self.snapshots, key=snapshot_key)
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
    expected: frozenset[int] = frozenset(),
) -> tuple[dict[str, Any], int]:
    """One organisation's raw snapshot over `api`, and the non-public items dropped.

    `expected`: ids of its repositories published as present (REST confirms their removal)."""
    if api == "graphql":
        return collect_organisation_graphql(
            client,
            organisation,
            collected_at=collected_at,
            include_forks=config.include_forks,
            budget=budget,
        )
    return collect_organisation_rest(
        client,
        organisation,
        collected_at=collected_at,
        enrich=settings.enrich,
        budget=budget,
        expected=expected,
    )


RECOVERABLE = (GithubException, requests.exceptions.RequestException, CollectError)
ODD = (TypeError, KeyError, AttributeError, ValueError)
"""Raised by an answer no check foresaw: that organisation fails, the run goes on."""


def collect(
    config: Config,
    github: Github,
    settings: ApiSettings,
    *,
    collected_at: datetime,
    on_progress: Callable[[str, int, int], None] | None = None,
    etags: dict[str, Any] | None = None,
    budget: Budget | None = None,
    expected: Mapping[str, frozenset[int]] | None = None,
) -> CollectionReport:
    """Collect every organisation of `config`; failures are recorded, not raised.

    The run never starts an organisation it cannot pay for: when the rate limit runs short it
    waits for the reset within `--max-wait`, else it stops and names the rest as failed; so it
    does once failed requests have cost more than `--max-wait`. `expected` maps lower-cased
    logins to the ids of their repositories published as present (removals are confirmed).
    """
    started = time.monotonic()
    api = api_in_use(settings)
    client, report = start(github, settings, api, collected_at, etags)
    budget = budget or Budget(settings.max_wait, waits=client.waits)
    organisations = config.organisations
    for index, organisation in enumerate(organisations, start=1):
        if on_progress:
            on_progress(organisation.login, index, len(organisations))
        known = (expected or {}).get(organisation.login.lower(), frozenset())
        try:
            doc, dropped = collect_organisation(
                client, organisation, config, settings, api, report.collected_at, budget, known
            )
        except BudgetExhausted as error:
            stop(report, [org.login for org in organisations[index - 1 :]], error.message)
            break
        except (*RECOVERABLE, *ODD) as error:
            record_failure(report, organisation.login, error, client.api_url)
            if client.waits.exhausted():
                spent = f"not collected: --max-wait {settings.max_wait:g} s was spent on failures"
                stop(report, [org.login for org in organisations[index:]], spent)
                break
            continue
        report.snapshots.append(doc)
        report.dropped_non_public += dropped
    return record_costs(report, client, started)


def start(
    github: Github,
    settings: ApiSettings,
    api: str,
    collected_at: datetime,
    etags: dict[str, Any] | None,
) -> tuple[ApiClient, CollectionReport]:
    """The counting client of a run and its empty report."""
    client = ApiClient(
        github,
        settings.api_url,
        etags if api == "rest" else None,
        timeout=settings.timeout,
        backoff_factor=settings.backoff_factor,
    )
    report = CollectionReport(
        collected_at=collected_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        api=api,
        api_url=client.api_url,
        authenticated=settings.token is not None,
        enriched=settings.enrich or api == "graphql",
    )
    return client, report


def record_failure(report: CollectionReport, login: str, error: Exception, api_url: str) -> None:
    """Record (and log) why `login` could not be collected."""
    reason = failure_reason(error, api_url)
    if isinstance(error, ODD) and not isinstance(error, RECOVERABLE):
        log.debug("unexpected answer for %s", login, exc_info=True)
        reason = f"unexpected answer ({type(error).__name__}: {one_line(error)[:200]})"
    report.failed[login] = reason
    log.warning("could not collect %s: %s", login, reason)


def stop(report: CollectionReport, logins: list[str], reason: str) -> None:
    """Name `logins` as not collected, for `reason`, and say the run stops."""
    report.failed.update(dict.fromkeys(logins, reason))
    if logins:
        log.error("%s; stopping, %d organisations not collected", reason, len(logins))


def record_costs(report: CollectionReport, client: ApiClient, started: float) -> CollectionReport:
    """`report` with what the run cost: requests, 304s, retries, rate limit and duration."""
    report.requests = client.requests
    report.not_modified = client.not_modified
    report.retries = client.retries[0]
    report.rate_limit = dict(client.rate_limit)
    report.duration_seconds = time.monotonic() - started
    return report


GITLAB_RECOVERABLE = (gitlab_errors.GitlabError, requests.exceptions.RequestException, CollectError)


def gitlab_failure(error: Exception, api_url: str) -> str:
    """One line saying why a GitLab group failed (never the token)."""
    if isinstance(error, gitlab_errors.GitlabHttpError):
        meaning = {404: "group not found"}.get(error.response_code or 0)
        return f"HTTP {error.response_code}: {meaning or one_line(error.error_message)[:300]}"
    if isinstance(error, ODD) and not isinstance(error, GITLAB_RECOVERABLE):
        return f"unexpected answer ({type(error).__name__}: {one_line(error)[:200]})"
    return failure_reason(error, api_url)


def collect_gitlab(
    config: Config,
    settings: GitlabSettings,
    waits: Waits,
    *,
    collected_at: str,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> CollectionReport:
    """Collect every GitLab group of `config`; failures are recorded (by key), not raised."""
    started = time.monotonic()
    client = GitlabClient(settings, waits)
    report = CollectionReport(
        collected_at, "gitlab", client.api_url, settings.token is not None, True
    )
    groups = config.on("gitlab")
    for index, group in enumerate(groups, start=1):
        if on_progress:
            on_progress(group.key, index, len(groups))
        try:
            doc, dropped = collect_group(client, group, collected_at=collected_at)
        except BudgetExhausted as error:
            stop(report, [g.key for g in groups[index - 1 :]], error.message)
            break
        except (*GITLAB_RECOVERABLE, *ODD) as error:
            report.failed[group.key] = reason = gitlab_failure(error, client.api_url)
            log.warning("could not collect %s: %s", group.key, reason)
            continue
        report.snapshots.append(doc)
        report.dropped_non_public += dropped
    report.requests, report.retries = client.requests, client.retries
    report.rate_limit = dict(client.rate_limit)
    report.duration_seconds = time.monotonic() - started
    return report


def collect_all(
    config: Config,
    settings: ApiSettings,
    *,
    collected_at: datetime,
    on_progress: Callable[[str, int, int], None] | None = None,
    etags: dict[str, Any] | None = None,
    expected: Mapping[str, frozenset[int]] | None = None,
) -> CollectionReport:
    """GitHub's organisations of `config` (`collect`), then its GitLab groups, as one report
    (the GitLab part in `report.gitlab`; its snapshots and failures in the report's too).
    Both share one `--max-wait`."""
    github = connect(settings)
    github_config = replace(config, organisations=config.on("github"))
    if github_config.organisations:
        report = collect(
            github_config, github, settings, collected_at=collected_at, on_progress=on_progress,
            etags=etags, expected=expected,
        )  # fmt: skip
    else:
        report = start(github, settings, api_in_use(settings), collected_at, None)[1]
    if config.on("gitlab"):
        gitlab_settings = GitlabSettings(
            settings.gitlab_url or config.gitlab_url,
            settings.gitlab_token,
            max_wait=settings.max_wait,
            timeout=settings.timeout,
        )
        waits = getattr(github, "waits", None) or Waits(settings.max_wait)
        part = collect_gitlab(
            config,
            gitlab_settings,
            waits,
            collected_at=report.collected_at,
            on_progress=on_progress,
        )
        report.gitlab = part
        report.snapshots.extend(part.snapshots)
        report.failed.update(part.failed)
    return report
