"""History through the real path: sandbox → PyGithub → raw snapshots → replay → package."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from conftest import BIG_ORG, SMALL_ORG, make_dataset, make_repository

from oshs.collect import ApiSettings
from oshs.config import parse_config
from oshs.package import validate_package
from oshs.pipeline import run_build, run_collect
from oshs.sandbox.server import Reply

DATES = ("2025-10-06", "2025-10-13", "2025-10-20")
CONFIG = parse_config(f"organisations:\n  - login: {BIG_ORG}\n  - login: {SMALL_ORG}\n", "t.yaml")


def datasets() -> list[dict]:
    """Three weeks: week 2 deletes repo-011, stars repo-012, adds one, and the small org fails
    with server errors beyond the retries; week 3 brings repo-011 and the small org back."""
    first = make_dataset()
    second = make_dataset()
    big = second["organisations"][0]
    big["repositories"] = [r for r in big["repositories"] if r["name"] != "repo-011"]
    next(r for r in big["repositories"] if r["name"] == "repo-012")["stargazers_count"] += 10
    big["repositories"].append(make_repository(300, created_at="2025-10-10T10:00:00Z"))
    third = make_dataset()
    third["organisations"][0]["repositories"] = [
        *big["repositories"],
        make_repository(11),
    ]
    return [first, second, third]


def server_errors_for(login: str):
    """A sandbox interceptor: every GraphQL query about `login` gets a 502."""
    return lambda ctx: (
        Reply(502, {"message": "Server Error"}) if login in ctx.body.decode() else None
    )


def collect_week(make_sandbox, dataset: dict, date: str, raw_dir: Path) -> None:
    with make_sandbox(dataset) as sandbox:
        if date == DATES[1]:
            sandbox.add_interceptor(server_errors_for(SMALL_ORG))
        settings = ApiSettings(api_url=sandbox.url, token="t", seconds_between_requests=0,
                               backoff_factor=0.01)  # fmt: skip
        moment = datetime.strptime(f"{date}T06:00:00", "%Y-%m-%dT%H:%M:%S")
        report = run_collect(CONFIG, settings, raw_dir=raw_dir, collected_at=moment)
        host = sandbox.url.removeprefix("http://")
    failed = {SMALL_ORG: f"gave up after retries: HTTP 502 from {host} each time"}
    assert report.failed == (failed if date == DATES[1] else {})


def build(raw_dir: Path, root: Path) -> str:
    """`oshs build` into `root`; returns the published version."""
    result = run_build(CONFIG, raw_dir=raw_dir, out_dir=root / "outputs",
                       package_path=root / "datapackage.json")  # fmt: skip
    assert validate_package(result.package_path).valid
    return result.descriptor["version"]


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def table(root: Path, name: str) -> list[dict[str, str]]:
    text = (root / "outputs" / "data" / f"{name}.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.slow
def test_three_weeks_incremental_equals_all_at_once(make_sandbox, tmp_path: Path):
    raw = tmp_path / "raw"
    versions = []
    for dataset, date in zip(datasets(), DATES, strict=True):
        collect_week(make_sandbox, dataset, date, raw)
        versions.append(build(raw, tmp_path / "steps"))
        assert build(raw, tmp_path / "steps") == versions[-1]  # a rebuild changes nothing
    assert versions == ["1.0.0", "1.1.0", "1.2.0"]
    assert build(raw, tmp_path / "once") == "1.2.0"
    assert files(tmp_path / "steps") == files(tmp_path / "once")

    root = tmp_path / "once"
    repos = {r["name"]: r for r in table(root, "repositories")}
    assert {k: repos["repo-011"][k] for k in ("first_seen", "last_seen", "removed")} == {
        "first_seen": DATES[0], "last_seen": DATES[2], "removed": "false",
    }  # fmt: skip
    assert repos["repo-300"]["first_seen"] == DATES[1]
    assert [(r["collected_on"], r["login"], r["stale"]) for r in table(root, "organisations")] == [
        (DATES[2], BIG_ORG, "false"), (DATES[2], SMALL_ORG, "false"),
    ]  # fmt: skip
    history = [(r["collected_on"], r["organisation"], r["repositories"], r["removed"])
               for r in table(root, "organisation_history")]  # fmt: skip
    assert history == [
        (DATES[0], BIG_ORG, "247", "0"), (DATES[0], SMALL_ORG, "1", "0"),
        (DATES[1], BIG_ORG, "247", "1"),
        (DATES[2], BIG_ORG, "248", "0"), (DATES[2], SMALL_ORG, "1", "0"),
    ]  # fmt: skip
    stars = [(r["collected_on"], r["stars"]) for r in table(root, "repository_history")
             if r["repository_id"] == "600012"]  # fmt: skip
    assert stars == [(DATES[0], "12"), (DATES[1], "22")]
    changelog = (root / "outputs" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## 1.1.0 (2025-10-13)" in changelog
    assert "Not collected, carried forward unchanged (stale): small-trust" in changelog
