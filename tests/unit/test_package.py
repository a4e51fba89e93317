"""Data package: descriptor, staged write, frictionless validation, nothing published if invalid."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import write_tables

from oshs.descriptor import PACKAGE_PROFILE, package_descriptor
from oshs.errors import PackageError
from oshs.history import advance
from oshs.normalise import OrganisationCollection
from oshs.normalise.rest import organisation_record_from_rest, repository_record_from_rest
from oshs.package import checking_staged, format_report, validate_package

METADATA = {
    "name": "nhs-open-source-statistics",
    "title": "Open-source statistics of NHS organisations on GitHub",
    "description": "Test package.",
    "licenses": ({"name": "OGL-UK-3.0", "path": "https://example.org/ogl", "title": "OGL"},),
    "keywords": ("nhs", "github"),
    "contributors": ({"title": "oshs", "roles": ["creator"]},),
}
SOURCES = [{"title": "GitHub REST API", "path": "https://api.github.com"}]


def repo(repo_id: int, created: str = "2020-01-01", **fields) -> dict:
    item = {
        "id": repo_id,
        "name": f"r{repo_id}",
        "full_name": f"a/r{repo_id}",
        "html_url": f"https://github.com/a/r{repo_id}",
        "created_at": f"{created}T12:00:00Z",
        "language": fields.pop("language", "Python"),
        "license": {"key": "mit", "name": "MIT License", "spdx_id": "MIT"},
        "fork": False,
        "archived": False,
        "stargazers_count": 1,
    }
    item.update(fields)
    return repository_record_from_rest(item, "a", languages=fields.get("languages"))


def tiny_tables():
    repos = [
        repo(
            1, languages={"Python": 3, "HTML": 1}, topics=["nhs"], description="=cmd|' /C calc'!A0"
        ),
        repo(2, created="2021-05-05", license=None, language=None),
    ]
    organisation = organisation_record_from_rest({"login": "a", "id": 1}, "A", "2025-10-06")
    collection = OrganisationCollection(organisation, repos, "2025-10-06", "rest")
    return advance(
        None, [collection], collected_on="2025-10-06", include_forks=False, include_archived=True
    )


def write(tmp_path: Path, tables=None, version="1.0.0"):
    tables = tables if tables is not None else tiny_tables()
    return write_tables(tables, tmp_path, metadata=METADATA, version=version, sources=SOURCES)


def snapshot_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_written_package_is_valid_and_complete(tmp_path):
    descriptor = write(tmp_path)
    report = validate_package(tmp_path / "datapackage.json")
    assert report.valid, report.errors
    assert report.tables == {
        "organisations": 1, "repositories": 2, "languages": 2, "topics": 1, "timeline": 2,
        "organisation_history": 1, "repository_history": 2,
    }  # fmt: skip
    on_disk = json.loads((tmp_path / "datapackage.json").read_text())
    assert on_disk == descriptor
    assert list(on_disk)[:10] == [
        "$schema", "name", "title", "description", "version", "created",
        "licenses", "sources", "contributors", "keywords",
    ]  # fmt: skip
    assert on_disk["$schema"] == PACKAGE_PROFILE
    assert on_disk["keywords"] == ["nhs", "github"]
    assert "not escaped" in on_disk["description"]
    resources = {r["name"]: r for r in on_disk["resources"]}
    repositories = resources["repositories"]
    data = (tmp_path / "outputs/data/repositories.csv").read_bytes()
    assert repositories["path"] == "outputs/data/repositories.csv"
    assert repositories["bytes"] == len(data)
    assert repositories["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert repositories["schema"]["primaryKey"] == ["id"]
    assert repositories["schema"]["foreignKeys"] == [
        {
            "fields": ["organisation"],
            "reference": {"resource": "organisations", "fields": ["login"]},
        }
    ]
    assert resources["timeline"]["schema"]["primaryKey"] == ["date", "organisation"]
    fork = next(f for f in repositories["schema"]["fields"] if f["name"] == "fork")
    assert fork["trueValues"] == ["true"] and fork["falseValues"] == ["false"]
    assert all(
        f["title"] and f["description"] for r in resources.values() for f in r["schema"]["fields"]
    )
    assert b"=cmd|' /C calc'!A0" in data  # formula-like text is published raw
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # staging removed


def test_rewriting_gives_identical_bytes(tmp_path):
    write(tmp_path)
    first = snapshot_files(tmp_path)
    write(tmp_path)
    assert snapshot_files(tmp_path) == first
    assert first["datapackage.json"].endswith(b"}\n")


def corrupt(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("csv", "old", "new", "expected"),
    [
        ("repositories", "\n1,github,a,r1,", "\nx1,github,a,r1,", "pattern"),  # a text key
        ("repositories", "\n2,github,a,r2,", "\n1,github,a,r2,", "primary"),
        ("repositories", "\n2,github,a,r2,", "\n2,gitlab-ce,a,r2,", "constraint"),  # enum
        ("languages", "\n1,a/r1,", "\n7,a/r1,", "foreign"),
        (
            "repositories",
            "\n1,github,a,r1,",
            "\n1,github,a,r1,",
            None,
        ),  # unchanged bytes: only the hash test
    ],
)
def test_validation_detects_corrupted_packages(tmp_path, csv, old, new, expected):
    write(tmp_path)
    path = tmp_path / f"outputs/data/{csv}.csv"
    corrupt(path, old, new)
    report = validate_package(tmp_path / "datapackage.json")
    if expected is None:
        assert report.valid
        return
    assert not report.valid
    joined = " ".join(report.errors).lower()
    assert expected in joined and "hash" in joined
    assert "INVALID" in format_report(report)


def test_validation_detects_wrong_hash_only(tmp_path):
    write(tmp_path)
    descriptor_path = tmp_path / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text())
    descriptor["resources"][0]["hash"] = "sha256:" + "0" * 64
    descriptor_path.write_text(json.dumps(descriptor))
    report = validate_package(descriptor_path)
    assert not report.valid
    assert len(report.errors) == 1 and report.errors[0].startswith("organisations: ")
    assert "hash" in report.errors[0]


def test_invalid_tables_publish_nothing(tmp_path):
    write(tmp_path)
    before = snapshot_files(tmp_path)
    tables = tiny_tables()
    tables["languages"].loc[0, "repository_id"] = "999"  # broken foreign key
    with pytest.raises(PackageError, match="failed validation, nothing was published"):
        write(tmp_path, tables, version="1.1.0")
    assert snapshot_files(tmp_path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_duplicate_key_in_tables_is_refused(tmp_path):
    tables = tiny_tables()
    tables["topics"] = tables["topics"].iloc[[0, 0]]
    with pytest.raises(PackageError, match="topics"):
        write(tmp_path, tables)
    assert not (tmp_path / "datapackage.json").exists()
    assert not (tmp_path / "outputs/data/topics.csv").exists()


def test_bad_arguments(tmp_path):
    with pytest.raises(PackageError, match="outside the descriptor's folder"):
        write_tables(
            tiny_tables(), tmp_path / "pkg", metadata=METADATA, out_dir=tmp_path / "elsewhere"
        )
    kwargs = {"metadata": METADATA, "sources": SOURCES, "resource_dir": "outputs/data"}
    with pytest.raises(PackageError, match="version"):
        package_descriptor({}, version="1.0", created="2025-10-06T00:00:00Z", **kwargs)
    with pytest.raises(PackageError, match="created"):
        package_descriptor({}, version="1.0.0", created="2025-10-06", **kwargs)
    with pytest.raises(PackageError, match="unknown table"):
        package_descriptor({"x": b""}, version="1.0.0", created="2025-10-06T00:00:00Z", **kwargs)
    with pytest.raises(PackageError, match="no descriptor"):
        validate_package(tmp_path / "missing.json")


def test_unreadable_descriptor_is_an_invalid_report(tmp_path):
    path = tmp_path / "datapackage.json"
    path.write_text("{not json")
    report = validate_package(path)
    assert not report.valid and report.errors
    assert format_report(report).startswith(f"Data package {path}: INVALID")


def test_changelog_is_published_with_the_package(tmp_path):
    tables = tiny_tables()
    write_tables(tables, tmp_path, metadata={"name": "p", "title": "P"}, changelog="# Changelog\n")
    assert (tmp_path / "outputs" / "CHANGELOG.md").read_text(encoding="utf-8") == "# Changelog\n"
    assert not list(tmp_path.glob(".datapackage.json.staging-*"))


@pytest.mark.parametrize("fork", [False, True])
def test_checking_staged_raises_before_the_block_or_forked_at_its_end(tmp_path, fork):
    write(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    corrupt(tmp_path / "outputs/data/topics.csv", "nhs", "NHS")
    ran = []
    staged = tmp_path / "datapackage.json"
    with (
        pytest.raises(PackageError) as raised,
        checking_staged(staged, descriptor, Path("pub.json"), fork=fork),
    ):
        ran.append("block")
    assert ran == (["block"] if fork else [])  # in one process, checked before the block
    assert raised.value.message == (
        "data package pub.json failed validation, nothing was published: "
        "topics: file: hash-count: sha256 differs"
    )


def test_checking_staged_of_a_valid_package_passes_and_an_error_of_the_block_comes_first(
    tmp_path,
):
    write(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    with checking_staged(tmp_path / "datapackage.json", descriptor, None, fork=True):
        pass
    corrupt(tmp_path / "outputs/data/topics.csv", "nhs", "NHS")
    with (
        pytest.raises(KeyError, match="from the block"),
        checking_staged(tmp_path / "datapackage.json", descriptor, None, fork=True),
    ):
        raise KeyError("from the block")
