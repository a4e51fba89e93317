"""Sharded collection merges to the same package as one run; GitHub Enterprise Server paths."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BIG_ORG, SMALL_ORG, make_dataset, published_files

from oshs.cli import cli
from oshs.sandbox import Sandbox

COLLECTED_AT = "2025-10-06T06:00:00Z"


def oshs(args: list[str], cwd: Path, monkeypatch) -> None:
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    result = CliRunner().invoke(cli, [*args, "-q"])
    assert result.exit_code == 0, result.output


def shard_dataset() -> dict:
    """The test dataset with six more small organisations, so that every shard of three has
    some (the shard of a login is a hash of it)."""
    dataset = make_dataset()
    small = dataset["organisations"][1]
    for n in range(6):
        extra = copy.deepcopy(small)
        extra["login"], extra["id"] = f"trust-{n}", 3000 + n
        for index, repository in enumerate(extra["repositories"]):
            repository["id"] = 900000 + 10 * n + index
        dataset["organisations"].append(extra)
    return dataset


@pytest.mark.slow
def test_the_union_of_shards_builds_the_same_bytes_as_one_run(tmp_path, monkeypatch):
    dataset = shard_dataset()
    logins = ",".join(org["login"] for org in dataset["organisations"])
    with Sandbox(dataset) as sandbox:
        api = ["--orgs", logins, "--api-url", sandbox.url, "--collected-at", COLLECTED_AT]
        whole, sharded = tmp_path / "whole", tmp_path / "sharded"
        whole.mkdir()
        sharded.mkdir()
        oshs(["collect", *api], whole, monkeypatch)
        for k in (1, 2, 3):  # each shard in its own job and folder, merged like artifacts
            shard = tmp_path / f"shard-{k}"
            shard.mkdir()
            oshs(["collect", "--shard", f"{k}/3", *api], shard, monkeypatch)
            shutil.copytree(shard / ".oshs", sharded / ".oshs", dirs_exist_ok=True)
    oshs(["build"], whole, monkeypatch)
    oshs(["build"], sharded, monkeypatch)
    raw = sharded / ".oshs" / "raw" / "2025-10-06"
    manifests = sorted(p.name for p in raw.glob("*.json"))
    assert manifests == [f"manifest-shard-{k}-of-3.json" for k in (1, 2, 3)]
    for k in (1, 2, 3):  # every shard collected something
        manifest = json.loads((raw / f"manifest-shard-{k}-of-3.json").read_text())
        assert manifest["organisations"]["collected"] != []
    assert len(list(raw.glob("*.json.gz"))) == 8
    assert published_files(sharded) == published_files(whole)


def test_a_collection_through_a_github_enterprise_server_mount(make_sandbox, tmp_path, monkeypatch):
    sandbox = make_sandbox(prefix="/api/v3")
    assert sandbox.url.endswith("/api/v3")
    oshs(
        ["run", "--orgs", f"{BIG_ORG},{SMALL_ORG}", "--api-url", sandbox.url], tmp_path, monkeypatch
    )
    paths = {record.path for record in sandbox.requests}
    assert paths == {"/graphql"}  # all over GraphQL, at PyGithub's GHES URL …/api/graphql
    rows = (tmp_path / "outputs" / "data" / "organisations.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in rows] == ["login", BIG_ORG, SMALL_ORG]
