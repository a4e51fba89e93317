"""A package published before `platform` (1.x: integer repository ids, GitHub only) is the state
of the next build: it migrates to 2.0.0 (a key's type changed) with no history lost."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from test_history import D1, D2, coll, repo, rows
from test_release import API_URL, build, publish

from oshs.collection import Collection
from oshs.descriptor import descriptor_bytes
from oshs.errors import StateError
from oshs.history import read_state
from oshs.state_check import verify_state

KEYS = {"id", "repository_id"}


def as_before_platform(root: Path, version: str = "1.0.0") -> None:
    """Rewrite the package at `root` as oshs 1.x published it: no `platform` column, integer
    repository ids (the same digits), sizes and hashes to match."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    for twin in [r for r in descriptor["resources"] if r.get("type") == "file"]:
        (root / twin["path"]).unlink()  # 1.x published no Parquet twins
    descriptor["resources"] = [r for r in descriptor["resources"] if r.get("type") != "file"]
    for resource in descriptor["resources"]:
        fields = resource["schema"]["fields"]
        if any(f["name"] == "platform" for f in fields):
            path = root / resource["path"]
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            at = lines[0].rstrip("\n").split(",").index("platform")
            data = "".join(
                ",".join(c for i, c in enumerate(line.rstrip("\n").split(",")) if i != at) + "\n"
                for line in lines
            ).encode()
            path.write_bytes(data)
            resource["bytes"], resource["hash"] = (
                len(data),
                f"sha256:{hashlib.sha256(data).hexdigest()}",
            )
            fields[:] = [f for f in fields if f["name"] != "platform"]
        for field in fields:
            if field["name"] in KEYS:
                field["type"] = "integer"
                field.pop("constraints", None)
    descriptor["version"] = version
    (root / "datapackage.json").write_bytes(descriptor_bytes(descriptor))


def test_a_1x_package_migrates_to_2_0_0_with_its_history(tmp_path: Path):
    first = Collection(
        D1, (coll("a", D1, repo(1), repo(2)), coll("b", D1, repo(3, "b"))), (), API_URL
    )
    publish(build(None, first), tmp_path)
    as_before_platform(tmp_path)
    state = read_state(tmp_path / "datapackage.json", tmp_path / "outputs")
    assert state is not None
    assert rows(state.tables["repositories"], "id", "platform") == [
        (1, "github"), (2, "github"), (3, "github"),
    ]  # fmt: skip
    second = Collection(
        D2, (coll("a", D2, repo(1, stars=9)), coll("b", D2, repo(3, "b"))), (), API_URL
    )
    release = build(state, second)
    assert release.version == "2.0.0"
    assert "column `repositories.id` changed type from integer to string" in release.changelog
    tables = release.tables
    assert rows(tables["repositories"], "id", "platform", "first_seen", "removed") == [
        (1, "github", D1, False), (2, "github", D1, True), (3, "github", D1, False),
    ]  # fmt: skip
    assert rows(tables["repository_history"], "collected_on", "repository_id", "stars") == [
        (D1, 1, 1), (D1, 2, 1), (D1, 3, 1), (D2, 1, 9),
    ]  # fmt: skip
    assert rows(tables["organisations"], "login", "platform") == [("a", "github"), ("b", "github")]


def test_a_2x_package_without_platform_is_refused(tmp_path: Path):
    publish(build(None, Collection(D1, (coll("a", D1, repo(1)),), (), API_URL)), tmp_path)
    as_before_platform(tmp_path, version="2.0.0")
    changelog = tmp_path / "outputs" / "CHANGELOG.md"
    with pytest.raises(StateError) as caught:
        descriptor = json.loads((tmp_path / "datapackage.json").read_text())
        verify_state(tmp_path / "datapackage.json", descriptor, changelog)
    assert caught.value.message == (
        f"{tmp_path / 'outputs/data/organisations.csv'}: no 'platform' column, but version "
        "2.0.0 (from 2.0.0 on every package has one; only 1.x packages are GitHub-only)"
    )
