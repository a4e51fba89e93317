"""The sandbox's GitLab REST API as GitLab documents it: pagination headers, error bodies,
rate-limit headers, subgroups, shared-in projects and visibility."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from conftest import make_dataset
from gitlab_dataset import GROUP_ID, with_gitlab

from oshs.sandbox import RateLimiter


def get(url: str, token: str | None = None):
    """(status, headers, JSON body) of a GET, errors included."""
    request = urllib.request.Request(url, headers={"PRIVATE-TOKEN": token} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.load(error)


def test_pagination_headers_as_gitlab_sends_them(make_sandbox):
    sandbox = make_sandbox(with_gitlab(make_dataset()))
    base = f"{sandbox.gitlab_url}/api/v4/groups/nhsbsa/projects"
    status, headers, body = get(f"{base}?include_subgroups=true&per_page=40&page=2")
    assert status == 200 and len(body) == 40
    projects = f"{sandbox.gitlab_url}/api/v4/groups/{GROUP_ID}/projects"
    query = "include_subgroups=true&per_page=40"
    assert {name: headers[name] for name in (
        "X-Page", "X-Per-Page", "X-Next-Page", "X-Prev-Page", "X-Total", "X-Total-Pages")} == {
        "X-Page": "2", "X-Per-Page": "40", "X-Next-Page": "3", "X-Prev-Page": "1",
        "X-Total": "105", "X-Total-Pages": "3",
    }  # fmt: skip  # 104 public own projects and the shared-in one (with_shared defaults true)
    assert headers["Link"] == ", ".join(
        f'<{projects}?{query}&page={page}>; rel="{rel}"'
        for rel, page in (("prev", 1), ("next", 3), ("first", 1), ("last", 3))
    )
    assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(headers)
    assert "X-RateLimit-Limit" not in headers  # GitHub's headers are not GitLab's


def test_errors_visibility_and_shared_projects(make_sandbox):
    sandbox = make_sandbox(with_gitlab(make_dataset()))
    api = f"{sandbox.gitlab_url}/api/v4"
    assert get(f"{api}/groups/no-such-group")[::2] == (404, {"message": "404 Group Not Found"})
    assert get(f"{api}/projects/700002")[::2] == (404, {"message": "404 Project Not Found"})
    member = get(f"{api}/projects/nhsbsa%2Fsecret", token="member-of-nhsbsa")
    assert (member[0], member[2]["visibility"]) == (200, "private")
    own = get(f"{api}/groups/nhsbsa/projects?with_shared=false&per_page=100")[2]
    assert sorted(p["path_with_namespace"] for p in own) == [
        "nhsbsa/fork-of-tools", "nhsbsa/prescribing-data",
    ]  # fmt: skip
    shared = get(f"{api}/groups/nhsbsa/projects?per_page=100")[2]
    assert "other/shared-in" in {p["path_with_namespace"] for p in shared}


def test_past_the_limit_a_429_with_retry_after(make_sandbox):
    limiter = RateLimiter(unauthenticated={"gitlab": 1})
    sandbox = make_sandbox(with_gitlab(make_dataset()), rate_limiter=limiter)
    assert get(f"{sandbox.gitlab_url}/api/v4/groups/nhsbsa")[0] == 200
    status, headers, body = get(f"{sandbox.gitlab_url}/api/v4/groups/nhsbsa")
    assert (status, body) == (429, {"message": "429 Too Many Requests"})
    assert int(headers["Retry-After"]) > 0 and headers["RateLimit-Remaining"] == "0"
