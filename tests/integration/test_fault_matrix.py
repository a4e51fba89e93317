"""The fault matrix of collection: each fault spoils answers on the way through a fault-injecting
proxy (`oshs.sandbox.faults.FaultProxy`) or the network itself; the collector must either get a
good answer on a later try (held, collected) or fail that organisation only, with one line
naming the real cause (held, failed), and never conclude anything from an odd answer.

`FAULTS` are the cases of one table (each one fault); the tests after it need more set-up.
"""

from __future__ import annotations

import gzip
import json
import socket
import time
from datetime import datetime

import pytest
from conftest import BIG_ORG, SMALL_ORG

from oshs.collect import ApiSettings, collect, connect
from oshs.collect.transport import Deadline
from oshs.config import parse_config
from oshs.pipeline import run_collect
from oshs.sandbox.faults import Fault, FaultProxy

COLLECTED_AT = datetime(2025, 10, 6, 6, 0, 0)
HTML = b"<!DOCTYPE html><html><body><h1>Unicorn!</h1> GitHub is busy</body></html>"
BAD_JSON = b'{"login": "small-trust", "id": 1002, "public_repos": '
ORG = rf"/orgs/{SMALL_ORG}"
PAGES = r"/(orgs/small-trust|organizations/1002)/repos"
GRAPHQL = r"/graphql"


def on_graphql(kind: str, login: str = SMALL_ORG, **options) -> Fault:
    """A fault of the GraphQL queries of one organisation."""
    return Fault(GRAPHQL, kind, request_contains=f'"login": "{login}"', **options)


def config_for(*logins: str):
    return parse_config("organisations: [" + ", ".join(logins) + "]\n", "test.yaml")


def settings(url: str, **changes) -> ApiSettings:
    defaults = {"seconds_between_requests": 0, "backoff_factor": 0.01, "max_wait": 30}
    return ApiSettings(api_url=url, token="t", **{**defaults, **changes})


def collect_via(url: str, *logins: str, **changes):
    options = settings(url, **changes)
    return collect(config_for(*logins), connect(options), options, collected_at=COLLECTED_AT)


def spoil_nodes(answer):
    answer["data"]["organization"]["repositories"]["nodes"] = []
    return answer


def null_organisation(answer):
    answer["data"]["organization"] = None
    return answer


def string_count(answer):
    answer["data"]["organization"]["repositories"]["totalCount"] = "1"
    return answer


def drop_next_page(answer):
    answer["data"]["organization"]["repositories"]["pageInfo"]["hasNextPage"] = False
    return answer


def string_id(answer):
    answer[0]["id"] = str(answer[0]["id"])
    return answer


def more_public_repos(answer):
    answer["public_repos"] += 5
    return answer


def other_organisation(answer):
    answer["login"] = BIG_ORG
    return answer


def json_error(body: bytes) -> str:
    try:
        json.loads(body)
    except json.JSONDecodeError as error:
        return f"{error.msg} at offset {error.pos}"
    raise AssertionError("valid JSON")


# (id, api, fault, organisation, reason: None when it must be collected; {host} is the proxy's)
FAULTS = [
    ("rest-org-html-once", "rest", Fault(ORG, "body", body=HTML), SMALL_ORG, None),
    (
        "rest-org-html",
        "rest",
        Fault(ORG, "body", body=HTML, times=-1),
        SMALL_ORG,
        f"GET /orgs/{SMALL_ORG}: expected an organisation object, got an HTML or text page "
        "(asked 3 times)",
    ),
    (
        "rest-org-bad-json",
        "rest",
        Fault(ORG, "body", body=BAD_JSON, times=-1, content_type="application/json"),
        SMALL_ORG,
        f"malformed JSON from {{host}} ({json_error(BAD_JSON)}) (asked 3 times)",
    ),
    (
        "rest-org-a-list",
        "rest",
        Fault(ORG, "body", body=b"[]", times=-1, content_type="application/json"),
        SMALL_ORG,
        f"GET /orgs/{SMALL_ORG}: expected an organisation object, got a list (asked 3 times)",
    ),
    (
        "rest-org-another-login",
        "rest",
        Fault(ORG, "edit", edit=other_organisation, times=-1),
        SMALL_ORG,
        f"GET /orgs/{SMALL_ORG}: the answer is organisation '{BIG_ORG}', not '{SMALL_ORG}' "
        "(asked 3 times)",
    ),
    (
        "rest-page-bad-json-once",
        "rest",
        Fault(PAGES, "body", body=b'[{"id": 1,', content_type="application/json"),
        SMALL_ORG,
        None,
    ),
    (
        "rest-page-wrong-type",
        "rest",
        Fault(PAGES, "edit", edit=string_id, times=-1),
        SMALL_ORG,
        "repository listing, item 1 'id': expected an integer, got a string (asked 3 times)",
    ),
    ("rest-page-cut-once", "rest", Fault(PAGES, "cut", keep=30), SMALL_ORG, None),
    (
        "rest-page-cut",
        "rest",
        Fault(PAGES, "cut", keep=30, times=-1),
        SMALL_ORG,
        "the connection to {host} was cut before the answer was complete (asked 3 times)",
    ),
    ("rest-org-reset-once", "rest", Fault(ORG, "reset"), SMALL_ORG, None),
    (
        "rest-org-reset",
        "rest",
        Fault(ORG, "reset", times=-1),
        SMALL_ORG,
        "the connection to {host} was cut before the answer was complete",
    ),
    (
        "rest-count-disagrees",
        "rest",
        Fault(ORG, "edit", edit=more_public_repos, times=-1),
        SMALL_ORG,
        f"the listing of {SMALL_ORG} holds 2 repositories but its public_repos says 7: "
        "incomplete or shifted pages (3 listings)",
    ),
    (
        "rest-502-html",
        "rest",
        Fault(ORG, "body", body=HTML, status=404, times=-1),
        SMALL_ORG,
        "HTTP 404: not found",
    ),
    ("graphql-html-once", "graphql", on_graphql("body", body=HTML), SMALL_ORG, None),
    (
        "graphql-html",
        "graphql",
        on_graphql("body", body=HTML, times=-1),
        SMALL_ORG,
        "GraphQL answer: expected a JSON object with 'data', got an HTML or text page "
        "(asked 3 times)",
    ),
    (
        "graphql-empty-body",
        "graphql",
        on_graphql("body", body=b"", times=-1, content_type="application/json"),
        SMALL_ORG,
        "GraphQL answer: expected a JSON object, got an empty answer (asked 3 times)",
    ),
    (
        "graphql-organization-null",
        "graphql",
        on_graphql("edit", edit=null_organisation, times=-1),
        SMALL_ORG,
        "GraphQL answer: organization is null (and GitHub gave no error) (asked 3 times)",
    ),
    (
        "graphql-nodes-empty-once",
        "graphql",
        on_graphql("edit", BIG_ORG, edit=spoil_nodes),
        BIG_ORG,
        None,
    ),
    (
        "graphql-nodes-empty",
        "graphql",
        on_graphql("edit", edit=spoil_nodes, times=-1),
        SMALL_ORG,
        f"the listing of {SMALL_ORG} holds 0 repositories but its totalCount says 1: "
        "incomplete or shifted pages (3 listings)",
    ),
    (
        "graphql-page-missing",
        "graphql",
        on_graphql("edit", BIG_ORG, edit=drop_next_page, times=-1),
        BIG_ORG,
        f"the listing of {BIG_ORG} holds 100 repositories but its totalCount says 247: "
        "incomplete or shifted pages (3 listings)",
    ),
    (
        "graphql-wrong-type",
        "graphql",
        on_graphql("edit", edit=string_count, times=-1),
        SMALL_ORG,
        "repositories 'totalCount': expected an integer, got a string (asked 3 times)",
    ),
    ("graphql-cut-once", "graphql", on_graphql("cut", keep=50), SMALL_ORG, None),
    (
        "graphql-bad-json",
        "graphql",
        on_graphql("body", body=b'{"data": {', times=-1, content_type="application/json"),
        SMALL_ORG,
        "malformed JSON from {host} (Expecting property name enclosed in double quotes at "
        "offset 10) (asked 3 times)",
    ),
]


@pytest.mark.parametrize(
    ("api", "fault", "login", "reason"),
    [case[1:] for case in FAULTS],
    ids=[case[0] for case in FAULTS],
)
def test_a_fault_is_retried_or_fails_that_organisation_only(sandbox, api, fault, login, reason):
    other = BIG_ORG if login == SMALL_ORG else SMALL_ORG
    with FaultProxy(sandbox.url) as proxy:
        proxy.add(fault)
        report = collect_via(proxy.url, login, other, api=api)
        host = proxy.url.removeprefix("http://")
    assert fault.hits >= 1
    if reason is None:
        assert report.failed == {}
        assert sorted(doc["login"] for doc in report.snapshots) == sorted([login, other])
    else:
        assert report.failed == {login: reason.format(host=host)}
        assert [doc["login"] for doc in report.snapshots] == [other]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_dns_refused_and_tls_failures_are_named(sandbox):
    port = free_port()
    cases = {
        "http://oshs-no-such-host.invalid": "DNS lookup of oshs-no-such-host.invalid failed",
        f"http://127.0.0.1:{port}": f"connection to 127.0.0.1:{port} refused",
        sandbox.url.replace("http://", "https://"): (
            f"TLS handshake with {sandbox.url.removeprefix('http://')} failed"
        ),
    }
    for url, reason in cases.items():
        report = collect_via(url, SMALL_ORG, api="rest")
        assert report.failed == {SMALL_ORG: reason}, url


def test_a_server_that_never_answers_times_out_within_max_wait(sandbox):
    with FaultProxy(sandbox.url) as proxy:
        proxy.add(Fault(ORG, "hang", interval=5, times=-1))
        started = time.monotonic()
        report = collect_via(proxy.url, SMALL_ORG, BIG_ORG, api="rest", timeout=1, max_wait=1.5)
        host = proxy.url.removeprefix("http://")
    assert time.monotonic() - started < 4
    assert report.failed == {
        SMALL_ORG: f"timed out waiting for {host}",
        BIG_ORG: "not collected: --max-wait 1.5 s was spent on failures",
    }


def test_a_trickling_body_meets_its_deadline_and_counts_against_max_wait(sandbox):
    assert Deadline.available()  # the main thread of this process
    with FaultProxy(sandbox.url) as proxy:
        proxy.add(Fault(ORG, "trickle", interval=0.2, times=-1))
        started = time.monotonic()
        report = collect_via(proxy.url, SMALL_ORG, BIG_ORG, api="rest", timeout=0.5, max_wait=1.5)
        host = proxy.url.removeprefix("http://")
    assert time.monotonic() - started < 4
    assert report.failed == {
        SMALL_ORG: f"no complete answer within 1 s from {host} (deadline) (asked twice); "
        "--max-wait 1.5 s spent",
        BIG_ORG: "not collected: --max-wait 1.5 s was spent on failures",
    }


def test_a_members_token_leaves_no_private_count_in_snapshots_or_the_etag_cache(sandbox, tmp_path):
    options = ApiSettings(sandbox.url, f"member-of-{SMALL_ORG}", api="rest")
    report = run_collect(
        config_for(SMALL_ORG), options, raw_dir=tmp_path, collected_at=COLLECTED_AT
    )
    assert report.failed == {}
    files = sorted(tmp_path.rglob("*.json.gz"))
    assert [path.name for path in files] == ["small-trust.json.gz", "etag-cache.json.gz"]
    raw = b"".join(gzip.decompress(path.read_bytes()) for path in files)
    for secret in (b"total_private_repos", b"owned_private_repos", b"hidden"):
        assert secret not in raw
    doc = json.loads(gzip.decompress(files[0].read_bytes()))
    assert doc["organisation"]["body"]["public_repos"] == 2
