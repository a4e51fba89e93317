"""`oshs demo`: the real pipeline, offline, through PyGithub against the sandbox."""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import pytest
from conftest import published_files
from frictionless import Package

from oshs.charts import CHART_NAMES

pytestmark = pytest.mark.xdist_group("demo")  # the session demo is built once, on one worker

SVG = "{http://www.w3.org/2000/svg}"
SAMPLE_LINE = (
    "SAMPLE DATA: invented repositories shaped on published counts, not figures from GitHub"
)
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "nhs-open-source-stats"


@pytest.fixture
def demo_dir(demo_package: Path) -> Path:
    """The session's demo folder (conftest), read-only."""
    return demo_package


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_demo_package_is_valid_for_frictionless(demo_dir):
    report = Package(str(demo_dir / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_the_demo_has_every_organisation_and_over_2000_repositories(demo_dir):
    organisations = read_rows(demo_dir / "outputs" / "data" / "organisations.csv")
    repositories = read_rows(demo_dir / "outputs" / "data" / "repositories.csv")
    assert len(organisations) == 32
    assert [row["login"] for row in organisations if row["platform"] == "gitlab"] == [
        "gitlab:nhsbsa"
    ]
    assert all(row["fork"] == "false" for row in repositories)
    assert len(repositories) > 2000
    assert {row["organisation"] for row in repositories} == {row["login"] for row in organisations}


def published_points() -> dict[tuple[str, str], int]:
    """(key lower-cased, date) → cumulative count, for every row of openhealthstats.csv: the
    GitHub organisations' and the GitLab group's (`gitlab:nhsbsa`)."""
    points = {}
    for row in read_rows(REFERENCE / "openhealthstats.csv"):
        link = re.search(r"href='https://(github|gitlab)\.com/([^']+)'", row["Organisation"])
        if link:
            key = link.group(2) if link.group(1) == "github" else f"gitlab:{link.group(2)}"
            points[(key.lower(), row["Date"])] = int(row["Open Repositories"])
    return points


def test_the_demo_timeline_reproduces_every_published_point(demo_dir):
    timeline = {
        (row["organisation"].lower(), row["date"]): int(row["cumulative_repositories"])
        for row in read_rows(demo_dir / "outputs" / "data" / "timeline.csv")
    }
    points = published_points()
    assert len(points) > 1900
    assert points[("gitlab:nhsbsa", "2025-08-21")] == 145  # the GitLab group's last point
    mismatches = {
        key: (value, timeline.get(key))
        for key, value in points.items()
        if timeline.get(key) != value
    }
    assert mismatches == {}


def test_the_demo_never_publishes_private_internal_or_fork_repositories(demo_dir):
    from oshs.sample import load_sample

    repositories = read_rows(demo_dir / "outputs" / "data" / "repositories.csv")
    names = {row["full_name"] for row in repositories}
    sample = [
        (org["login"], repo)
        for org in load_sample()["organisations"]
        for repo in org["repositories"]
    ]
    secret = {f"{login}/{repo['name']}" for login, repo in sample if repo["visibility"] != "public"}
    forks = {f"{login}/{repo['name']}" for login, repo in sample if repo["fork"]}
    assert len(secret) > 20 and len(forks) > 20
    assert not names & (secret | forks)
    raw = b"".join(gzip.decompress(p.read_bytes()) for p in (demo_dir / "raw").rglob("*.json.gz"))
    assert [name for name in secret if f'"{name}"'.encode() in raw] == []


def test_the_report_and_every_chart_are_written_and_say_sample_data(demo_dir):
    readme = (demo_dir / "outputs" / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(
        "# SAMPLE DATA: Open-source statistics of NHS and healthcare organisations on GitHub\n\n"
        "**SAMPLE DATA**: invented repositories shaped on published counts, served by the oshs "
        "GitHub API sandbox; not figures from GitHub.\n"
    )
    assert "<script" not in readme
    folder = demo_dir / "outputs" / "charts"
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        f"{name}.{suffix}" for name in CHART_NAMES for suffix in ("svg", "png")
    )
    for name in CHART_NAMES:
        title, desc = list(ET.fromstring((folder / f"{name}.svg").read_bytes()))[:2]
        assert (title.tag, desc.tag) == (f"{SVG}title", f"{SVG}desc"), name
        assert (title.text or "").startswith("SAMPLE DATA: "), name
        assert (desc.text or "").startswith(f"{SAMPLE_LINE}. "), name
        assert f"](charts/{name}.svg)" in readme, name
        assert (folder / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name


def test_the_chart_descriptions_state_the_figures_of_the_tables(demo_dir):
    data, folder = demo_dir / "outputs" / "data", demo_dir / "outputs" / "charts"
    current = [row for row in read_rows(data / "repositories.csv") if row["removed"] == "false"]
    removed = len(read_rows(data / "repositories.csv")) - len(current)
    desc = list(ET.fromstring((folder / "cambrian-explosion.svg").read_bytes()))[1].text or ""
    assert (
        f"{len(current):,} repositories public on 2025-10-13 ({removed:,} seen earlier and since "
        "removed are not counted). By primary language: Python "
        f"{sum(row['language'] == 'Python' for row in current):,} ("
    ) in desc
    totals: dict[str, list[int]] = {}
    for row in read_rows(data / "organisation_history.csv"):
        if row["source"] != "oshs":  # imported history: summarised by the chart, not listed
            continue
        day = totals.setdefault(row["collected_on"], [0, 0, 0, 0])
        for index, column in enumerate(("repositories", "stars", "forks", "open_issues")):
            day[index] += int(row[column])
    desc = list(ET.fromstring((folder / "history.svg").read_bytes()))[1].text or ""
    for day, (repositories, stars, forks, issues) in totals.items():
        assert (
            f"{day}: repositories {repositories:,}, stars {stars:,}, forks {forks:,}, "
            f"open issues {issues:,}"
        ) in desc


def test_the_demo_history_is_true(demo_dir):
    data = demo_dir / "outputs" / "data"
    history = read_rows(data / "organisation_history.csv")
    dates: dict[str, dict[str, set[str]]] = {}
    for row in history:
        dates.setdefault(row["source"], {}).setdefault(row["organisation"], set())
        dates[row["source"]][row["organisation"]].add(row["collected_on"])
    assert sorted(dates) == ["nhsengland/open-health-statistics", "oshs"]
    assert len(dates["oshs"]) == 32
    assert set(map(frozenset, dates["oshs"].values())) == {frozenset({"2025-10-06", "2025-10-13"})}
    imported = dates["nhsengland/open-health-statistics"]  # the real history, 2021-2025
    assert len(imported) == 25 and sum(map(len, imported.values())) == 28206  # GitLab's too
    assert min(map(min, imported.values())) == "2021-06-28"
    assert max(map(max, imported.values())) == "2025-10-03"
    assert len(read_rows(data / "repository_history.csv")) > 2601
    removed = [row for row in read_rows(data / "repositories.csv") if row["removed"] == "true"]
    assert removed and all(row["last_seen"] == "2025-10-06" for row in removed)


def test_the_demo_has_a_version_and_a_changelog_of_three_versions(demo_dir):
    descriptor = json.loads((demo_dir / "datapackage.json").read_text())
    assert descriptor["version"] == "1.2.0"
    assert descriptor["created"] == "2025-10-13T00:00:00Z"
    changelog = (demo_dir / "outputs" / "CHANGELOG.md").read_text()
    assert re.findall(r"^## (\S+) \((\S+)\)$", changelog, re.M) == [
        ("1.2.0", "2025-10-13"),
        ("1.1.0", "2025-10-06"),
        ("1.0.0", "2025-10-03"),  # the imported history comes first
    ]


def build_elsewhere(raw: Path, folder: Path, timezone: str, hash_seed: str) -> dict[str, bytes]:
    """`oshs import-history` of the shipped totals, then `oshs build` of the demo's snapshots, in
    another process, folder, time zone and hash seed."""
    folder.mkdir()
    totals = resources.files("oshs").joinpath("data", "legacy-history.csv.gz")
    where = ["--package", "datapackage.json", "--out", "outputs", "-q"]
    commands = [["import-history", str(totals), *where], ["build", "--raw-dir", str(raw), *where]]
    script = (
        "import sys\nfrom oshs.cli import cli\n"
        f"for args in {commands!r}:\n    cli(args, standalone_mode=False)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True,
                          text=True, timeout=300, check=False,
                          env={**os.environ, "TZ": timezone, "PYTHONHASHSEED": hash_seed,
                               "LC_ALL": "C.UTF-8"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    return published_files(folder)


@pytest.mark.slow
def test_other_folders_zones_and_seeds_publish_byte_identical_files(demo_dir, tmp_path):
    first = published_files(demo_dir)  # in process, this machine's zone and hash seed
    # in other processes (the import, then the build of both dates): the same bytes too
    second = build_elsewhere(demo_dir / "raw", tmp_path / "b", "Pacific/Auckland", "4242")
    assert sorted(first) == sorted(second)
    assert "datapackage.json" in first and "outputs/data/repositories.csv" in first
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
