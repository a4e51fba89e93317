"""The sample's GitLab group, `gitlab.com/nhsbsa` (group id 2955125), for `generate_sample.py`.

Its public non-fork projects reproduce the cumulative counts nhsengland/open-health-statistics
published for the group (`openhealthstats.csv`, the `gitlab.com/nhsbsa` rows: 145 projects by
2025-08-21) at every published date, and its stargazer, fork and open-issue totals; they are made
with `generate_sample`'s own repository maker, then given GitLab's shape (the dataset format of
docs/architecture.md, `gitlab_groups`): languages in percent, `star_count`, `open_issues_count`
(issues only) and `open_merge_requests`. About a third live in two subgroups; a fork, private and
internal projects, and a project shared in from another group are added on top (never counted).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import generate_sample as sample

GROUP = {"id": 2955125, "full_path": "nhsbsa", "name": "NHS Business Services Authority"}
SUBGROUPS = (
    {"id": 2955200, "full_path": "nhsbsa/data-science", "name": "Data Science"},
    {"id": 2955300, "full_path": "nhsbsa/prescription-services", "name": "Prescription Services"},
)
FIRST_PROJECT_ID = 8_000_000


def published_points(reference: Path) -> list[dict]:
    """The group's published points (date, cumulative count, totals, top values), in order."""
    points = []
    with open(reference / "openhealthstats.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            host, login = sample.login_of(row["Organisation"])
            if (host, login.lower()) != ("gitlab", "nhsbsa"):
                continue
            points.append({
                "date": row["Date"], "cum": int(row["Open Repositories"]),
                "stars": int(float(row["Stargazers"])), "forks": int(float(row["Forks"])),
                "issues": int(float(row["Open Issues"])),
                "language": row["Top Language"] or None, "licence": row["Top License"] or None,
            })  # fmt: skip
    return sorted(points, key=lambda point: point["date"])


def percentages(languages: dict[str, int]) -> dict[str, float]:
    """Bytes per language → GitLab's percentages (two decimals)."""
    total = sum(languages.values())
    return {name: round(100 * size / total, 2) for name, size in languages.items()} if total else {}


def as_project(repo: dict, rng: random.Random) -> dict[str, Any]:
    """A GitHub-shaped sample repository as a GitLab project of the dataset."""
    licence = repo["license"]
    return {
        "id": 0, "path": repo["name"].lower().replace("_", "-").replace(".", "-"),
        "name": repo["name"], "description": repo["description"],
        "created_at": repo["created_at"], "updated_at": repo["updated_at"],
        "last_activity_at": repo["pushed_at"], "default_branch": repo["default_branch"],
        "topics": repo["topics"], "star_count": repo["stargazers_count"],
        "forks_count": repo["forks_count"], "open_issues_count": repo["open_issues"],
        "open_merge_requests": repo["open_pull_requests"], "archived": repo["archived"],
        "visibility": repo["visibility"], "languages": percentages(repo["languages"]),
        "license": {"key": licence["key"], "name": licence["name"], "nickname": None}
        if licence else None,
        "files": repo["files"], "issues_enabled": True, "wiki_enabled": rng.random() < 0.3,
        **({"forked_from_id": 278964} if repo["fork"] else {}),
    }  # fmt: skip


def gitlab_group(reference: Path) -> dict[str, Any]:
    """The `nhsbsa` group of the sample: counted projects on the published dates, extras on top."""
    rng = random.Random("oshs-sample/gitlab/nhsbsa")
    points = published_points(reference)
    used: set[str] = set()
    repos = sample.public_repositories(rng, "nhsbsa", points, used)
    repos += sample.extra_repositories(rng, "nhsbsa", points, used)
    projects = [as_project(repo, rng) for repo in repos]
    paths: set[str] = set()
    for project in projects:  # paths unique in the group (`a_b` and `a.b` both give `a-b`)
        base, k = project["path"], 2
        while project["path"] in paths:
            project["path"], k = f"{base}-{k}", k + 1
        paths.add(project["path"])
    for offset, project in enumerate(sorted(projects, key=lambda p: (p["created_at"], p["path"]))):
        project["id"] = FIRST_PROJECT_ID + 1000 * offset + rng.randint(0, 999)
    homes: list[list[dict]] = [[], [], []]
    for project in sorted(projects, key=lambda p: p["id"]):
        homes[rng.choice([0, 0, 0, 0, 1, 2])].append(project)
    subgroups = [
        {**group, "created_at": "2019-03-01T09:00:00Z", "visibility": "public",
         "projects": home, "subgroups": []}
        for group, home in zip(SUBGROUPS, homes[1:], strict=True)
    ]  # fmt: skip
    shared = as_project(repos[0], rng) | {"id": 7_999_001, "path": "shared-nhs-toolkit"}
    shared["namespace"] = {"id": 1_000_001, "full_path": "nhs-shared", "name": "NHS Shared"}
    first = min(project["created_at"] for project in projects)
    return {
        **GROUP, "description": "NHS Business Services Authority on GitLab",
        "created_at": sample.iso(sample.datetime.fromisoformat(first) - sample.timedelta(days=60)),
        "visibility": "public", "projects": homes[0], "subgroups": subgroups,
        "shared_projects": [shared],
    }  # fmt: skip
