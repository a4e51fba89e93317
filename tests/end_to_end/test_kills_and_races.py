"""A build or a publish killed at any point, and four publishers racing with their own days:
nothing published is lost, nothing invented, and the next start completes what was cut.

The runs happen in `tests/fault_runs.py` (one process each, oshs imported once, each run of
oshs in a forked child that SIGKILLs itself at its point); see its docstring for the points.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HELPER = Path(__file__).resolve().parents[1] / "fault_runs.py"


def fault_run(kind: str, folder: Path) -> dict:
    done = subprocess.run(
        [sys.executable, str(HELPER), kind, str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.slow
def test_a_build_killed_at_any_point_leaves_a_valid_package_and_the_next_build_completes(
    tmp_path,
):
    kind = "build-all" if os.environ.get("OSHS_EVERY_KILL_POINT") else "build"
    report = fault_run(kind, tmp_path)
    assert (report["replaces"], report["journal"]) == (85, 35)  # 34 staged writes, the journal,
    # then 50 published files (7 CSVs, 7 Parquet twins, 20 chart files, report, changelog, the
    # website's pages, search index and assets, descriptor) moved in
    points = [tuple(outcome["point"]) for outcome in report["outcomes"]]
    assert len(points) == (87 if kind == "build-all" else 5)
    rebuilt = 0
    for outcome in report["outcomes"]:
        point = outcome["point"]
        killed_before_commit = point[1] == "replace" and point[2] <= report["journal"]
        rebuilt += outcome.pop("next_build_equals_reference", None) is True
        assert outcome == {
            "point": outcome["point"],
            "killed": True,
            "valid": True,
            "state": "old" if killed_before_commit else "new",
            "leftovers": [],
        }
    assert rebuilt == (87 if kind == "build-all" else 1)


@pytest.mark.slow
def test_a_publish_killed_at_any_point_is_completed_by_the_next_run(tmp_path):
    outcomes = {tuple(o.pop("point")): o for o in fault_run("publish", tmp_path)["outcomes"]}
    two = ["data-v1.0.0", "data-v1.1.0"]
    expected = {
        ("after", "git-commit", 1): (True, ["data-v1.0.0"], "published data-v1.1.0"),
        ("after", "git-tag", 1): (True, ["data-v1.0.0"], "published data-v1.1.0"),
        ("after", "git-push", 1): (True, two, "no change"),  # the remote holds it: true
        ("stale-index-lock", "", 0): (False, ["data-v1.0.0"], "published data-v1.1.0"),
    }
    for point, (killed, tags, line) in expected.items():
        assert outcomes.pop(point) == {
            "killed": killed,
            "tags_after_kill": tags,
            "next_run": line,
            "remote_tags": two,
            "days": ["2025-10-01", "2025-10-02"],
            "main_is_tagged": "data-v1.1.0",
        }, point
    assert outcomes == {
        ("after-commit-then-another-publishes", "git-commit", 1): {
            "killed": True,
            "tags_after_kill": two,  # the other publisher's day 3
            "next_run": "published data-v1.2.0",  # day 2 merged under day 3
            "remote_tags": [*two, "data-v1.2.0"],
            "days": ["2025-10-01", "2025-10-02", "2025-10-03"],
            "main_is_tagged": "data-v1.2.0",
        }
    }


@pytest.mark.slow
def test_four_racing_publishers_with_their_own_days_all_finish_and_every_day_is_published(
    tmp_path,
):
    report = fault_run("race", tmp_path)
    versions = ["data-v1.0.0", "data-v1.1.0", "data-v1.2.0", "data-v1.3.0"]
    assert report["exit_codes"] == [0, 0, 0, 0]
    assert report["results"] == [f"published {tag}" for tag in versions]
    assert report["remote_tags"] == versions
    assert report["days"] == ["2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04"]
    assert report["same_as_in_order"] is True  # tables, descriptor, charts, report
    headings = report["changelog_versions"]  # dated by the newest day published so far
    assert [heading.split()[1] for heading in headings] == ["1.3.0", "1.2.0", "1.1.0", "1.0.0"]
    assert headings[0] == "## 1.3.0 (2025-10-04)"


@pytest.mark.slow
def test_two_builds_into_one_folder_at_once_lose_neither_collection(tmp_path):
    assert fault_run("two-builds", tmp_path) == {
        "exit_codes": [0, 0],
        "valid": True,
        "same_tables_as_one_build_of_both": True,  # one waited for the other's lock
        "version": "1.1.0",
    }
