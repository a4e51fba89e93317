"""The GitLab collector (python-gitlab) against the sandbox's GitLab REST API on 127.0.0.1."""

from __future__ import annotations

from conftest import make_dataset
from gitlab_dataset import gitlab_group, project, public_paths, with_gitlab

from oshs.collect import collect_gitlab
from oshs.collect.api import Waits
from oshs.collect.gitlab import GitlabSettings
from oshs.config import Organisation, parse_config
from oshs.sandbox import RateLimiter

AT = "2025-10-06T06:00:00Z"


def config(*logins: str):
    entries = "".join(f"  - {{login: {login}, platform: gitlab}}\n" for login in logins)
    return parse_config(f"organisations:\n{entries}", "oshs.yaml")


def run(sandbox, *logins: str, token: str | None = None, max_wait: float = 30.0):
    settings = GitlabSettings(sandbox.gitlab_url, token, max_wait=max_wait)
    return collect_gitlab(config(*logins), settings, Waits(max_wait), collected_at=AT)


def test_pages_followed_subgroups_in_shared_and_non_public_out(make_sandbox):
    sandbox = make_sandbox(with_gitlab(make_dataset()))
    report = run(sandbox, "nhsbsa", token="member-of-nhsbsa")
    (doc,) = report.snapshots
    listed = {item["path_with_namespace"] for page in doc["pages"] for item in page["body"]}
    assert listed == public_paths(gitlab_group())
    assert [page["url"].split("?")[1] for page in doc["pages"]] == [
        "include_subgroups=true&with_shared=false&visibility=public&per_page=100&page=1"
        "&order_by=id&sort=asc",
        "include_subgroups=true&with_shared=false&visibility=public&per_page=100&page=2"
        "&order_by=id&sort=asc",
    ]
    assert report.requests == 1 + 2 + 4 * len(listed)  # REST: 4 per project
    assert sorted(doc["organisation"]["body"]) == [
        "avatar_url", "created_at", "description", "full_name", "full_path", "id", "name",
        "parent_id", "path", "visibility", "web_url",
    ]  # fmt: skip
    assert doc["projects"]["700001"]["tree"] == {"url": None, "names": []}  # empty repository
    assert report.failed == {}
    assert "member-of-nhsbsa" not in repr(report) + str(report.manifest())


def test_a_missing_group_fails_alone(make_sandbox):
    sandbox = make_sandbox(with_gitlab(make_dataset()))
    report = run(sandbox, "no-such-group", "nhsbsa")
    assert report.failed == {"gitlab:no-such-group": "HTTP 404: group not found"}
    assert [doc["login"] for doc in report.snapshots] == ["nhsbsa"]


def small_dataset():
    group = {
        "id": 1, "full_path": "tiny", "name": "Tiny", "created_at": "2020-01-01T00:00:00Z",
        "visibility": "public", "projects": [project(5, "one")], "subgroups": [],
    }  # fmt: skip
    return {"format": 1, "organisations": [], "gitlab_groups": [group]}


def test_a_429_is_waited_for_within_max_wait_else_the_group_fails(make_sandbox):
    limiter = RateLimiter(unauthenticated={"gitlab": 2}, window=1)
    sandbox = make_sandbox(small_dataset(), rate_limiter=limiter)
    report = run(sandbox, "tiny")  # 6 requests, 2 a second: waits for resets and 429s
    assert report.failed == {} and report.retries >= 1
    assert report.requests == 6 + report.retries
    limiter.reset()
    report = run(sandbox, "tiny", max_wait=0.5)
    (reason,) = report.failed.values()
    assert reason.startswith("GitLab rate limit") and reason.endswith("--max-wait 0.5 s")


def test_organisation_key_of_a_group():
    assert Organisation("nhsbsa/data", platform="gitlab").key == "gitlab:nhsbsa/data"
