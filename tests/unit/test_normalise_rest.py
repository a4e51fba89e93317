"""REST normaliser: tiny inline payloads and the real 2021 payloads of ../shared/reference."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oshs.errors import SnapshotError
from oshs.normalise import normalise_snapshot
from oshs.normalise.common import normalise_datetime
from oshs.normalise.rest import organisation_record_from_rest, repository_record_from_rest
from oshs.schema import ORGANISATIONS, REPOSITORIES

PAYLOADS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "github-api-payloads"

REPOSITORY_KEYS = [
    c for c in REPOSITORIES.columns if c not in ("first_seen", "last_seen", "removed")
] + ["languages"]
ORGANISATION_KEYS = [c for c in ORGANISATIONS.columns if c != "stale"]


def rest_doc(items: list[dict[str, Any]], login: str = "nhsx", **extra: Any) -> dict[str, Any]:
    doc = {
        "format": 1,
        "api": "rest",
        "api_url": "https://api.github.com",
        "login": login,
        "display_name": None,
        "collected_at": "2021-03-04T10:11:12Z",
        "organisation": {"url": f"https://api.github.com/orgs/{login}", "body": {"login": login}},
        "pages": [{"url": "https://api.github.com/orgs/x/repos?page=1", "body": items}],
    }
    doc.update(extra)
    return doc


def item(repo_id: int = 1, name: str = "alpha", **fields: Any) -> dict[str, Any]:
    base = {
        "id": repo_id,
        "name": name,
        "full_name": f"nhsx/{name}",
        "private": False,
        "html_url": f"https://github.com/nhsx/{name}",
        "description": "",
        "fork": False,
        "created_at": "2020-01-02T03:04:05Z",
        "updated_at": "2020-02-02T03:04:05+01:00",
        "pushed_at": None,
        "homepage": None,
        "size": 10,
        "stargazers_count": 4,
        "forks_count": 2,
        "open_issues_count": 7,
        "language": "Python",
        "license": {"key": "mit", "name": "MIT License", "spdx_id": "MIT"},
        "archived": False,
        "has_issues": True,
        "has_wiki": False,
        "default_branch": "main",
        "unknown_future_field": {"x": 1},
    }
    base.update(fields)
    return base


def test_repository_record_exact_without_enrichment():
    record = repository_record_from_rest(item(), "nhsx")
    assert list(record) == REPOSITORY_KEYS
    assert record == {
        "id": 1,
        "platform": "github",
        "organisation": "nhsx",
        "name": "alpha",
        "full_name": "nhsx/alpha",
        "description": None,
        "html_url": "https://github.com/nhsx/alpha",
        "homepage": None,
        "created_at": "2020-01-02T03:04:05Z",
        "updated_at": "2020-02-02T02:04:05Z",
        "pushed_at": None,
        "language": "Python",
        "license": "MIT",
        "license_name": "MIT License",
        "topics": [],
        "stars": 4,
        "forks": 2,
        "open_issues": None,
        "open_pull_requests": None,
        "size_kb": 10,
        "default_branch": "main",
        "fork": False,
        "archived": False,
        "is_template": None,
        "has_issues": True,
        "has_wiki": False,
        "has_readme": None,
        "has_license_file": None,
        "has_contributing": None,
        "has_code_of_conduct": None,
        "has_security_policy": None,
        "has_citation": None,
        "languages": None,
    }


def test_repository_record_with_enrichment_topics_and_template():
    community = {
        "health_percentage": 71,
        "files": {
            "readme": {"url": "u"},
            "license": None,
            "contributing": {"url": "u"},
            "code_of_conduct": None,
            "code_of_conduct_file": {"url": "u"},
            "issue_template": None,
        },
    }
    record = repository_record_from_rest(
        item(topics=["nhs", "api", "nhs"], is_template=True, visibility="public"),
        "nhsx",
        languages={"Python": 300, "HTML": 100},
        community=community,
    )
    assert record["topics"] == ["api", "nhs"]
    assert record["is_template"] is True
    assert record["languages"] == {"HTML": 100, "Python": 300}
    assert {k: v for k, v in record.items() if k.startswith("has_")} == {
        "has_issues": True,
        "has_wiki": False,
        "has_readme": True,
        "has_license_file": False,
        "has_contributing": True,
        "has_code_of_conduct": True,
        "has_security_policy": None,
        "has_citation": None,
    }


@pytest.mark.parametrize(
    ("license_", "expected"),
    [
        (None, (None, None)),
        ({"key": "other", "name": "Other", "spdx_id": "NOASSERTION"}, ("NOASSERTION", "Other")),
        ({"key": "other", "name": "Other", "spdx_id": None}, ("NOASSERTION", "Other")),
        (
            {"key": "apache-2.0", "name": "Apache License 2.0", "spdx_id": "Apache-2.0"},
            ("Apache-2.0", "Apache License 2.0"),
        ),
    ],
)
def test_license(license_, expected):
    record = repository_record_from_rest(item(license=license_), "nhsx")
    assert (record["license"], record["license_name"]) == expected


def test_snapshot_drops_private_and_internal_and_uses_enrichment():
    items = [
        item(2, "beta"),
        item(3, "secret", private=True),
        item(4, "inside", visibility="internal"),
        item(1, "alpha", visibility="public"),
    ]
    doc = rest_doc(
        items,
        display_name="NHSX",
        languages={"NHSX/Alpha": {"url": "u", "body": {"Python": 5}}},
        organisation={
            "url": "u",
            "body": {
                "login": "nhsx",
                "id": 99,
                "name": "NHSX org",
                "blog": "",
                "created_at": "2019-05-01T00:00:00Z",
                "public_repos": 3,
                "html_url": "https://github.com/nhsx",
            },
        },
    )
    collection = normalise_snapshot(doc)
    assert collection.api == "rest"
    assert collection.collected_on == "2021-03-04"
    assert [r["full_name"] for r in collection.repositories] == ["nhsx/alpha", "nhsx/beta"]
    assert [r["languages"] for r in collection.repositories] == [{"Python": 5}, None]
    assert list(collection.organisation) == ORGANISATION_KEYS
    assert collection.organisation == {
        "login": "nhsx",
        "platform": "github",
        "name": "NHSX",
        "id": 99,
        "description": None,
        "html_url": "https://github.com/nhsx",
        "website": None,
        "location": None,
        "created_at": "2019-05-01T00:00:00Z",
        "is_verified": None,
        "public_repositories": 3,
        "collected_on": "2021-03-04",
    }


def test_duplicate_listing_across_pages_kept_once():
    doc = rest_doc([item(1, stargazers_count=1)])
    doc["pages"].append({"url": "p2", "body": [item(1, stargazers_count=2)]})
    assert [r["stars"] for r in normalise_snapshot(doc).repositories] == [2]


def test_organisation_name_falls_back_to_own_name_then_login():
    assert (
        organisation_record_from_rest({"login": "a", "name": "A"}, None, "2021-01-01")["name"]
        == "A"
    )
    assert organisation_record_from_rest({"login": "a"}, "", "2021-01-01")["name"] == "a"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (rest_doc([], api="soap"), "unknown api 'soap'"),
        (rest_doc([], api="graphql"), "graphql"),
        (rest_doc([], format=2), "unsupported format 2"),
        (rest_doc([], pages=None), "'pages'"),
        (rest_doc([item(created_at="yesterday")]), "created_at is 'yesterday'"),
        (rest_doc([item(stargazers_count="4")]), "stargazers_count is '4'"),
        (rest_doc([item(id=None)]), "has no 'id'"),
    ],
)
def test_bad_snapshots_raise_snapshot_error(doc, message):
    with pytest.raises(SnapshotError, match=message):
        normalise_snapshot(doc)


def test_normalise_datetime():
    assert normalise_datetime("2021-03-04T10:11:12.345+02:00") == "2021-03-04T08:11:12Z"
    assert normalise_datetime("2021-03-04T10:11:12") == "2021-03-04T10:11:12Z"
    assert normalise_datetime("") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-10-06T06:00:00Z", "2025-10-06T06:00:00Z"),  # canonical: kept as it is
        ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
        ("1000-01-01T00:00:00Z", "1000-01-01T00:00:00Z"),
        ("0999-01-01T00:00:00Z", "999-01-01T00:00:00Z"),  # strftime's own spelling, as before
        ("2025-10-06 06:00:00Z", "2025-10-06T06:00:00Z"),
        ("2025-10-06T06:00:00+01:00", "2025-10-06T05:00:00Z"),
        ("2025-10-06T06:00:00.999Z", "2025-10-06T06:00:00Z"),
        ("2025-10-06T06:00:00", "2025-10-06T06:00:00Z"),
        ("20251006T060000Z", "2025-10-06T06:00:00Z"),
    ],
)
def test_normalise_datetime_spellings(value, expected):
    assert normalise_datetime(value) == expected


@pytest.mark.parametrize(
    "value", ["2025-02-30T00:00:00Z", "2025-10-06T24:00:00Z", "2025-13-01T00:00:00Z", "2025"]
)
def test_an_impossible_canonical_looking_datetime_is_an_error(value):
    with pytest.raises(SnapshotError, match=f"when is {value!r}, expected an ISO 8601 datetime"):
        normalise_datetime(value, "when")


# --- the real payloads of 2021 -------------------------------------------------------------

REAL = [  # file, login, repositories, forks, archived (README of the payloads)
    ("111online_repos.json", "111Online", 13, 0, 0),
    ("nhsconnect_repos.json", "nhsconnect", 100, 3, 3),
    ("nhsconnect2_repos.json", "nhsconnect", 77, 0, 5),
    ("nhsdigital_repos.json", "NHSDigital", 79, 4, 0),
    ("nhsengland_repos.json", "nhsengland", 23, 3, 1),
    ("nhsuk_repos.json", "nhsuk", 100, 11, 45),
    ("nhsx_repos.json", "nhsx", 42, 4, 6),
]


def real_doc(*files: str, login: str) -> dict[str, Any]:
    assert PAYLOADS.is_dir(), f"reference payloads missing: {PAYLOADS}"
    doc = rest_doc([], login=login)
    doc["pages"] = [{"url": f, "body": json.loads((PAYLOADS / f).read_text())} for f in files]
    return doc


@pytest.mark.parametrize(("file", "login", "count", "forks", "archived"), REAL)
def test_real_payload_counts(file, login, count, forks, archived):
    repositories = normalise_snapshot(real_doc(file, login=login)).repositories
    assert len(repositories) == count
    assert sum(r["fork"] for r in repositories) == forks
    assert sum(r["archived"] for r in repositories) == archived
    assert all(list(r) == REPOSITORY_KEYS for r in repositories)
    assert all(r["open_issues"] is None and r["open_pull_requests"] is None for r in repositories)
    assert all(r["topics"] == [] and r["is_template"] is None for r in repositories)


def test_real_nhsconnect_two_pages():
    doc = real_doc("nhsconnect_repos.json", "nhsconnect2_repos.json", login="nhsconnect")
    repositories = normalise_snapshot(doc).repositories
    assert (len(repositories), sum(r["fork"] for r in repositories)) == (177, 3)
    assert sum(r["archived"] for r in repositories) == 8


def test_real_repository_exact_values():
    nhsengland = normalise_snapshot(real_doc("nhsengland_repos.json", login="nhsengland"))
    ckan = next(r for r in nhsengland.repositories if r["id"] == 23826632)
    assert {
        k: ckan[k] for k in ("full_name", "created_at", "pushed_at", "license", "language")
    } == {
        "full_name": "nhsengland/ckanext-nhsengland",
        "created_at": "2014-09-09T09:06:07Z",
        "pushed_at": "2021-01-20T21:21:12Z",
        "license": "AGPL-3.0",
        "language": "HTML",
    }
    assert (ckan["stars"], ckan["forks"], ckan["size_kb"]) == (0, 3, 6942)
    assert (ckan["open_issues"], ckan["topics"], ckan["languages"]) == (None, [], None)

    nhsuk = normalise_snapshot(real_doc("nhsuk_repos.json", login="nhsuk"))
    bot = next(r for r in nhsuk.repositories if r["id"] == 72620103)
    assert {k: bot[k] for k in REPOSITORY_KEYS if k not in ("description", "homepage")} == {
        "id": 72620103,
        "platform": "github",
        "organisation": "nhsuk",
        "name": "dolores-landingham-slack-bot",
        "full_name": "nhsuk/dolores-landingham-slack-bot",
        "html_url": "https://github.com/nhsuk/dolores-landingham-slack-bot",
        "created_at": "2016-11-02T08:38:12Z",
        "updated_at": "2016-11-02T08:38:13Z",
        "pushed_at": "2016-10-26T17:25:50Z",
        "language": "Ruby",
        "license": "NOASSERTION",
        "license_name": "Other",
        "topics": [],
        "stars": 0,
        "forks": 0,
        "open_issues": None,
        "open_pull_requests": None,
        "size_kb": 792,
        "default_branch": "develop",
        "fork": True,
        "archived": False,
        "is_template": None,
        "has_issues": False,
        "has_wiki": False,
        "has_readme": None,
        "has_license_file": None,
        "has_contributing": None,
        "has_code_of_conduct": None,
        "has_security_policy": None,
        "has_citation": None,
        "languages": None,
    }
