"""Removal needs evidence: after odd answers no repository is published as removed, the next
clean day builds, and a REST pagination shift never removes the wrong repository. Text from
the API never starts a workflow command under GitHub Actions.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BIG_ORG, SMALL_ORG, make_dataset

from oshs.cli import cli
from oshs.collect import ApiSettings
from oshs.config import bundled_config, select_organisations
from oshs.pipeline import run_all
from oshs.sandbox.faults import Fault, FaultProxy
from oshs.sandbox.rest import DatasetIndex
from oshs.sandbox.server import Reply

CONFIG = select_organisations(bundled_config(), [BIG_ORG, SMALL_ORG])
HTML = b"<html><body>Service unavailable</body></html>"


def run_day(url: str, root: Path, day: int, api: str = "graphql") -> bool:
    settings = ApiSettings(
        api_url=url, token="t", api=api, seconds_between_requests=0, backoff_factor=0.01
    )
    return run_all(
        CONFIG,
        settings,
        raw_dir=root / "raw",
        out_dir=root / "outputs",
        package_path=root / "datapackage.json",
        collected_at=datetime(2025, 10, day, 6),
    )


def table(root: Path, name: str) -> list[dict[str, str]]:
    text = (root / "outputs" / "data" / f"{name}.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def removed(root: Path) -> list[str]:
    return sorted(
        row["full_name"] for row in table(root, "repositories") if row["removed"] == "true"
    )


def manifest(root: Path, day: int) -> dict:
    return json.loads((root / "raw" / f"2025-10-0{day}" / "manifest.json").read_text())


def graphql_of(login: str, kind: str, **options) -> Fault:
    return Fault(r"/graphql", kind, request_contains=f'"login": "{login}"', times=-1, **options)


@pytest.mark.slow
def test_odd_graphql_answers_remove_nothing_and_the_next_clean_day_builds(sandbox, tmp_path):
    def no_nodes(answer):
        answer["data"]["organization"]["repositories"]["nodes"] = []
        return answer

    def null_organisation(answer):
        answer["data"]["organization"] = None
        return answer

    with FaultProxy(sandbox.url) as proxy:
        assert run_day(proxy.url, tmp_path, 1)
        organisations_day_1 = table(tmp_path, "organisations")
        spoiled = proxy.add(graphql_of(BIG_ORG, "edit", edit=no_nodes))
        assert not run_day(proxy.url, tmp_path, 2)
        assert removed(tmp_path) == []
        spoiled.times = 0
        proxy.add(graphql_of(SMALL_ORG, "edit", edit=null_organisation))
        assert not run_day(proxy.url, tmp_path, 3)  # and the clean day after BIG_ORG's odd one
    assert manifest(tmp_path, 2)["organisations"]["failed"] == {
        BIG_ORG: f"the listing of {BIG_ORG} holds 0 repositories but its totalCount says 247: "
        "incomplete or shifted pages (3 listings)"
    }
    assert manifest(tmp_path, 3)["organisations"]["failed"] == {
        SMALL_ORG: "GraphQL answer: organization is null (and GitHub gave no error) (asked 3 times)"
    }
    assert removed(tmp_path) == []
    history = table(tmp_path, "organisation_history")
    assert sorted((row["collected_on"], row["organisation"]) for row in history) == [
        ("2025-10-01", BIG_ORG), ("2025-10-01", SMALL_ORG), ("2025-10-02", SMALL_ORG),
        ("2025-10-03", BIG_ORG),
    ]  # fmt: skip
    assert [(row["login"], row["stale"]) for row in table(tmp_path, "organisations")] == [
        (BIG_ORG, "false"), (SMALL_ORG, "true"),
    ]  # fmt: skip
    assert [row["name"] for row in organisations_day_1] == [
        row["name"] for row in table(tmp_path, "organisations")
    ]


def test_a_rest_pagination_shift_removes_the_deleted_repository_only(sandbox, tmp_path):
    assert run_day(sandbox.url, tmp_path, 1, api="rest")
    first_page = json.loads(
        gzip.decompress((tmp_path / "raw" / "2025-10-01" / "nhssandbox.json.gz").read_bytes())
    )["pages"][0]["body"]
    deleted = first_page[4]["name"]
    shrunk = make_dataset()
    big = shrunk["organisations"][0]
    big["repositories"] = [repo for repo in big["repositories"] if repo["name"] != deleted]
    shifted = []

    def delete_between_pages(ctx):
        if ctx.path.endswith("/repos") and ctx.arg("page") == "2" and not shifted:
            shifted.append(True)
            sandbox.set_dataset(shrunk)
            ctx.index = DatasetIndex(shrunk)
        return None

    sandbox.add_interceptor(delete_between_pages)
    with FaultProxy(sandbox.url) as proxy:
        proxy.add(Fault(rf"/orgs/{SMALL_ORG}", "body", body=HTML, times=-1))
        assert not run_day(proxy.url, tmp_path, 2, api="rest")
    assert shifted == [True]
    assert removed(tmp_path) == [f"{BIG_ORG}/{deleted}"]
    assert manifest(tmp_path, 2)["organisations"]["failed"] == {
        SMALL_ORG: f"GET /orgs/{SMALL_ORG}: expected an organisation object, got an HTML or text "
        "page (asked 3 times)"
    }
    small = next(row for row in table(tmp_path, "organisations") if row["login"] == SMALL_ORG)
    assert (small["stale"], small["collected_on"], small["id"]) == ("true", "2025-10-01", "1002")
    changelog = (tmp_path / "outputs" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"- Removed: {BIG_ORG}/{deleted}\n" in changelog


def test_api_text_never_starts_a_workflow_command_under_actions(sandbox, tmp_path, monkeypatch):
    hostile = "denied\n::error::pwned\n::stop-commands::abc\n  ::set-output name=x::y"
    body = {"data": None, "errors": [{"type": "FORBIDDEN", "message": hostile}]}
    sandbox.add_interceptor(lambda ctx: Reply(200, body) if ctx.path == "/graphql" else None)
    monkeypatch.chdir(tmp_path)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_TOKEN": "t", "GITHUB_STEP_SUMMARY": None}
    args = ["--orgs", SMALL_ORG, "--api-url", sandbox.url, "--collected-at", "2025-10-06"]
    collected = CliRunner().invoke(cli, ["collect", *args], env=env)
    summary = CliRunner().invoke(cli, ["summary", "--raw-dir", ".oshs/raw"], env=env)
    assert collected.exit_code == 1 and summary.exit_code == 0
    lines = (collected.stderr + collected.stdout + summary.stdout).splitlines()
    text = "HTTP 400: FORBIDDEN denied ::error::pwned ::stop-commands::abc ::set-output name=x::y"
    assert [line for line in lines if line.lstrip().startswith("::")] == [
        f"::warning::could not collect {SMALL_ORG}: {text}",  # our annotations, their text inside
        f"::error::organisation {SMALL_ORG} failed: {text}",
    ]
    assert f"| {SMALL_ORG} | failed: {text} | 0 | 0 |" in lines  # the summary, on stdout
    reason = manifest(tmp_path / ".oshs", 6)["organisations"]["failed"][SMALL_ORG]
    assert "\n" not in reason
