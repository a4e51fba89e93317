"""Collection over GitHub's REST API: `/orgs/{org}/repos?type=public` in pages of 100.

Each page is kept exactly as received (less any non-public item), following the `Link` headers
GitHub sends; `--enrich` adds languages and the community profile of each repository. The
organisation body keeps only its public fields (`oshs.snapshot.public_organisation`).

A listing is trusted only when it holds as many repositories as the organisation's
`public_repos`, and a repository published before (`expected`) that is missing is removed only
when a second listing agrees: page-based pagination shifts when a repository is deleted or
created between two page requests, and would otherwise publish the wrong removal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from requests.utils import parse_header_links

from oshs.collect.answers import (
    count_problem,
    listed_ids,
    object_check,
    rest_organisation_check,
    rest_page_check,
)
from oshs.collect.api import PER_PAGE, ApiClient, Budget
from oshs.config import Organisation
from oshs.errors import OddAnswer
from oshs.snapshot import SNAPSHOT_FORMAT, is_public_rest_item, public_organisation

log = logging.getLogger(__name__)
MAX_PAGES = 10_000
LISTINGS = 3
"""Listings of an organisation before its pages are declared inconsistent."""


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
    headers, body = client.get(url, check=rest_organisation_check(login))
    body = public_organisation(body)
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
        headers, body = client.get(url, parameters, check=rest_page_check)
        public = [item for item in body if is_public_rest_item(item)]
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
            _, body = client.get(url, check=object_check(f"GET {url}"))
            body.pop("url", None)  # PyGithub adds the request URL to dict bodies
            target[full_name] = {"url": client.absolute(url), "body": body}
    return {"languages": languages, "community": community}


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
    expected: frozenset[int] = frozenset(),
) -> tuple[dict[str, Any], int]:
    """The raw snapshot document of one organisation over REST, and items dropped.

    `expected`: ids of the organisation's repositories published as present; see the module
    docstring for when a listing is trusted. Raises `OddAnswer` when it never is.
    """
    budget.ensure(client, 1)
    org, pages, dropped = consistent_listing(client, organisation.login, expected, budget, enrich)
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


def consistent_listing(
    client: ApiClient, login: str, expected: frozenset[int], budget: Budget, enrich: bool
) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """The organisation record, the listing's pages and the items dropped, once trusted."""
    previous: set[int] | None = None
    problem = ""
    for number in range(1, LISTINGS + 1):
        org = fetch_organisation(client, login)
        if number == 1:
            budget.ensure(client, rest_cost(org["body"]["public_repos"], enrich))
        pages, dropped = list_public_repositories(client, login)
        ids = listed_ids(page["body"] for page in pages)
        counted = count_problem(login, len(ids), org["body"]["public_repos"], "its public_repos")
        missing = expected - ids
        if counted is None and (not missing or ids == previous):
            return org, pages, dropped
        problem = counted or (
            f"{len(missing)} repositories of {login} published before are missing from the "
            "listing and a second listing disagrees"
        )
        previous = ids if counted is None else None
        log.info("%s: listing again to confirm (%s)", login, problem)
    raise OddAnswer(f"{problem} ({LISTINGS} listings)")
