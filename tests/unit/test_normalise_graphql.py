"""The GraphQL normaliser: raw GraphQL pages → the same internal records as REST."""

from __future__ import annotations

from typing import Any

import pytest

from oshs.errors import SnapshotError
from oshs.normalise import normalise_snapshot
from oshs.normalise.graphql import community_flags_from_graphql


def node(database_id: int = 1, name: str = "alpha", **fields: Any) -> dict[str, Any]:
    base = {
        "databaseId": database_id,
        "name": name,
        "nameWithOwner": f"nhsx/{name}",
        "description": "",
        "homepageUrl": None,
        "url": f"https://github.com/nhsx/{name}",
        "createdAt": "2020-01-02T03:04:05Z",
        "updatedAt": "2021-01-02T03:04:05Z",
        "pushedAt": None,
        "visibility": "PUBLIC",
        "isPrivate": False,
        "isFork": False,
        "isArchived": True,
        "isTemplate": False,
        "hasIssuesEnabled": True,
        "hasWikiEnabled": False,
        "stargazerCount": 7,
        "forkCount": 2,
        "diskUsage": 99,
        "defaultBranchRef": {"name": "main"},
        "primaryLanguage": {"name": "Python"},
        "languages": {
            "totalCount": 2,
            "totalSize": 12,
            "edges": [
                {"size": 10, "node": {"name": "Python"}},
                {"size": 2, "node": {"name": "Shell"}},
            ],
        },
        "repositoryTopics": {"nodes": [{"topic": {"name": "nhs"}}, {"topic": {"name": "data"}}]},
        "licenseInfo": {"key": "mit", "name": "MIT License", "spdxId": "MIT"},
        "openIssues": {"totalCount": 3},
        "openPullRequests": {"totalCount": 1},
        "codeOfConduct": None,
        "contributingGuidelines": None,
        "isSecurityPolicyEnabled": False,
        "rootTree": {"entries": [{"name": "README.md", "type": "blob"}]},
    }
    base.update(fields)
    return base


def graphql_doc(nodes: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    org = {
        "login": "nhsx",
        "name": "NHSX",
        "databaseId": 42,
        "description": None,
        "websiteUrl": "https://nhsx.example",
        "location": "London",
        "createdAt": "2019-01-01T00:00:00Z",
        "isVerified": True,
        "url": "https://github.com/nhsx",
        "publicRepositories": {"totalCount": 5},
    }
    page = {"organization": {**org, "repositories": {"nodes": nodes}}, "rateLimit": {"cost": 1}}
    doc = {
        "format": 1,
        "api": "graphql",
        "api_url": "https://api.github.com",
        "login": "NHSX",
        "display_name": None,
        "collected_at": "2021-03-04T10:11:12Z",
        "organisation": {"url": "https://api.github.com/graphql", "body": org},
        "pages": [{"query": "x", "url": "https://api.github.com/graphql", "body": page}],
    }
    doc.update(extra)
    return doc


def test_repository_record_matches_the_rest_columns():
    collection = normalise_snapshot(graphql_doc([node()]))
    assert collection.api == "graphql" and collection.collected_on == "2021-03-04"
    assert collection.repositories == [
        {
            "id": 1,
            "platform": "github",
            "organisation": "nhsx",
            "name": "alpha",
            "full_name": "nhsx/alpha",
            "description": None,
            "html_url": "https://github.com/nhsx/alpha",
            "homepage": None,
            "created_at": "2020-01-02T03:04:05Z",
            "updated_at": "2021-01-02T03:04:05Z",
            "pushed_at": None,
            "language": "Python",
            "license": "MIT",
            "license_name": "MIT License",
            "topics": ["data", "nhs"],
            "stars": 7,
            "forks": 2,
            "open_issues": 3,
            "open_pull_requests": 1,
            "size_kb": 99,
            "default_branch": "main",
            "fork": False,
            "archived": True,
            "is_template": False,
            "has_issues": True,
            "has_wiki": False,
            "has_readme": True,
            "has_license_file": False,
            "has_contributing": False,
            "has_code_of_conduct": False,
            "has_security_policy": False,
            "has_citation": False,
            "languages": {"Python": 10, "Shell": 2},
        }
    ]


def test_organisation_record():
    collection = normalise_snapshot(graphql_doc([]))
    assert collection.organisation == {
        "login": "nhsx",
        "platform": "github",
        "name": "NHSX",
        "id": 42,
        "description": None,
        "html_url": "https://github.com/nhsx",
        "website": "https://nhsx.example",
        "location": "London",
        "created_at": "2019-01-01T00:00:00Z",
        "is_verified": True,
        "public_repositories": 5,
        "collected_on": "2021-03-04",
    }
    assert normalise_snapshot(graphql_doc([], display_name="NHS X")).organisation["name"] == "NHS X"


@pytest.mark.parametrize(
    ("licence", "expected"),
    [
        ({"key": "other", "name": "Other", "spdxId": "NOASSERTION"}, ("NOASSERTION", "Other")),
        ({"key": "odd", "name": "Odd", "spdxId": None}, ("NOASSERTION", "Odd")),
        (None, (None, None)),
    ],
)
def test_licences_as_rest_does(licence, expected):
    (record,) = normalise_snapshot(graphql_doc([node(licenseInfo=licence)])).repositories
    assert (record["license"], record["license_name"]) == expected


def test_community_flags_from_root_files_and_detections():
    entries = [
        {"name": name, "type": "blob"}
        for name in ("readme", "COPYING", "Contributing.rst", "code-of-conduct.md", "security.md")
    ] + [{"name": "citation.CFF", "type": "blob"}, {"name": "LICENSE", "type": "tree"}]
    flags = community_flags_from_graphql({"rootTree": {"entries": entries}})
    assert set(flags.values()) == {True} and len(flags) == 6
    detected = community_flags_from_graphql(
        {"rootTree": None, "codeOfConduct": {"key": "other"}, "isSecurityPolicyEnabled": True}
    )
    assert detected == {
        "has_readme": False,
        "has_license_file": False,
        "has_contributing": False,
        "has_code_of_conduct": True,
        "has_security_policy": True,
        "has_citation": False,
    }
    assert set(community_flags_from_graphql({}).values()) == {None}


def test_non_public_nodes_are_dropped_and_duplicates_kept_once():
    nodes = [
        node(1, "alpha"),
        node(2, "secret", visibility="PRIVATE", isPrivate=True),
        node(3, "inner", visibility="INTERNAL", isPrivate=True),
        node(4, "nameless", visibility=None),
        node(1, "alpha", stargazerCount=8),
    ]
    repositories = normalise_snapshot(graphql_doc(nodes)).repositories
    assert [(r["name"], r["stars"]) for r in repositories] == [("alpha", 8)]


def test_null_languages_are_unknown():
    (record,) = normalise_snapshot(graphql_doc([node(languages=None)])).repositories
    assert record["languages"] is None


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (graphql_doc([], pages=[{"body": []}]), r"snapshot \(graphql\): page 1 has no"),
        (graphql_doc([node(databaseId=None)]), "has no 'databaseId'"),
        (graphql_doc([node(stargazerCount="7")]), "stargazerCount is '7'"),
        (graphql_doc([node(createdAt="soon")]), "createdAt is 'soon'"),
        (graphql_doc([node(languages={"edges": None})]), "'languages' has no list"),
        (graphql_doc([node(languages={"edges": [{"size": -1, "node": {"name": "C"}}]})]), "-1"),
    ],
)
def test_bad_snapshots_raise_snapshot_error(doc, message):
    with pytest.raises(SnapshotError, match=message):
        normalise_snapshot(doc)
