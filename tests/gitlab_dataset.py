"""A tiny GitLab group for the sandbox (the `gitlab_groups` of a dataset, docs/architecture.md).

`nhsbsa` (id 2955125): 3 projects of its own (one private, one internal), a subgroup
`nhsbsa/data` with 101 public projects (so two pages of 100) and a nested subgroup with one, and
a project shared in from another group. Its public projects' ids include 700001, the id of a
GitHub repository of the test dataset, so keys would collide if the platform were ignored.
"""

from __future__ import annotations

from typing import Any

GROUP_ID = 2955125
SUBGROUP_PROJECTS = 101


def project(project_id: int, path: str, **changes: Any) -> dict[str, Any]:
    """One project of the dataset's format (GitLab's names; `languages` in percent)."""
    entry: dict[str, Any] = {
        "id": project_id,
        "path": path,
        "name": path.replace("-", " ").title(),
        "description": f"Project {path}",
        "created_at": f"2019-0{1 + project_id % 9}-0{1 + project_id % 7}T10:00:00Z",
        "last_activity_at": "2025-09-01T12:00:00Z",
        "default_branch": "main",
        "topics": ["nhs"] if project_id % 2 else [],
        "star_count": project_id % 7,
        "forks_count": project_id % 3,
        "open_issues_count": project_id % 4,
        "open_merge_requests": project_id % 3,
        "archived": False,
        "visibility": "public",
        "languages": {"Python": 62.5, "Shell": 37.5} if project_id % 2 else {"Java": 100.0},
        "license": {"key": "mit", "name": "MIT License", "nickname": None}
        if project_id % 3
        else None,
        "files": ["README.md", "LICENSE"] if project_id % 3 else ["README.md"],
    }
    entry.update(changes)
    return entry


def gitlab_group() -> dict[str, Any]:
    """The `nhsbsa` group: subgroups, private, internal and shared-in projects."""
    data = [project(800000 + n, f"analysis-{n}") for n in range(1, SUBGROUP_PROJECTS + 1)]
    nested = {
        "id": GROUP_ID + 2, "full_path": "nhsbsa/data/nested", "name": "Nested",
        "created_at": "2021-01-01T00:00:00Z", "visibility": "public",
        "projects": [project(900001, "deep", archived=True)], "subgroups": [],
    }  # fmt: skip
    subgroup = {
        "id": GROUP_ID + 1, "full_path": "nhsbsa/data", "name": "Data",
        "created_at": "2020-01-01T00:00:00Z", "visibility": "public",
        "projects": data, "subgroups": [nested],
    }  # fmt: skip
    return {
        "id": GROUP_ID,
        "full_path": "nhsbsa",
        "name": "NHS Business Services Authority",
        "description": "NHSBSA on GitLab",
        "created_at": "2018-06-01T00:00:00Z",
        "visibility": "public",
        "projects": [
            project(700001, "prescribing-data", files=[]),  # empty repository: no tree
            project(700002, "secret", visibility="private"),
            project(700003, "staff-only", visibility="internal"),
            project(700004, "fork-of-tools", forked_from_id=1),
        ],
        "subgroups": [subgroup],
        "shared_projects": [
            project(600001, "shared-in", namespace={"id": 5, "full_path": "other", "name": "Other"})
        ],
    }


def public_paths(group: dict[str, Any]) -> set[str]:
    """`path_with_namespace` of the group's own public projects, subgroups included."""
    paths = set()

    def walk(entry: dict[str, Any]) -> None:
        for item in entry["projects"]:
            if item["visibility"] == "public":
                paths.add(f"{entry['full_path']}/{item['path']}")
        for child in entry["subgroups"]:
            walk(child)

    walk(group)
    return paths


def github_nhsbsa() -> dict[str, Any]:
    """A GitHub organisation `nhsbsa` whose repository id 800001 is also a GitLab project's."""
    from conftest import make_repository

    return {
        "login": "nhsbsa", "id": 777, "name": "NHSBSA", "description": None, "blog": None,
        "location": None, "created_at": "2016-01-01T00:00:00Z", "is_verified": False,
        "email": None, "twitter_username": None, "updated_at": "2025-01-01T00:00:00Z",
        "repositories": [make_repository(1, name="nhsbsa-tools", id=800001)],
    }  # fmt: skip


def with_gitlab(dataset: dict[str, Any]) -> dict[str, Any]:
    """`dataset` with GitHub's `nhsbsa` and GitLab's `nhsbsa` added."""
    dataset["organisations"].append(github_nhsbsa())
    dataset["gitlab_groups"] = [gitlab_group()]
    return dataset
