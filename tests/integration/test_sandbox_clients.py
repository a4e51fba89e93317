"""GitHub clients page through the sandbox: plain urllib following ``Link``, and PyGithub."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from conftest import BIG_ORG, BIG_ORG_ID, SMALL_ORG, public_full_names
from github import Auth, Github

from oshs.sandbox import Sandbox

LINK = re.compile(r'<(?P<url>[^>]+)>;\s*rel="(?P<rel>[^"]+)"')


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, if any."""
    links = {m["rel"]: m["url"] for m in LINK.finditer(header or "")}
    return links.get("next")


def page_through(url: str, token: str | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Follow ``Link: rel="next"`` from `url`; returns every item and every URL requested."""
    items: list[dict[str, Any]] = []
    visited: list[str] = []
    next_url: str | None = url
    while next_url is not None:
        visited.append(next_url)
        request = urllib.request.Request(
            next_url, headers={"Accept": "application/vnd.github+json"}
        )
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            items += json.loads(response.read())
            next_url = next_link(response.headers.get("Link"))
    return items, visited


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_urllib_follows_link_headers(sandbox: Sandbox, host: str) -> None:
    base = sandbox.url.replace("127.0.0.1", host)
    items, visited = page_through(f"{base}/orgs/{BIG_ORG.lower()}/repos?per_page=100")
    names = [item["full_name"] for item in items]
    assert len(names) == len(set(names)) == 248
    assert set(names) == public_full_names(sandbox.dataset, BIG_ORG)
    assert visited[1:] == [
        f"{base}/organizations/{BIG_ORG_ID}/repos?per_page=100&page={n}" for n in (2, 3)
    ]


def test_urllib_member_sees_private_and_internal(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/orgs/{BIG_ORG}/repos?per_page=7&type=all"
    items, visited = page_through(url, token=f"member-of-{BIG_ORG}")
    assert len(items) == 250 and len(visited) == 36
    hidden = {item["name"] for item in items if item["private"]}
    assert hidden == {"secret-private", "secret-internal"}


@pytest.mark.parametrize(("prefix", "per_page"), [("", 30), ("/api/v3", 100)])
def test_pygithub_sees_the_public_repositories(
    make_sandbox: Callable[..., Sandbox], prefix: str, per_page: int
) -> None:
    sandbox = make_sandbox(prefix=prefix)
    github = Github(
        auth=Auth.Token(f"member-of-{BIG_ORG}"),
        base_url=sandbox.url,
        per_page=per_page,
        seconds_between_requests=0,
    )
    try:
        for login in (BIG_ORG, SMALL_ORG.upper()):
            repos = list(github.get_organization(login).get_repos(type="public"))
            names = {repo.full_name for repo in repos}
            assert len(repos) == len(names)
            assert names == public_full_names(sandbox.dataset, login)
            assert not any(repo.private for repo in repos)
        organisation = github.get_organization(BIG_ORG.lower())
        assert (organisation.login, organisation.public_repos) == (BIG_ORG, 248)
    finally:
        github.close()
    pages = [r for r in sandbox.requests if r.path.endswith("/repos")]
    assert pages[0].path == f"/orgs/{BIG_ORG}/repos"
    assert {r.path for r in pages[1:]} >= {f"/organizations/{BIG_ORG_ID}/repos"}
    assert all(r.status == 200 and r.authenticated for r in sandbox.requests)
    assert (
        len([r for r in pages if r.path.startswith("/organizations/")]) == -(-248 // per_page) - 1
    )


def test_pygithub_reads_languages_and_rate_limit(sandbox: Sandbox) -> None:
    github = Github(auth=Auth.Token("x"), base_url=sandbox.url, seconds_between_requests=0)
    try:
        repo = next(r for r in github.get_organization(BIG_ORG).get_repos() if r.name == "repo-012")
        assert (repo.language, repo.license.spdx_id, repo.stargazers_count) == ("Python", "MIT", 12)
        languages = repo.get_languages()
        languages.pop("url", None)  # PyGithub adds the URL it fetched
        assert languages == {"Python": 5000, "HTML": 200}
        core = github.get_rate_limit().resources.core
        assert core.limit == 5000 and core.remaining == 5000 - core.used
    finally:
        github.close()
