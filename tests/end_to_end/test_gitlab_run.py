"""`oshs run` with GitHub's and GitLab's `nhsbsa` in one config: both published, apart."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_dataset
from gitlab_dataset import GROUP_ID, gitlab_group, project, public_paths, with_gitlab
from npm_packages import GITBEAKER, GITBEAKER_VERSION, npm_installed

from oshs.cli import cli
from oshs.normalise.gitlab import LICENSE_SPDX
from oshs.package import validate_package


def read_rows(path):
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_run_publishes_the_github_organisation_and_the_gitlab_group_apart(
    make_sandbox, tmp_path, monkeypatch
):
    sandbox = make_sandbox(with_gitlab(make_dataset()))
    (tmp_path / "oshs.yaml").write_text(
        "organisations:\n  - login: nhsbsa\n  - {login: nhsbsa, platform: gitlab}\n"
        f"gitlab_url: {sandbox.gitlab_url}\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    monkeypatch.setenv("GITLAB_TOKEN", "member-of-nhsbsa")  # sees private ones: never written
    result = CliRunner().invoke(cli, ["run", "--api-url", sandbox.url, "-q"])
    assert result.exit_code == 0, result.output
    assert validate_package(tmp_path / "datapackage.json").valid
    data = tmp_path / "outputs" / "data"
    organisations = read_rows(data / "organisations.csv")
    assert [(row["login"], row["platform"], row["id"]) for row in organisations] == [
        ("gitlab:nhsbsa", "gitlab", str(GROUP_ID)),
        ("nhsbsa", "github", "777"),
    ]
    repositories = read_rows(data / "repositories.csv")
    gitlab = [row for row in repositories if row["platform"] == "gitlab"]
    published = public_paths(gitlab_group()) - {"nhsbsa/fork-of-tools"}  # forks left out
    assert {row["full_name"] for row in gitlab} == published  # subgroups in, shared-in out
    assert {row["organisation"] for row in gitlab} == {"gitlab:nhsbsa"}
    ids = {row["id"] for row in repositories}
    assert {"800001", "gitlab:800001"} <= ids  # one id on both platforms: two keys
    assert not {"gitlab:700002", "gitlab:700003", "gitlab:600001"} & ids  # private, shared-in
    first = next(row for row in gitlab if row["full_name"] == "nhsbsa/data/analysis-1")
    assert {key: first[key] for key in ("stars", "open_issues", "open_pull_requests",
            "language", "license", "topics", "has_readme", "has_license_file")} == {
        "stars": "6", "open_issues": "1", "open_pull_requests": "0", "language": "Python",
        "license": "", "topics": "nhs", "has_readme": "true", "has_license_file": "false",
    }  # fmt: skip
    languages = [r for r in read_rows(data / "languages.csv") if r["repository_id"] == first["id"]]
    assert [(r["language"], r["bytes"], r["share"]) for r in languages] == [
        ("Python", "", "0.625000"), ("Shell", "", "0.375000"),
    ]  # fmt: skip
    history = read_rows(data / "organisation_history.csv")
    assert [(r["organisation"], r["repositories"]) for r in history] == [
        ("gitlab:nhsbsa", str(len(published))),
        ("nhsbsa", "1"),
    ]
    manifest = json.loads(next((tmp_path / ".oshs" / "raw").glob("*/manifest.json")).read_text())
    assert manifest["organisations"]["collected"] == ["gitlab:nhsbsa", "nhsbsa"]
    projects = len(public_paths(gitlab_group()))
    assert manifest["gitlab"]["requests"] == 1 + 2 + 4 * projects  # group, 2 pages, 4 each
    raw = {path.name for path in (tmp_path / ".oshs" / "raw").glob("*/*.json.gz")}
    assert raw == {"nhsbsa.json.gz", "gitlab~nhsbsa.json.gz"}
    assert "member-of-nhsbsa" not in result.output
    raw_bytes = b"".join(p.read_bytes() for p in (tmp_path / ".oshs").rglob("*") if p.is_file())
    gunzipped = b"".join(
        gzip.decompress(p.read_bytes()) for p in (tmp_path / ".oshs").rglob("*.gz")
    )
    assert b"member-of-nhsbsa" not in raw_bytes + gunzipped  # never in a raw file or manifest
    assert b"secret" not in gunzipped and b"staff-only" not in gunzipped  # private, internal


LISTER = Path(__file__).resolve().parent.parent / "js" / "gitbeaker_list.mjs"


def gitbeaker_listing(host: str, group: str, token: str = "") -> dict:
    """What @gitbeaker/rest (npm) lists of `group`: every page of its projects, and per
    project its licence, languages and open merge requests. Fails (never skips) without it."""
    try:
        root = npm_installed(GITBEAKER, GITBEAKER_VERSION)
    except RuntimeError as error:
        pytest.fail(f"{GITBEAKER}@{GITBEAKER_VERSION} is needed (npm install): {error}")
    script = root / LISTER.name  # ESM resolves packages from the script's folder
    shutil.copyfile(LISTER, script)
    command = ["node", str(script), host, group, token]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.slow
def test_oshs_run_agrees_project_by_project_with_gitbeaker(make_sandbox, tmp_path, monkeypatch):
    sandbox = make_sandbox(with_gitlab(make_dataset()))
    (tmp_path / "oshs.yaml").write_text(
        "organisations: [{login: nhsbsa, platform: gitlab}]\ninclude_forks: true\n"
        f"gitlab_url: {sandbox.gitlab_url}\n"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run", "--api-url", sandbox.url, "-q"])
    assert result.exit_code == 0, result.output
    data = tmp_path / "outputs" / "data"
    rows = {row["full_name"]: row for row in read_rows(data / "repositories.csv")}
    shares: dict[str, dict[str, str]] = {}
    for row in read_rows(data / "languages.csv"):
        shares.setdefault(row["repository_id"], {})[row["language"]] = row["share"]
    listing = gitbeaker_listing(sandbox.gitlab_url, "nhsbsa")
    assert listing["total"] == len(listing["projects"]) == len(rows)
    assert set(rows) == public_paths(gitlab_group())  # subgroups in, shared-in out
    for item in listing["projects"]:
        row = rows[item["path_with_namespace"]]
        seen = {
            "id": f"gitlab:{item['id']}", "stars": str(item["star_count"]),
            "forks": str(item["forks_count"]), "open_issues": str(item["open_issues_count"]),
            "open_pull_requests": str(item["open_merge_requests"]),
            "archived": str(item["archived"]).lower(),
            "license": LICENSE_SPDX[item["license_key"]] if item["license_key"] else "",
        }  # fmt: skip
        assert {key: row[key] for key in seen} == seen
        expected = {name: f"{value / 100:.6f}" for name, value in item["languages"].items()}
        assert shares.get(row["id"], {}) == expected


@pytest.mark.slow  # two builds
def test_a_group_that_fails_is_carried_forward_stale_and_loses_nothing(
    make_sandbox, tmp_path, monkeypatch
):
    other = tiny_group() | {"id": 2, "full_path": "other", "projects": [project(6, "two")]}
    dataset = {"format": 1, "organisations": [], "gitlab_groups": [tiny_group(), other]}
    sandbox = make_sandbox(dataset)
    (tmp_path / "oshs.yaml").write_text(
        "organisations: [{login: tiny, platform: gitlab}, {login: other, platform: gitlab}]\n"
        f"gitlab_url: {sandbox.gitlab_url}\n"
    )
    monkeypatch.chdir(tmp_path)
    run = ["run", "--api-url", sandbox.url, "-q", "--collected-at"]
    assert CliRunner().invoke(cli, [*run, "2025-10-06"]).exit_code == 0
    sandbox.set_dataset({"format": 1, "organisations": [], "gitlab_groups": [other]})
    result = CliRunner().invoke(cli, [*run, "2025-10-07"])
    assert result.exit_code == 1
    assert "error: organisation gitlab:tiny failed: HTTP 404: group not found" in result.stderr
    data = tmp_path / "outputs" / "data"
    organisations = read_rows(data / "organisations.csv")
    assert [(r["login"], r["stale"], r["collected_on"]) for r in organisations] == [
        ("gitlab:other", "false", "2025-10-07"), ("gitlab:tiny", "true", "2025-10-06"),
    ]  # fmt: skip
    repositories = read_rows(data / "repositories.csv")
    assert [(r["id"], r["removed"], r["last_seen"]) for r in repositories] == [
        ("gitlab:5", "false", "2025-10-06"), ("gitlab:6", "false", "2025-10-07"),
    ]  # fmt: skip


def tiny_group() -> dict:
    return {
        "id": 1, "full_path": "tiny", "name": "Tiny", "created_at": "2020-01-01T00:00:00Z",
        "visibility": "public", "projects": [project(5, "one")], "subgroups": [],
    }  # fmt: skip
