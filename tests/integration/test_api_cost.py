"""What a full collection of the default organisations costs, counted by a proxy between
`oshs` and the sandbox, not by `oshs`'s own report."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime

from oshs.collect import ApiSettings
from oshs.config import bundled_config
from oshs.pipeline import run_collect
from oshs.sample import load_sample
from oshs.sandbox import Sandbox
from oshs.sandbox.proxy import CountingProxy
from oshs.snapshot import read_manifest

COLLECTED_AT = datetime(2025, 10, 6, 6, 0, 0)
GITHUB = replace(bundled_config(), organisations=bundled_config().on("github"))
GITLAB = replace(bundled_config(), organisations=bundled_config().on("gitlab"))


def floor_requests(dataset) -> int:
    """Σ⌈public non-fork repositories / 100⌉ over organisations."""
    return sum(
        max(
            1,
            math.ceil(
                sum(1 for r in org["repositories"] if r["visibility"] == "public" and not r["fork"])
                / 100
            ),
        )
        for org in dataset["organisations"]
    )


def test_a_full_graphql_collection_costs_at_most_1_1_times_the_floor(tmp_path):
    dataset = load_sample()
    with Sandbox(dataset) as sandbox, CountingProxy(sandbox.url) as proxy:
        settings = ApiSettings(api_url=proxy.url, token="t", seconds_between_requests=0)
        report = run_collect(GITHUB, settings, raw_dir=tmp_path, collected_at=COLLECTED_AT)
    floor = floor_requests(dataset)
    assert report.failed == {}
    assert floor == 44
    assert proxy.requests <= 1.1 * floor
    assert proxy.statuses == {200: proxy.requests}
    manifest = read_manifest(tmp_path, "2025-10-06")
    assert manifest["api"] == "graphql"
    assert manifest["requests"] == proxy.requests
    assert manifest["rate_limit"]["used"] == proxy.last_used["graphql"]


def test_the_rest_listing_costs_one_request_per_page_plus_the_organisation(tmp_path):
    dataset = load_sample()
    with Sandbox(dataset) as sandbox, CountingProxy(sandbox.url) as proxy:
        settings = ApiSettings(api_url=proxy.url, token="t", api="rest", seconds_between_requests=0)
        report = run_collect(GITHUB, settings, raw_dir=tmp_path, collected_at=COLLECTED_AT)
        again = run_collect(GITHUB, settings, raw_dir=tmp_path, collected_at=COLLECTED_AT)
    assert report.failed == {} and again.failed == {}
    assert report.requests + again.requests == proxy.requests
    assert proxy.statuses[304] == again.requests == again.not_modified
    assert read_manifest(tmp_path, "2025-10-06")["rate_limit"]["used"] == proxy.last_used["core"]


def test_the_gitlab_group_costs_3_requests_and_4_per_project_over_rest(tmp_path):
    """GitLab's REST API has no per-project licence, languages, merge-request count or root
    files in the group listing: 4 requests per project (GraphQL is not used, see the docs)."""
    group = load_sample()["gitlab_groups"][0]
    projects = len(group["projects"]) + sum(len(sub["projects"]) for sub in group["subgroups"])
    with Sandbox(load_sample()) as sandbox, CountingProxy(sandbox.url) as proxy:
        settings = ApiSettings(
            api_url=proxy.url, token="t", seconds_between_requests=0,
            gitlab_url=f"{proxy.url}/gitlab", gitlab_token="t",
        )  # fmt: skip
        report = run_collect(GITLAB, settings, raw_dir=tmp_path, collected_at=COLLECTED_AT)
    assert report.failed == {}
    assert projects == 155  # 151 public (145 counted and 6 forks), 3 private, 1 internal
    assert proxy.requests == report.gitlab.requests == 1 + 2 + 4 * 151 == 607
    assert proxy.statuses == {200: 606, 404: 1}  # one empty repository: no tree
