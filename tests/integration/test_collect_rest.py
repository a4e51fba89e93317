"""REST collection through PyGithub against the sandbox: pages, visibility, cost, failures."""

from __future__ import annotations

import gzip
import json
import logging
from datetime import datetime

from conftest import BIG_ORG, SMALL_ORG, public_full_names

from oshs.collect import ApiSettings, collect, connect
from oshs.config import parse_config
from oshs.pipeline import run_collect
from oshs.sandbox import RateLimiter
from oshs.snapshot import read_collection, read_etag_cache, read_manifest

COLLECTED_AT = datetime(2025, 10, 6, 6, 0, 0)


def config_for(*logins: str):
    text = "organisations:\n" + "".join(f"  - {login}\n" for login in logins)
    return parse_config(text, "test.yaml")


def settings(sandbox, token: str | None = "t", **changes) -> ApiSettings:
    return ApiSettings(
        api_url=sandbox.url, token=token, api="rest", seconds_between_requests=0, **changes
    )


def collect_from(sandbox, *logins: str, token: str | None = "t", **changes):
    options = settings(sandbox, token, **changes)
    return collect(config_for(*logins), connect(options), options, collected_at=COLLECTED_AT)


def listed(doc) -> set[str]:
    return {item["full_name"] for page in doc["pages"] for item in page["body"]}


def test_pages_of_100_follow_the_link_headers(sandbox):
    report = collect_from(sandbox, BIG_ORG)
    (doc,) = report.snapshots
    assert [len(page["body"]) for page in doc["pages"]] == [100, 100, 48]
    assert doc["pages"][1]["url"] == (
        f"{sandbox.url}/organizations/1001/repos?page=2&per_page=100&type=public"
    )
    assert listed(doc) == public_full_names(sandbox.dataset, BIG_ORG)
    assert report.requests == 4  # the organisation and three pages: the floor


def test_a_members_token_still_writes_only_public_repositories(sandbox, tmp_path):
    report = run_collect(
        config_for(BIG_ORG, SMALL_ORG),
        settings(sandbox, token=f"member-of-{BIG_ORG}"),
        raw_dir=tmp_path,
        collected_at=COLLECTED_AT,
    )
    assert report.failed == {}
    raw = b"".join(gzip.decompress(p.read_bytes()) for p in tmp_path.rglob("*.json.gz"))
    assert b"secret-private" not in raw and b"secret-internal" not in raw
    assert b'"private":true' not in raw
    assert b"hidden" not in raw  # small-trust's private repository


def test_the_manifest_counts_what_the_sandbox_served(sandbox, tmp_path):
    run_collect(
        config_for(BIG_ORG, SMALL_ORG),
        settings(sandbox),
        raw_dir=tmp_path,
        collected_at=COLLECTED_AT,
    )
    manifest = read_manifest(tmp_path, "2025-10-06")
    assert manifest["requests"] == len(sandbox.requests) == 6
    assert manifest["organisations"] == {"collected": [BIG_ORG, SMALL_ORG], "failed": {}}
    assert manifest["repositories"] == {BIG_ORG: 248, SMALL_ORG: 2}
    assert manifest["rate_limit"]["remaining"] == 5000 - 6
    assert [doc["login"] for doc in read_collection(tmp_path, "2025-10-06")] == [BIG_ORG, SMALL_ORG]


def test_a_missing_organisation_is_named_and_the_others_are_collected(sandbox):
    report = collect_from(sandbox, "no-such-org", SMALL_ORG)
    assert report.failed == {"no-such-org": "HTTP 404: not found"}
    assert [doc["login"] for doc in report.snapshots] == [SMALL_ORG]


def test_enrichment_fetches_languages_and_community_per_repository(sandbox):
    report = collect_from(sandbox, SMALL_ORG, enrich=True)
    (doc,) = report.snapshots
    assert sorted(doc["languages"]) == [f"{SMALL_ORG}/Tools", f"{SMALL_ORG}/fork-of-tools"]
    assert doc["languages"][f"{SMALL_ORG}/Tools"]["body"] == {"R": 900}
    assert "url" not in doc["community"][f"{SMALL_ORG}/Tools"]["body"]
    assert report.requests == 2 + 2 * 2


def test_without_a_token_the_run_warns_and_still_collects(sandbox, tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(logging.getLogger("oshs"), "propagate", True)
    report = run_collect(
        config_for(SMALL_ORG),
        settings(sandbox, token=None),
        raw_dir=tmp_path,
        collected_at=COLLECTED_AT,
    )
    assert report.failed == {}
    assert not any(record.authenticated for record in sandbox.requests)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and all(
        w.startswith("no token: unauthenticated requests are limited to 60 an hour")
        for w in warnings
    )


def test_a_repeat_collection_is_conditional_and_costs_no_rate_limit(sandbox, tmp_path):
    config, options = config_for(BIG_ORG, SMALL_ORG), settings(sandbox)
    run_collect(config, options, raw_dir=tmp_path, collected_at=COLLECTED_AT)
    first = {p.name: p.read_bytes() for p in (tmp_path / "2025-10-06").glob("*.json.gz")}
    cache = read_etag_cache(tmp_path)
    assert b"secret-private" not in json.dumps(cache).encode()
    sandbox.reset_log()
    again = run_collect(config, options, raw_dir=tmp_path, collected_at=COLLECTED_AT)
    assert again.requests == again.not_modified == 6
    assert {record.status for record in sandbox.requests} == {304}
    assert sum(record.cost for record in sandbox.requests) == 0
    second = {p.name: p.read_bytes() for p in (tmp_path / "2025-10-06").glob("*.json.gz")}
    assert second == first


def test_an_exhausted_budget_stops_cleanly_and_names_what_was_not_collected(make_sandbox, tmp_path):
    sandbox = make_sandbox(rate_limiter=RateLimiter(authenticated={"core": 5}))
    report = run_collect(
        config_for(BIG_ORG, SMALL_ORG),
        settings(sandbox, max_wait=0),
        raw_dir=tmp_path,
        collected_at=COLLECTED_AT,
    )
    assert [doc["login"] for doc in report.snapshots] == [BIG_ORG]
    (reason,) = report.failed.values()
    assert list(report.failed) == [SMALL_ORG]
    assert reason.startswith("rate limit exhausted: 1 needed, 0 left until ")
    assert len(sandbox.requests) == 5  # nothing was started that could not be paid for
    assert read_manifest(tmp_path, "2025-10-06")["organisations"]["failed"] == report.failed


def test_a_short_budget_waits_for_the_reset_within_max_wait(make_sandbox, tmp_path):
    sandbox = make_sandbox(rate_limiter=RateLimiter(authenticated={"core": 5}, window=1))
    report = run_collect(
        config_for(BIG_ORG, SMALL_ORG),
        settings(sandbox, max_wait=10),
        raw_dir=tmp_path,
        collected_at=COLLECTED_AT,
    )
    assert report.failed == {}
    assert [doc["login"] for doc in report.snapshots] == [BIG_ORG, SMALL_ORG]
