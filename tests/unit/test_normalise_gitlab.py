"""oshs.normalise.gitlab: a raw GitLab snapshot → the same internal records as GitHub's."""

from __future__ import annotations

import pandas as pd
import pytest

from oshs.errors import SnapshotError
from oshs.normalise import normalise_snapshot
from oshs.normalise.gitlab import gitlab_license, top_language
from oshs.tables import languages_table, repository_records


def project(**changes):
    item = {
        "id": 456, "path": "tools", "name": "Tools", "path_with_namespace": "nhsbsa/data/tools",
        "description": "", "web_url": "https://gitlab.com/nhsbsa/data/tools",
        "created_at": "2020-01-02T03:04:05.123Z", "updated_at": "2024-05-06T07:08:09.000Z",
        "last_activity_at": "2025-01-01T00:00:00.000+01:00", "default_branch": "main",
        "topics": ["nhs", "api", "nhs"], "star_count": 4, "forks_count": 2,
        "open_issues_count": 3, "archived": True, "visibility": "public",
        "issues_enabled": True, "wiki_enabled": False,
    }  # fmt: skip
    item.update(changes)
    return item


def doc(items, projects=None):
    return {
        "format": 1, "api": "gitlab", "platform": "gitlab", "login": "nhsbsa",
        "api_url": "https://gitlab.com/api/v4", "display_name": None,
        "collected_at": "2025-10-06T06:00:00Z",
        "organisation": {"url": "u", "body": {
            "id": 2955125, "name": "NHSBSA", "full_path": "nhsbsa", "description": "",
            "web_url": "https://gitlab.com/groups/nhsbsa", "created_at": "2018-06-01T00:00:00Z",
        }},
        "pages": [{"url": "p", "body": items}],
        "projects": projects or {},
    }  # fmt: skip


DETAILS = {
    "license": {"url": "l", "body": {"key": "apache-2.0", "name": "Apache License 2.0"}},
    "languages": {"url": "g", "body": {"Shell": 25.0, "Python": 75.0}},
    "merge_requests": {"url": "m", "x_total": 5},
    "tree": {"url": "t", "names": ["CONTRIBUTING.md", "LICENSE", "README.md", "src"]},
}


def test_a_project_becomes_the_internal_record_with_platform_keys():
    collection = normalise_snapshot(doc([project()], {"456": DETAILS}))
    assert collection.organisation == {
        "login": "gitlab:nhsbsa", "platform": "gitlab", "name": "NHSBSA", "id": 2955125,
        "description": None, "html_url": "https://gitlab.com/groups/nhsbsa", "website": None,
        "location": None, "created_at": "2018-06-01T00:00:00Z", "is_verified": None,
        "public_repositories": 1, "collected_on": "2025-10-06",
    }  # fmt: skip
    assert collection.repositories == [
        {
            "id": "gitlab:456", "platform": "gitlab", "organisation": "gitlab:nhsbsa",
            "name": "tools", "full_name": "nhsbsa/data/tools", "description": None,
            "html_url": "https://gitlab.com/nhsbsa/data/tools", "homepage": None,
            "created_at": "2020-01-02T03:04:05Z", "updated_at": "2024-05-06T07:08:09Z",
            "pushed_at": "2024-12-31T23:00:00Z", "language": "Python", "license": "Apache-2.0",
            "license_name": "Apache License 2.0", "topics": ["api", "nhs"], "stars": 4,
            "forks": 2, "open_issues": 3, "open_pull_requests": 5, "size_kb": None,
            "default_branch": "main", "fork": False, "archived": True, "is_template": None,
            "has_issues": True, "has_wiki": False, "has_readme": True, "has_license_file": True,
            "has_contributing": True, "has_code_of_conduct": False,
            "has_security_policy": False, "has_citation": False, "languages": None,
            "language_shares": {"Python": 0.75, "Shell": 0.25},
        }
    ]  # fmt: skip


def test_without_details_counts_and_flags_are_unknown_and_non_public_is_dropped():
    items = [project(forked_from_project={"id": 1}), project(id=457, visibility="internal")]
    (record,) = normalise_snapshot(doc(items)).repositories
    assert (record["open_pull_requests"], record["license"], record["language"]) == (None,) * 3
    assert record["has_readme"] is None and record["fork"] is True


def test_shares_give_languages_rows_without_bytes():
    collection = normalise_snapshot(doc([project()], {"456": DETAILS}))
    rows = languages_table(repository_records([collection])).to_dict("records")
    assert [(r["repository_id"], r["language"], r["share"]) for r in rows] == [
        ("gitlab:456", "Python", 0.75), ("gitlab:456", "Shell", 0.25),
    ]  # fmt: skip
    assert all(pd.isna(r["bytes"]) for r in rows)


def test_licence_keys_and_top_language_ties():
    assert gitlab_license({"key": "mit", "name": "MIT License"}) == ("MIT", "MIT License")
    assert gitlab_license({"key": "other", "name": "Other"}) == ("NOASSERTION", "Other")
    assert gitlab_license(None) == (None, None)
    assert top_language({"R": 0.5, "C": 0.5}) == "C"
    assert top_language({}) is None


def test_a_bad_percentage_names_the_project():
    details = {"456": {"languages": {"url": "g", "body": {"Python": "lots"}}}}
    with pytest.raises(SnapshotError) as caught:
        normalise_snapshot(doc([project()], details))
    assert caught.value.message == (
        "snapshot: languages of 'nhsbsa/data/tools': 'Python' is 'lots', expected a percentage"
    )
