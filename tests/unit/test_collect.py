"""Pure parts of the collector: visibility, pagination links, failure reasons, settings."""

from __future__ import annotations

import requests
from github import GithubException

from oshs.collect import ApiSettings, CollectionReport, failure_reason
from oshs.collect.rest import next_page_url
from oshs.snapshot import is_public_rest_item as is_public


def test_only_public_items_are_public():
    assert is_public({"private": False, "visibility": "public"})
    assert is_public({"private": False})  # 2021 payloads have no `visibility`
    assert not is_public({"private": True, "visibility": "private"})
    assert not is_public({"private": False, "visibility": "internal"})
    assert not is_public({"visibility": "public"})  # no `private` flag: not proven public


def test_next_page_url_reads_the_link_header():
    link = (
        '<http://127.0.0.1:9/organizations/7/repos?type=public&per_page=100&page=2>; rel="next", '
        '<http://127.0.0.1:9/organizations/7/repos?type=public&per_page=100&page=3>; rel="last"'
    )
    assert next_page_url({"link": link}) == (
        "http://127.0.0.1:9/organizations/7/repos?type=public&per_page=100&page=2"
    )
    assert next_page_url({"link": '<http://x/y?page=1>; rel="first"'}) is None
    assert next_page_url({}) is None


def test_failure_reasons_are_one_line():
    assert failure_reason(GithubException(404, {"message": "Not Found"}, {})) == (
        "HTTP 404: not found"
    )
    assert failure_reason(GithubException(451, {"message": "Blocked"}, {})) == (
        "HTTP 451: unavailable for legal reasons"
    )
    assert failure_reason(GithubException(502, {"message": "Bad Gateway"}, {})) == (
        "HTTP 502: Bad Gateway"
    )
    assert failure_reason(requests.exceptions.RetryError("boom")) == (
        "gave up after retries (server errors or rate limits)"
    )


def test_the_token_is_not_in_the_settings_repr():
    settings = ApiSettings(api_url="https://api.github.com", token="ghp_secretsecret")
    assert "ghp_secretsecret" not in repr(settings)
    assert "ghp_secretsecret" not in str(settings)


def test_manifest_summarises_the_collection():
    report = CollectionReport(
        collected_at="2025-10-06T06:00:00Z",
        api="rest",
        api_url="https://api.github.com",
        authenticated=True,
        enriched=False,
        snapshots=[{"api": "rest", "login": "nhsx", "pages": [{"body": [{}, {}]}, {"body": [{}]}]}],
        failed={"nope": "HTTP 404: not found"},
        requests=4,
        rate_limit={"remaining": 4996},
    )
    assert report.manifest() == {
        "format": 1,
        "collected_at": "2025-10-06T06:00:00Z",
        "api": "rest",
        "api_url": "https://api.github.com",
        "authenticated": True,
        "enriched": False,
        "organisations": {
            "collected": ["nhsx"],
            "failed": {"nope": "HTTP 404: not found"},
        },
        "repositories": {"nhsx": 3},
        "requests": 4,
        "not_modified": 0,
        "retries": 0,
        "dropped_non_public": 0,
        "rate_limit": {"remaining": 4996},
        "duration_seconds": 0.0,
    }
