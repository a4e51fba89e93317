"""The bundled sample dataset against the published figures it is generated from."""

from __future__ import annotations

import bisect
import csv
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from oshs.errors import SampleError
from oshs.sample import SAMPLE_COLLECTED_AT, load_sample

REPO = Path(__file__).resolve().parents[2]
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "nhs-open-source-stats"
SAMPLE_FILE = REPO / "oshs" / "data" / "sample.json.gz"
LOGINS = [
    "nhsx",
    "111Online",
    "NHSDigital",
    "nhsconnect",
    "nhsengland",
    "nhs-pycom",
    "nhs-r-community",
    "nhsuk",
    "ukhsa-collaboration",
    "UKHSA-Internal",
    "CDU-data-science-team",
    "Nottingham-and-Nottinghamshire-ICS",
    "The-Strategy-Unit",
    "ebmdatalab",
    "opensafely",
    "opensafely-core",
    "HFAnalyticsLab",
    "nhs-bnssg-analytics",
    "BHFDSC",
    "NHSLeadership",
    "nice-digital",
    "nhsbsa",
    "MHRA",
    "NHS-Blood-and-Transplant",
    "CQCDigital",
    "Health-Education-England",
    "NHSE-NDRS",
    "publichealthengland",
    "ncl-icb-analytics",
    "Birmingham-and-Solihull-ICS",
    "GIG-Cymru-NHS-Wales",
]
REPOSITORY_KEYS = {
    "id", "name", "description", "homepage", "created_at", "updated_at", "pushed_at", "languages",
    "license", "topics", "stargazers_count", "forks_count", "watchers_count", "open_issues",
    "open_pull_requests", "size", "default_branch", "fork", "archived", "disabled", "is_template",
    "has_issues", "has_wiki", "has_projects", "has_pages", "has_downloads", "has_discussions",
    "visibility", "files",
}  # fmt: skip
ORGANISATION_KEYS = {
    "login", "id", "name", "description", "blog", "location", "email", "twitter_username",
    "created_at", "updated_at", "is_verified", "repositories",
}  # fmt: skip
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "**bold** | pipe [link](javascript:alert(1))",
    "<script>",
    "=cmd|' /C calc'!A0",
    "+SUM(A1)",
    "@foo",
    "-2+3",
    "\u202e",
    "javascript:alert(1)",
    "script-alert",
]


@pytest.fixture(scope="module")
def sample() -> dict:
    """The packaged sample, loaded once for the module."""
    return load_sample()


@pytest.fixture(scope="module")
def published() -> dict[str, list[tuple[str, list[int]]]]:
    """Per lower-cased GitHub login: (date, [repositories, stars, forks, open issues]) points."""
    path = REFERENCE / "openhealthstats.csv"
    assert path.is_file(), f"reference data missing: {path}"
    points: dict[str, list[tuple[str, list[int]]]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            match = re.search(r"href='https://(github|gitlab)\.com/([^'/]+)'", row["Organisation"])
            assert match, row["Organisation"]
            if match.group(1) != "github":
                continue  # the NHSBSA GitLab group
            columns = ("Open Repositories", "Stargazers", "Forks", "Open Issues")
            values = [int(float(row[c])) for c in columns]
            points[match.group(2).lower()].append((row["Date"], values))
    return dict(points)


def counted(org: dict) -> list[dict]:
    """Public non-fork repositories of an organisation, by creation time."""
    repos = [r for r in org["repositories"] if r["visibility"] == "public" and not r["fork"]]
    return sorted(repos, key=lambda r: r["created_at"])


def all_repos(sample: dict) -> list[dict]:
    """Every repository of the sample, whatever its visibility."""
    return [r for org in sample["organisations"] for r in org["repositories"]]


def test_reference_data_is_present() -> None:
    assert REFERENCE.is_dir(), f"reference data missing: {REFERENCE}"
    assert (REFERENCE / "org_repos_agg.csv").is_file()


def test_all_31_organisations_in_canonical_case(sample: dict) -> None:
    assert [org["login"] for org in sample["organisations"]] == LOGINS
    assert sample["format"] == 1
    assert sample["collected_at"] == SAMPLE_COLLECTED_AT
    for org in sample["organisations"]:
        assert set(org) == ORGANISATION_KEYS
        assert org["blog"].startswith("https://")
        assert org["created_at"] < min(r["created_at"] for r in org["repositories"])


def test_every_published_point_is_reproduced(sample: dict, published: dict) -> None:
    orgs = {org["login"].lower(): org for org in sample["organisations"]}
    assert len(published) == 23 and set(published) <= set(orgs)
    checked = 0
    for login, points in published.items():
        repos = counted(orgs[login])
        days = [r["created_at"][:10] for r in repos]
        for day, (count, stars, forks, issues) in points:
            upto = repos[: bisect.bisect_right(days, day)]
            assert len(upto) == count, (login, day)
            assert sum(r["stargazers_count"] for r in upto) == stars, (login, day)
            assert sum(r["forks_count"] for r in upto) == forks, (login, day)
            opened = sum(r["open_issues"] + r["open_pull_requests"] for r in upto)
            assert opened == issues, (login, day)
            checked += 1
        assert len(repos) == points[-1][1][0], login
        assert set(days) == {day for day, _ in points}, login
    assert checked > 1900


def test_totals_and_special_repositories(sample: dict) -> None:
    public = [r for org in sample["organisations"] for r in counted(org)]
    repos = all_repos(sample)
    assert len(public) > 2000
    assert sum(r["archived"] for r in public) >= 20
    assert sum(r["is_template"] for r in public) >= 5
    forks = [r for r in repos if r["fork"]]
    assert forks and all(r["visibility"] == "public" for r in forks)
    for visibility in ("private", "internal"):
        owners = {
            org["login"]
            for org in sample["organisations"]
            for r in org["repositories"]
            if r["visibility"] == visibility
        }
        assert len(owners) >= 3, visibility
    assert {r["visibility"] for r in repos} == {"public", "private", "internal"}


def test_hostile_strings_in_public_repositories(sample: dict) -> None:
    public = [r for r in all_repos(sample) if r["visibility"] == "public"]
    texts = [" ".join([r["description"] or "", r["homepage"] or "", *r["topics"]]) for r in public]
    for hostile in HOSTILE:
        assert any(hostile in text for text in texts), hostile
    assert sum(len(r["description"] or "") >= 1000 for r in public) >= 2


def test_ids_names_topics_valid_and_unique(sample: dict) -> None:
    repos = all_repos(sample)
    assert len({r["id"] for r in repos}) == len(repos)
    assert len({org["id"] for org in sample["organisations"]}) == 31
    for org in sample["organisations"]:
        names = [r["name"].lower() for r in org["repositories"]]
        assert len(names) == len(set(names)), org["login"]
    for repo in repos:
        assert re.fullmatch(r"[A-Za-z0-9._-]{1,100}", repo["name"]), repo["name"]
        assert repo["name"] not in {".", ".."}
        for topic in repo["topics"]:
            assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,49}", topic), topic


def test_repository_fields_are_consistent(sample: dict) -> None:
    for repo in all_repos(sample):
        assert set(repo) == REPOSITORY_KEYS
        assert repo["created_at"] <= repo["pushed_at"] <= repo["updated_at"] <= SAMPLE_COLLECTED_AT
        sizes = sorted(repo["languages"].values(), reverse=True)
        assert len(sizes) < 2 or sizes[0] > sizes[1], repo["name"]
        licence = repo["license"]
        assert licence is None or set(licence) == {"key", "name", "spdx_id"}
        assert ("LICENSE" in repo["files"]) == (licence is not None)
        assert repo["visibility"] in {"public", "private", "internal"}
        assert repo["watchers_count"] == repo["stargazers_count"]


def test_load_sample_returns_independent_copies() -> None:
    first = load_sample()
    first["organisations"].clear()
    assert len(load_sample()["organisations"]) == 31


def test_generator_reproduces_the_committed_file(tmp_path: Path) -> None:
    out = tmp_path / "sample.json.gz"
    script = REPO / "scripts" / "generate_sample.py"
    command = [sys.executable, str(script), "--reference", str(REFERENCE), "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    assert out.read_bytes() == SAMPLE_FILE.read_bytes()


def test_next_week_of_the_sample() -> None:
    from oshs.sample import load_sample_at, load_sample_dates

    assert load_sample_dates() == ["2025-10-06", "2025-10-13"]
    assert load_sample(0) == load_sample() == load_sample_at("2025-10-06")
    before, after = load_sample(0), load_sample(1)
    assert "next" not in before and "next" not in after
    assert after["collected_at"] == "2025-10-13T06:00:00Z"
    old = {
        r["id"]: (org["login"], r) for org in before["organisations"] for r in org["repositories"]
    }
    new = {
        r["id"]: (org["login"], r) for org in after["organisations"] for r in org["repositories"]
    }
    deleted, created = set(old) - set(new), set(new) - set(old)
    archived = {
        i for i in set(old) & set(new) if new[i][1]["archived"] and not old[i][1]["archived"]
    }
    starred = {
        i
        for i in set(old) & set(new)
        if new[i][1]["stargazers_count"] > old[i][1]["stargazers_count"]
    }
    assert (len(deleted), len(created), len(archived)) == (6, 9, 6)
    assert len({old[i][0] for i in deleted}) == 5 and len({new[i][0] for i in created}) == 5
    assert len({new[i][0] for i in archived}) == 5 and len(starred) > 100
    assert min(created) > max(old)
    for repo in (r for _, r in new.values()):
        assert (
            repo["created_at"] <= repo["pushed_at"] <= repo["updated_at"] <= after["collected_at"]
        )
    with pytest.raises(SampleError) as caught:
        load_sample_at("2025-10-07")
    assert caught.value.message == (
        "sample date '2025-10-07': expected one of 2025-10-06, 2025-10-13"
    )
    with pytest.raises(SampleError) as caught:
        load_sample(2)
    assert caught.value.message == "sample day 2: expected a day from 0 to 1"
