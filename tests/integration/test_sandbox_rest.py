"""The sandbox's REST behaviour: pagination, visibility, rate limits, ETags, errors, the log."""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import BIG_ORG, BIG_ORG_ID, SMALL_ORG

from oshs.errors import SandboxError
from oshs.sandbox import RateLimiter, Reply, Sandbox

NOT_FOUND = {
    "message": "Not Found",
    "documentation_url": "https://docs.github.com/rest",
    "status": "404",
}
MEMBER = "member-of-NHSSANDBOX"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: Any


def call(
    sandbox: Sandbox,
    path: str,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    method: str = "GET",
) -> Response:
    """Send one request to the sandbox (`path` below its URL) and parse the answer."""
    parts = urlsplit(sandbox.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"token {token}"
    try:
        connection.request(method, parts.path + path, headers=sent)
        response = connection.getresponse()
        raw = response.read()
        found = {name.lower(): value for name, value in response.getheaders()}
        return Response(response.status, found, json.loads(raw) if raw else None)
    finally:
        connection.close()


def names(response: Response) -> list[str]:
    return [item["name"] for item in response.body]


def expected_order(dataset: dict[str, Any], login: str, token_member: bool) -> list[str]:
    """Names of the repositories a client sees, GitHub's default order (created desc)."""
    org = next(o for o in dataset["organisations"] if o["login"] == login)
    repos = [r for r in org["repositories"] if token_member or r["visibility"] == "public"]
    repos.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
    return [r["name"] for r in repos]


# --- pagination ----------------------------------------------------------------------------


def test_pages_and_link_headers(
    make_sandbox: Callable[..., Sandbox], sandbox_dataset: dict[str, Any]
) -> None:
    sandbox = make_sandbox(sandbox_dataset, prefix="/api/v3")
    base = f"{sandbox.url}/organizations/{BIG_ORG_ID}/repos?type=public&per_page=100"
    first = call(sandbox, f"/orgs/{BIG_ORG}/repos?type=public&per_page=100")
    second = call(sandbox, f"/organizations/{BIG_ORG_ID}/repos?type=public&per_page=100&page=2")
    third = call(sandbox, f"/organizations/{BIG_ORG_ID}/repos?type=public&per_page=100&page=3")
    beyond = call(sandbox, f"/organizations/{BIG_ORG_ID}/repos?type=public&per_page=100&page=4")
    assert first.headers["link"] == (f'<{base}&page=2>; rel="next", <{base}&page=3>; rel="last"')
    assert second.headers["link"] == (
        f'<{base}&page=1>; rel="prev", <{base}&page=3>; rel="next", '
        f'<{base}&page=3>; rel="last", <{base}&page=1>; rel="first"'
    )
    assert third.headers["link"] == f'<{base}&page=2>; rel="prev", <{base}&page=1>; rel="first"'
    assert (len(first.body), len(second.body), len(third.body), beyond.body) == (100, 100, 48, [])
    seen = names(first) + names(second) + names(third)
    assert seen == expected_order(sandbox_dataset, BIG_ORG, token_member=False)


def test_link_keeps_the_host_spelling_and_parameter_order(sandbox: Sandbox) -> None:
    port = sandbox.port
    for host in (f"localhost:{port}", "sandbox.example:8443", f"127.0.0.1:{port}"):
        response = call(
            sandbox,
            f"/orgs/{BIG_ORG}/repos?page=1&per_page=50&sort=full_name",
            headers={"Host": host},
        )
        url = f"http://{host}/organizations/{BIG_ORG_ID}/repos"
        assert response.headers["link"] == (
            f'<{url}?page=2&per_page=50&sort=full_name>; rel="next", '
            f'<{url}?page=5&per_page=50&sort=full_name>; rel="last"'
        )
        assert response.body[0]["url"] == f"http://{host}/repos/{BIG_ORG}/repo-001"
    hostile = call(sandbox, f"/orgs/{BIG_ORG}/repos", headers={"Host": "evil>; rel=x"})
    assert hostile.headers["link"].startswith(f"<http://127.0.0.1:{port}/organizations/")


@pytest.mark.parametrize(
    ("per_page", "count", "last"),
    [
        ("", 30, 9),
        ("1", 1, 248),
        ("100", 100, 3),
        ("101", 100, 3),
        ("1000", 100, 3),
        ("0", 30, 9),
        ("-5", 30, 9),
        ("abc", 30, 9),
    ],
)
def test_per_page_bounds(sandbox: Sandbox, per_page: str, count: int, last: int) -> None:
    response = call(sandbox, f"/orgs/{BIG_ORG}/repos?per_page={per_page}")
    assert len(response.body) == count
    assert response.headers["link"].endswith(f'page={last}>; rel="last"')


def test_one_page_has_no_link(sandbox: Sandbox) -> None:
    response = call(sandbox, f"/orgs/{SMALL_ORG}/repos")
    assert names(response) == ["fork-of-tools", "Tools"]
    assert "link" not in response.headers


def test_sort_and_direction(sandbox: Sandbox) -> None:
    by_name = names(call(sandbox, f"/orgs/{BIG_ORG}/repos?sort=full_name&per_page=3"))
    assert by_name == ["repo-001", "repo-002", "repo-003"]
    desc = names(call(sandbox, f"/orgs/{BIG_ORG}/repos?sort=full_name&direction=desc&per_page=2"))
    assert desc == ["Template.Repo_5", "repo-250"]


# --- logins, visibility, type --------------------------------------------------------------


def test_logins_and_names_are_case_insensitive(sandbox: Sandbox) -> None:
    for login in ("nhssandbox", "NHSSANDBOX", "NhSsAnDbOx"):
        assert call(sandbox, f"/orgs/{login}").body["login"] == BIG_ORG
    repo = call(sandbox, "/repos/nhssandbox/template.repo_5/languages")
    assert (repo.status, repo.body) == (200, {"R": 900})
    listed = call(sandbox, "/orgs/SMALL-TRUST/repos").body[0]
    assert listed["full_name"] == "small-trust/fork-of-tools"


def test_private_and_internal_repositories_need_a_member_token(sandbox: Sandbox) -> None:
    for name in ("secret-private", "secret-internal"):
        for token in (None, "ghp_anything", "member-of-small-trust", "member-of-NHSSandboxX"):
            response = call(sandbox, f"/repos/{BIG_ORG}/{name}/languages", token)
            assert (response.status, response.body) == (404, NOT_FOUND)
        assert call(sandbox, f"/repos/{BIG_ORG}/{name}/languages", MEMBER).status == 200
        assert call(sandbox, f"/repos/{BIG_ORG}/{name}/community/profile", MEMBER).status == 200
    assert call(sandbox, f"/orgs/{BIG_ORG}").body["public_repos"] == 248
    assert "total_private_repos" not in call(sandbox, f"/orgs/{BIG_ORG}").body
    assert call(sandbox, f"/orgs/{BIG_ORG}", MEMBER).body["total_private_repos"] == 2


@pytest.mark.parametrize(
    ("kind", "outsider", "member"),
    [
        ("all", 248, 250),
        ("public", 248, 248),
        ("private", 0, 2),
        ("forks", 1, 1),
        ("sources", 247, 249),
        ("member", 0, 250),
        ("bogus", 248, 250),
    ],
)
def test_type_filter(sandbox: Sandbox, kind: str, outsider: int, member: int) -> None:
    def count(token: str | None) -> int:
        path = f"/orgs/{BIG_ORG}/repos?type={kind}&per_page=100&page="
        return sum(len(call(sandbox, f"{path}{n}", token).body) for n in (1, 2, 3))

    assert (count("some-token"), count(MEMBER)) == (outsider, member)


def test_private_items_are_flagged(sandbox: Sandbox) -> None:
    items = call(sandbox, f"/orgs/{BIG_ORG}/repos?type=private", MEMBER).body
    assert {(i["name"], i["private"], i["visibility"]) for i in items} == {
        ("secret-private", True, "private"),
        ("secret-internal", True, "internal"),
    }


# --- rate limits and ETags -----------------------------------------------------------------


def rate(response: Response) -> tuple[str, str, str, str]:
    h = response.headers
    return (
        h["x-ratelimit-limit"],
        h["x-ratelimit-remaining"],
        h["x-ratelimit-used"],
        h["x-ratelimit-resource"],
    )


def test_rate_limit_accounting(make_sandbox: Callable[..., Sandbox]) -> None:
    clock = [1_000_000.0]
    limiter = RateLimiter(unauthenticated={"core": 3}, clock=lambda: clock[0])
    sandbox = make_sandbox(rate_limiter=limiter)
    responses = [call(sandbox, f"/orgs/{BIG_ORG}") for _ in range(3)]
    assert [rate(r) for r in responses] == [
        ("3", "2", "1", "core"),
        ("3", "1", "2", "core"),
        ("3", "0", "3", "core"),
    ]
    assert {r.headers["x-ratelimit-reset"] for r in responses} == {"1003600"}
    blocked = call(sandbox, f"/orgs/{BIG_ORG}")
    assert blocked.status == 403
    assert blocked.body["message"].startswith("API rate limit exceeded for 127.0.0.1.")
    assert blocked.body["status"] == "403"
    assert rate(blocked) == ("3", "0", "3", "core")
    overview = call(sandbox, "/rate_limit").body
    assert overview["resources"]["core"] == {
        "limit": 3,
        "used": 3,
        "remaining": 0,
        "reset": 1003600,
    }
    assert overview["rate"] == overview["resources"]["core"]
    # tokens have their own, larger budget; each token is its own identity
    assert rate(call(sandbox, f"/orgs/{BIG_ORG}", "token-a")) == ("5000", "4999", "1", "core")
    assert rate(call(sandbox, f"/orgs/{BIG_ORG}", "token-b")) == ("5000", "4999", "1", "core")
    authed = call(sandbox, f"/orgs/{BIG_ORG}", "token-a")
    assert rate(authed) == ("5000", "4998", "2", "core")
    clock[0] += 3600  # the window resets
    assert rate(call(sandbox, f"/orgs/{BIG_ORG}")) == ("3", "2", "1", "core")
    assert [r.cost for r in sandbox.requests] == [1, 1, 1, 0, 0, 1, 1, 1, 1]


def test_authenticated_exhaustion_message(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(rate_limiter=RateLimiter(authenticated={"core": 1}))
    assert call(sandbox, f"/orgs/{BIG_ORG}", "tok").status == 200
    blocked = call(sandbox, f"/orgs/{BIG_ORG}", "tok")
    assert blocked.status == 403
    assert blocked.body["message"].startswith("API rate limit exceeded for user ID ")
    assert "tok" not in blocked.body["message"]
    assert call(sandbox, "/rate_limit", "tok").status == 200  # /rate_limit is always free


def test_etag_and_304_cost_nothing(sandbox: Sandbox) -> None:
    path = f"/orgs/{BIG_ORG}/repos?per_page=100"
    first = call(sandbox, path)
    etag = first.headers["etag"]
    assert re.fullmatch(r'W/"[0-9a-f]{64}"', etag)
    for tag in (etag, etag.removeprefix("W/"), f'"nope", {etag}', "*"):
        again = call(sandbox, path, headers={"If-None-Match": tag})
        assert (again.status, again.body) == (304, None)
        assert again.headers["etag"] == etag
        assert rate(again) == ("60", "59", "1", "core")
    changed = call(sandbox, path, headers={"If-None-Match": 'W/"other"'})
    assert (changed.status, len(changed.body)) == (200, 100)
    assert rate(changed) == ("60", "58", "2", "core")
    # a different view of the same URL has a different validator
    assert call(sandbox, path, MEMBER).headers["etag"] != etag
    assert [(r.status, r.cost) for r in sandbox.requests][:6] == [(200, 1)] + [(304, 0)] * 4 + [
        (200, 1)
    ]


# --- errors, the log, the server -----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/orgs/nobody",
        "/orgs/nobody/repos",
        "/organizations/999/repos",
        "/repos/x/y/languages",
        f"/repos/{BIG_ORG}/nope/community/profile",
        "/",
        "/users/octocat",
        "/orgs",
    ],
)
def test_not_found_body(sandbox: Sandbox, path: str) -> None:
    response = call(sandbox, path)
    assert (response.status, response.body) == (404, NOT_FOUND)
    assert response.headers["content-type"] == "application/json; charset=utf-8"


def test_prefix_mounting(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(prefix="api/v3/")
    assert sandbox.url.endswith("/api/v3")
    assert call(sandbox, f"/orgs/{BIG_ORG}").status == 200
    parts = urlsplit(sandbox.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", f"/orgs/{BIG_ORG}")  # outside the prefix
    assert connection.getresponse().status == 404
    connection.close()
    with pytest.raises(SandboxError):
        Sandbox({"organisations": []}, prefix="/bad prefix")


def test_request_log_never_holds_the_token(sandbox: Sandbox) -> None:
    secret = "ghp_S3CRET_TOKEN_value"
    call(sandbox, f"/orgs/{BIG_ORG}/repos?per_page=5&access_token={secret}", secret)
    call(sandbox, f"/orgs/{BIG_ORG}", MEMBER)
    call(sandbox, "/orgs/nobody", headers={"Authorization": f"Bearer {secret}"})
    records = sandbox.requests
    assert [(r.method, r.path, r.query, r.status, r.authenticated, r.cost) for r in records] == [
        ("GET", f"/orgs/{BIG_ORG}/repos", {"per_page": "5"}, 200, True, 1),
        ("GET", f"/orgs/{BIG_ORG}", {}, 200, True, 1),
        ("GET", "/orgs/nobody", {}, 404, True, 1),
    ]
    assert secret not in repr(records) and MEMBER not in repr(records)
    assert secret not in repr(sandbox)
    sandbox.reset_log()
    assert sandbox.requests == []


def test_keep_alive_and_latency(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(latency=0.15)
    parts = urlsplit(sandbox.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    started = time.monotonic()
    for path in (f"/orgs/{BIG_ORG}", "/rate_limit", f"/orgs/{SMALL_ORG}/repos"):
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read())
    connection.close()
    assert time.monotonic() - started >= 0.45


def test_payload_values_follow_the_dataset(sandbox: Sandbox) -> None:
    items = call(sandbox, f"/orgs/{BIG_ORG}/repos?sort=full_name&per_page=100").body
    item = next(i for i in items if i["name"] == "repo-012")
    assert (item["open_issues_count"], item["language"], item["license"]) == (
        0 + 0,
        "Python",
        {
            "key": "mit",
            "name": "MIT License",
            "spdx_id": "MIT",
            "node_id": "MDc6TGljZW5zZW1pdA==",
            "url": f"{sandbox.url}/licenses/mit",
        },
    )
    other = next(i for i in items if i["name"] == "repo-009")
    assert (other["open_issues_count"], other["language"]) == (1 + 0, "R")
    assert other["license"]["url"] is None and other["license"]["spdx_id"] == "NOASSERTION"
    assert other["html_url"] == f"https://github.com/{BIG_ORG}/repo-009"
    assert next(i for i in items if i["name"] == "repo-010")["license"] is None
    assert next(i for i in items if i["name"] == "repo-003")["fork"] is True
    profile = call(sandbox, f"/repos/{BIG_ORG}/repo-012/community/profile").body
    assert profile["health_percentage"] == 71  # description, readme, licence, contributing, coc
    assert profile["files"]["code_of_conduct"]["html_url"].endswith("/blob/main/CODE_OF_CONDUCT.md")


def test_added_routes_and_interceptors(sandbox: Sandbox) -> None:
    sandbox.add_route(
        "POST", "/custom", lambda ctx: Reply(200, {"data": {}}, cost=2), resource="graphql"
    )
    assert rate(call(sandbox, "/custom", "t", method="POST")) == ("5000", "4998", "2", "graphql")
    sandbox.add_interceptor(
        lambda ctx: Reply(502, {"message": "Bad"}) if "boom" in ctx.path else None
    )
    assert call(sandbox, "/boom").status == 502
    assert call(sandbox, f"/orgs/{BIG_ORG}").status == 200


def test_dataset_changes_between_pages(sandbox: Sandbox, sandbox_dataset: dict[str, Any]) -> None:
    first = call(sandbox, f"/orgs/{BIG_ORG}/repos?per_page=100")
    del sandbox_dataset["organisations"][0]["repositories"][10:60]  # 50 public ones
    sandbox.set_dataset(sandbox_dataset)
    second = call(sandbox, f"/organizations/{BIG_ORG_ID}/repos?per_page=100&page=2")
    assert (len(first.body), len(second.body)) == (100, 98)
    assert call(sandbox, f"/orgs/{BIG_ORG}").body["public_repos"] == 198


@pytest.mark.parametrize(
    "dataset",
    [
        [],
        {"organisations": None},
        {"organisations": [{"id": 1}]},
        {"organisations": [{}]},
        {"organisations": [{"login": "a", "id": 1, "repositories": [{"id": 2}]}]},
    ],
)
def test_invalid_dataset_is_a_sandbox_error(dataset: Any) -> None:
    with pytest.raises(SandboxError, match="sandbox dataset"):
        Sandbox(dataset)
