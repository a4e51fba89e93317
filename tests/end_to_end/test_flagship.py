"""This repository's own package: sample data, labelled, up to date, and never the state of
the first real collection."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from conftest import BIG_ORG, SMALL_ORG, load_script, published_files

from oshs.collect import ApiSettings
from oshs.config import parse_config
from oshs.pipeline import run_build, run_collect

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.xdist_group("demo")  # one session demo per worker: keep its users together
def test_the_committed_package_is_the_labelled_sample_and_up_to_date(demo_package, tmp_path):
    """The script collects the sample from the sandbox date by date and builds once; built from
    the demo's snapshots of the same sample, the package is the same bytes."""
    config = load_script("build_flagship_sample").sample_config()
    package_path, out_dir = tmp_path / "datapackage.json", tmp_path / "outputs"
    run_build(config, raw_dir=demo_package / "raw", out_dir=out_dir, package_path=package_path)
    assert published_files(ROOT) == published_files(tmp_path), (
        "run: python scripts/build_flagship_sample.py"
    )
    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    assert descriptor["title"].startswith("SAMPLE DATA: ")
    assert descriptor["description"].startswith("This is SAMPLE DATA, not real figures")
    readme = (ROOT / "outputs" / "README.md").read_text()
    assert readme.startswith("# SAMPLE DATA: ")


def test_the_first_real_collection_starts_a_new_history(make_sandbox, tmp_path):
    shutil.copy(ROOT / "datapackage.json", tmp_path / "datapackage.json")
    shutil.copytree(ROOT / "outputs", tmp_path / "outputs")
    config = parse_config(f"organisations: [{BIG_ORG}, {SMALL_ORG}]\n", "real.yaml")
    sandbox = make_sandbox()
    settings = ApiSettings(api_url=sandbox.url, token="t", seconds_between_requests=0)
    raw = tmp_path / "raw"
    run_collect(config, settings, raw_dir=raw, collected_at=datetime(2026, 1, 5, 6, 0, 0))
    for path in raw.rglob("*.json.gz"):  # as if collected from GitHub itself
        doc = json.loads(gzip.decompress(path.read_bytes()))
        doc["api_url"] = "https://api.github.com"
        path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    result = run_build(
        config,
        raw_dir=raw,
        out_dir=tmp_path / "outputs",
        package_path=tmp_path / "datapackage.json",
    )
    assert result.descriptor["version"] == "1.0.0"
    assert not result.descriptor["title"].startswith("SAMPLE DATA")
    assert result.descriptor["sources"] == [
        {"title": "GitHub API", "path": "https://api.github.com"}
    ]
    organisations = (tmp_path / "outputs" / "data" / "organisations.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in organisations] == ["login", BIG_ORG, SMALL_ORG]
    changelog = (tmp_path / "outputs" / "CHANGELOG.md").read_text()
    assert "## 1.0.0 (2026-01-05)" in changelog and "2025-10" not in changelog
    assert not (tmp_path / "outputs" / "charts" / "history.svg").exists()
