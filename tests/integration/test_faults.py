"""Faults the collector survives (retries) or reports (one organisation failed, the rest kept).

Each fault is injected by a sandbox interceptor that answers the first matching requests.
"""

from __future__ import annotations

import time
from datetime import datetime

from conftest import BIG_ORG, SMALL_ORG

from oshs.collect import ApiSettings, collect, connect
from oshs.config import parse_config
from oshs.sandbox import RateLimiter
from oshs.sandbox.server import Reply

COLLECTED_AT = datetime(2025, 10, 6, 6, 0, 0)
SECONDARY = {
    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before "
    "you try again.",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
}


def fail_first(sandbox, count: int, reply: Reply, *, path: str = "/graphql") -> list[int]:
    """Answer the first `count` requests to `path` with `reply`; returns a hit counter."""
    hits = [0]

    def intercept(ctx):
        if ctx.path.rstrip("/") == path and hits[0] < count:
            hits[0] += 1
            return Reply(reply.status, reply.body, dict(reply.headers), reply.cost)
        return None

    sandbox.add_interceptor(intercept)
    return hits


def collect_from(sandbox, *logins, **changes):
    config = parse_config("organisations: [" + ", ".join(logins) + "]\n", "test.yaml")
    defaults = {"seconds_between_requests": 0, "backoff_factor": 0.01, "max_wait": 30}
    options = ApiSettings(api_url=sandbox.url, token="t", **{**defaults, **changes})
    return collect(config, connect(options), options, collected_at=COLLECTED_AT)


def test_a_burst_of_server_errors_is_retried(sandbox):
    hits = fail_first(sandbox, 2, Reply(502, {"message": "Server Error"}))
    report = collect_from(sandbox, SMALL_ORG)
    assert hits == [2]
    assert report.failed == {} and report.retries == 2
    assert report.manifest()["repositories"] == {SMALL_ORG: 1}  # the fork is not asked for


def test_429_with_retry_after_is_honoured(sandbox):
    fail_first(sandbox, 1, Reply(429, {"message": "Too Many Requests"}, {"Retry-After": "1"}))
    started = time.monotonic()
    report = collect_from(sandbox, SMALL_ORG)
    assert report.failed == {} and report.retries == 1
    assert time.monotonic() - started >= 1.0


def test_a_secondary_rate_limit_waits_and_retries(sandbox):
    fail_first(sandbox, 1, Reply(403, SECONDARY, {"Retry-After": "1"}))
    started = time.monotonic()
    report = collect_from(sandbox, SMALL_ORG)
    assert report.failed == {} and report.retries == 1
    assert time.monotonic() - started >= 1.0


def test_server_errors_beyond_the_retries_fail_that_organisation_only(sandbox):
    fail_first(sandbox, 6, Reply(503, {"message": "Service Unavailable"}))
    report = collect_from(sandbox, SMALL_ORG, BIG_ORG)
    host = sandbox.url.removeprefix("http://")
    assert report.failed == {SMALL_ORG: f"gave up after retries: HTTP 503 from {host} each time"}
    assert [doc["login"] for doc in report.snapshots] == [BIG_ORG]


def test_a_graphql_error_names_the_organisation_and_its_message(sandbox):
    body = {
        "data": None,
        "errors": [{"type": "SERVICE_UNAVAILABLE", "message": "Something went wrong"}],
    }
    fail_first(sandbox, 1, Reply(200, body))
    report = collect_from(sandbox, SMALL_ORG, BIG_ORG)
    assert report.failed == {SMALL_ORG: "HTTP 400: SERVICE_UNAVAILABLE Something went wrong"}
    assert [doc["login"] for doc in report.snapshots] == [BIG_ORG]


def test_a_missing_organisation_over_graphql_is_not_found(sandbox):
    report = collect_from(sandbox, "no-such-org", SMALL_ORG)
    assert report.failed == {"no-such-org": "HTTP 404: not found"}
    assert [doc["login"] for doc in report.snapshots] == [SMALL_ORG]


def test_a_blocked_organisation_is_unavailable_for_legal_reasons(sandbox):
    fail_first(sandbox, 1, Reply(451, {"message": "Blocked"}), path=f"/orgs/{SMALL_ORG}")
    report = collect_from(sandbox, SMALL_ORG, api="rest")
    assert report.failed == {SMALL_ORG: "HTTP 451: unavailable for legal reasons"}


def test_an_exhausted_graphql_budget_stops_and_names_the_rest(make_sandbox):
    sandbox = make_sandbox(rate_limiter=RateLimiter(authenticated={"graphql": 10}))
    report = collect_from(sandbox, BIG_ORG, SMALL_ORG, max_wait=0)
    assert report.snapshots == []
    assert list(report.failed) == [BIG_ORG, SMALL_ORG]
    assert all(reason.startswith("rate limit exhausted: ") for reason in report.failed.values())


def test_a_retry_after_beyond_max_wait_gives_up_at_once(sandbox):
    fail_first(sandbox, 1, Reply(429, {"message": "Too Many Requests"}, {"Retry-After": "30"}))
    started = time.monotonic()
    report = collect_from(sandbox, SMALL_ORG, BIG_ORG, max_wait=2)
    assert time.monotonic() - started < 10
    assert report.failed == {SMALL_ORG: "gave up: waiting 30 s more would pass --max-wait 2 s"}
    assert [doc["login"] for doc in report.snapshots] == [BIG_ORG]


def test_retries_and_rate_limit_resets_share_one_max_wait(make_sandbox):
    sandbox = make_sandbox(rate_limiter=RateLimiter(authenticated={"graphql": 10}, window=3))
    fail_first(sandbox, 1, Reply(429, {"message": "Too Many Requests"}, {"Retry-After": "2"}))
    report = collect_from(sandbox, BIG_ORG, SMALL_ORG, max_wait=2.5)
    # The 2 s Retry-After fits in 2.5 s; the reset wait for the third page (>= 1 s) then cannot.
    assert report.retries == 1
    assert report.snapshots == []
    assert list(report.failed) == [BIG_ORG, SMALL_ORG]
    assert all(reason.startswith("rate limit exhausted: ") for reason in report.failed.values())


RATE_LIMITED = {
    "data": None,
    "errors": [
        {"type": "RATE_LIMITED", "message": "API rate limit already exceeded for user ID 1."}
    ],
}


def test_graphql_rate_limited_waits_for_the_reset_and_asks_again(make_sandbox):
    sandbox = make_sandbox(rate_limiter=RateLimiter(window=2))
    hits = fail_first(sandbox, 1, Reply(200, RATE_LIMITED))  # points spent by someone else
    started = time.monotonic()
    report = collect_from(sandbox, SMALL_ORG, max_wait=10)
    assert time.monotonic() - started >= 1.0  # it waited for the (2 s) window to reset
    assert hits == [1]
    assert report.failed == {}
    assert report.manifest()["repositories"] == {SMALL_ORG: 1}


def test_graphql_rate_limited_beyond_max_wait_stops_cleanly(sandbox):
    fail_first(sandbox, 1, Reply(200, RATE_LIMITED))
    report = collect_from(sandbox, SMALL_ORG, BIG_ORG, max_wait=0)
    assert report.snapshots == []
    assert all(reason.startswith("rate limit exhausted: ") for reason in report.failed.values())
    assert list(report.failed) == [SMALL_ORG, BIG_ORG]
