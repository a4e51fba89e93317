"""Collect over GitHub's GraphQL API: one query per page of 100 repositories of an organisation.

Each page returns the organisation's fields, its public repositories (forks left out in the
query when not wanted) with languages and their bytes, topics, licence, open issue and open pull
request counts (separately), community files (code of conduct, contributing guidelines,
security policy, the root tree's entries), and ``rateLimit { cost remaining resetAt }``.
Requests go through PyGithub's ``requester.graphql_query`` and are counted on the `ApiClient`.
The raw snapshot document has the REST envelope with ``api: "graphql"``; every repository node
that is not public is dropped before anything is kept.

Cost: one request per 100 repositories; about 4 points each by GitHub's formula (1 request for
the repositories, 100 for each of the four per-repository connections, plus 1 for the public
count: 402 / 100, rounded).
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

from github import GithubException

from oshs.collect.answers import count_problem, graphql_check
from oshs.errors import OddAnswer
from oshs.snapshot import SNAPSHOT_FORMAT, is_public_graphql_node

if TYPE_CHECKING:
    from oshs.collect.api import ApiClient, Budget
    from oshs.config import Organisation

log = logging.getLogger(__name__)
PAGE_SIZE = 100
MAX_PAGES = 10_000
LISTINGS = 3
"""Listings of an organisation before a count that keeps disagreeing fails it."""
PAGE_POINTS = 4
"""Rate-limit points of one page of `ORGANISATION_QUERY` (GitHub's formula, see above)."""

ORGANISATION_QUERY = """
query OshsOrganisation($login: String!, $first: Int!, $after: String, $isFork: Boolean) {
  organization(login: $login) {
    login
    name
    databaseId
    description
    websiteUrl
    location
    createdAt
    isVerified
    url
    publicRepositories: repositories(privacy: PUBLIC) {
      totalCount
    }
    repositories(
      privacy: PUBLIC
      isFork: $isFork
      first: $first
      after: $after
      orderBy: {field: CREATED_AT, direction: ASC}
    ) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        databaseId
        name
        nameWithOwner
        description
        homepageUrl
        url
        createdAt
        updatedAt
        pushedAt
        visibility
        isPrivate
        isFork
        isArchived
        isTemplate
        hasIssuesEnabled
        hasWikiEnabled
        stargazerCount
        forkCount
        diskUsage
        defaultBranchRef {
          name
        }
        primaryLanguage {
          name
        }
        languages(first: 100, orderBy: {field: SIZE, direction: DESC}) {
          totalCount
          totalSize
          edges {
            size
            node {
              name
            }
          }
        }
        repositoryTopics(first: 100) {
          totalCount
          nodes {
            topic {
              name
            }
          }
        }
        licenseInfo {
          key
          name
          spdxId
        }
        openIssues: issues(states: OPEN) {
          totalCount
        }
        openPullRequests: pullRequests(states: OPEN) {
          totalCount
        }
        codeOfConduct {
          key
          name
        }
        contributingGuidelines {
          url
        }
        isSecurityPolicyEnabled
        rootTree: object(expression: "HEAD:") {
          ... on Tree {
            entries {
              name
              type
            }
          }
        }
      }
    }
  }
  rateLimit {
    cost
    remaining
    resetAt
  }
}
""".strip()

QUERY_SHA256 = hashlib.sha256(ORGANISATION_QUERY.encode()).hexdigest()
"""The query's digest, recorded with each page of a snapshot (the text is in the document)."""


def graphql_url(client: ApiClient) -> str:
    """The GraphQL endpoint PyGithub posts to (``…/graphql``; ``…/api/v3`` → ``…/api/graphql``)."""
    return str(client.requester.graphql_url)


def graphql_page(
    client: ApiClient, query: str, variables: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Send one GraphQL query; count it and record its rate limit on `client`.

    Returns the response headers and the response's ``data``. PyGithub raises
    `github.GithubException` on errors (`UnknownObjectException` for ``NOT_FOUND``); an answer
    that is not a page of the query (`graphql_check`) is asked again, then `OddAnswer`.
    """

    def once() -> tuple[dict[str, Any], dict[str, Any]]:
        client.requests += 1
        try:
            headers, response = client.requester.graphql_query(query, variables)
        except TypeError:  # PyGithub looks for "errors" in an empty body
            raise OddAnswer("GraphQL answer: expected a JSON object, got an empty answer") from None
        graphql_check(response)
        record_rate_limit(client, headers, response["data"].get("rateLimit"))
        return headers, response["data"]

    return client.attempt(graphql_url(client), once)


def fetch_page(
    client: ApiClient, variables: dict[str, Any], budget: Budget | None
) -> dict[str, Any]:
    """One page of the organisation query. A `RATE_LIMITED` answer (the token's points spent
    elsewhere since the last response) waits for the reset within `--max-wait`, through the
    budget, and asks once more; beyond `--max-wait` the budget stops the run cleanly."""
    try:
        return graphql_page(client, ORGANISATION_QUERY, variables)[1]
    except GithubException as error:
        if budget is None or not is_rate_limited(error):
            raise
        record_rate_limit(client, {k.lower(): v for k, v in (error.headers or {}).items()}, None)
        client.rate_limit["remaining"] = 0
        budget.ensure(client, PAGE_POINTS)
        return graphql_page(client, ORGANISATION_QUERY, variables)[1]


def is_rate_limited(error: GithubException) -> bool:
    """True for GitHub's GraphQL `RATE_LIMITED` error."""
    errors = error.data.get("errors") if isinstance(error.data, dict) else None
    return isinstance(errors, list) and any(
        isinstance(item, dict) and item.get("type") == "RATE_LIMITED" for item in errors
    )


def record_rate_limit(client: ApiClient, headers: dict[str, Any], rate: Any) -> None:
    """Keep the ``X-RateLimit-*`` headers and ``rateLimit`` on ``client.rate_limit``.

    ``remaining`` and ``reset`` follow the latest response; ``cost`` adds up the points spent.
    """
    for name in ("limit", "remaining", "used", "reset"):
        value = headers.get(f"x-ratelimit-{name}")
        if value is not None and str(value).isdigit():
            client.rate_limit[name] = int(value)
    if isinstance(rate, dict):
        if isinstance(rate.get("remaining"), int):
            client.rate_limit["remaining"] = rate["remaining"]
        if isinstance(rate.get("cost"), int):
            client.rate_limit["cost"] = client.rate_limit.get("cost", 0) + rate["cost"]


def keep_public(data: dict[str, Any]) -> int:
    """Drop non-public repository nodes from a page's ``data`` in place; returns how many."""
    connection = (data.get("organization") or {}).get("repositories") or {}
    nodes = connection.get("nodes") or []
    public = [node for node in nodes if is_public_graphql_node(node)]
    if "nodes" in connection:
        connection["nodes"] = public
    return len(nodes) - len(public)


def organisation_body(data: dict[str, Any]) -> dict[str, Any]:
    """The organisation's own fields of a page (without the paged repositories)."""
    org = dict(data.get("organization") or {})
    org.pop("repositories", None)
    return org


def page_repositories(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The repository nodes of one raw GraphQL page record."""
    org = (page.get("body") or {}).get("organization") or {}
    return list((org.get("repositories") or {}).get("nodes") or [])


def list_pages(
    client: ApiClient, login: str, *, include_forks: bool, budget: Budget | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Every page of the organisation's public repositories, as raw records, and items dropped,
    once the pages hold as many repositories as their `totalCount` (else listed again, up to
    `LISTINGS` times, then `OddAnswer`)."""
    problem = ""
    for number in range(1, LISTINGS + 1):
        pages, dropped, nodes = listing(client, login, include_forks=include_forks, budget=budget)
        total = pages[-1]["body"]["organization"]["repositories"]["totalCount"]
        problem = count_problem(login, nodes, total, "its totalCount") or ""
        if not problem:
            return pages, dropped
        log.info("%s: listing again (%s; listing %d)", login, problem, number)
    raise OddAnswer(f"{problem} ({LISTINGS} listings)")


def listing(
    client: ApiClient, login: str, *, include_forks: bool, budget: Budget | None
) -> tuple[list[dict[str, Any]], int, int]:
    """One listing: the pages as raw records, the items dropped and the nodes received."""
    url = graphql_url(client)
    after: str | None = None
    pages: list[dict[str, Any]] = []
    dropped = nodes = 0
    seen: set[str | None] = set()
    while len(pages) < MAX_PAGES and after not in seen:
        seen.add(after)
        if budget is not None:
            budget.ensure(client, PAGE_POINTS)
        variables = {"login": login, "first": PAGE_SIZE, "after": after}
        variables["isFork"] = None if include_forks else False
        data = fetch_page(client, variables, budget)
        nodes += len(data["organization"]["repositories"]["nodes"])
        dropped += keep_public(data)
        pages.append({"query": QUERY_SHA256, "variables": variables, "url": url, "body": data})
        info = ((data.get("organization") or {}).get("repositories") or {}).get("pageInfo") or {}
        if not info.get("hasNextPage") or not info.get("endCursor"):
            break
        after = info["endCursor"]
    return pages, dropped, nodes


def collect_organisation_graphql(
    client: ApiClient,
    organisation: Organisation,
    *,
    collected_at: str,
    include_forks: bool,
    budget: Budget | None = None,
) -> tuple[dict[str, Any], int]:
    """The raw snapshot document of one organisation over GraphQL, and nodes dropped.

    With a `budget`, each page first makes sure `PAGE_POINTS` points are left (or waits).
    """
    pages, dropped = list_pages(
        client, organisation.login, include_forks=include_forks, budget=budget
    )
    first = pages[0]["body"]
    doc: dict[str, Any] = {
        "format": SNAPSHOT_FORMAT,
        "api": "graphql",
        "api_url": client.api_url,
        "login": organisation.login,
        "display_name": organisation.name,
        "collected_at": collected_at,
        "query": ORGANISATION_QUERY,
        "organisation": {"url": pages[0]["url"], "body": organisation_body(first)},
        "pages": pages,
    }
    return doc, dropped
