"""The build's validator (`oshs.validation`) against frictionless, the reference, on a corpus of
packages (`tests/validation_corpus.py`): both must say valid or invalid alike and name the same
faults, as (table, field, error type, row) sets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from frictionless import Package
from validation_corpus import (
    MALFORMED_IN,
    apply_cell_faults,
    cases,
    cell_faults,
    read_rows,
    small_package,
    spelling_faults,
    write_package,
)

from oshs.validation import check_package

Verdict = tuple[bool, set[tuple[str, str, str, int]]]
TABLES = (
    "organisations",
    "repositories",
    "languages",
    "topics",
    "timeline",
    "organisation_history",
    "repository_history",
)


def _row(error: Any) -> int:
    numbers = getattr(error, "row_numbers", None)
    return int(getattr(error, "row_number", None) or (numbers[0] if numbers else 0))


def frictionless_verdict(path: Path) -> Verdict:
    """frictionless's verdict and its (table, field, error type, row) set."""
    report = Package(str(path)).validate()
    faults = {("", "", error.type, 0) for error in report.errors}
    for task in report.tasks:
        for error in task.errors:
            field = getattr(error, "field_name", "") or ",".join(getattr(error, "field_names", []))
            faults.add((task.name, field, error.type, _row(error)))
    return report.valid, faults


def oshs_verdict(path: Path) -> Verdict:
    """oshs's verdict and its (table, field, error type, row) set."""
    report = check_package(path)
    return report.valid, {(f.table, f.field, f.code, f.row) for f in report.faults}


@pytest.fixture(scope="module")
def corpus_base(demo_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small valid package every case of the corpus changes."""
    return small_package(demo_package, tmp_path_factory.mktemp("corpus") / "base")


def _base(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    data = {r["name"]: (path.parent / r["path"]).read_bytes() for r in descriptor["resources"]}
    return descriptor, data


def _both(root: Path, descriptor: dict[str, Any], data: dict[str, bytes], stale: str = "") -> Any:
    write_package(root, descriptor, data, stale=stale)
    return frictionless_verdict(root / "datapackage.json"), oshs_verdict(root / "datapackage.json")


def test_the_corpus_base_is_valid_for_both_and_keeps_rows_in_every_table(
    corpus_base: Path,
) -> None:
    descriptor, data = _base(corpus_base)
    assert [r["name"] for r in descriptor["resources"]] == list(TABLES)
    assert all(len(read_rows(content)) >= 4 for content in data.values())
    assert frictionless_verdict(corpus_base) == (True, set())
    assert oshs_verdict(corpus_base) == (True, set())


def test_the_corpus_breaks_every_constraint_of_every_field(corpus_base: Path) -> None:
    descriptor, _ = _base(corpus_base)
    one_by_one = [name for name, _ in cases(descriptor)]
    for resource in descriptor["resources"]:
        names = [fault.name for fault in cell_faults(resource)] + one_by_one
        for field in resource["schema"]["fields"]:
            broken = [
                name for name in names if name.startswith(f"{resource['name']}.{field['name']}:")
            ]
            constraints = field.get("constraints") or {}
            assert len(broken) == len(constraints) + (field["type"] != "string"), field["name"]


@pytest.mark.parametrize("table", TABLES)
def test_every_broken_cell_of_a_table_is_found_by_both(
    table: str, corpus_base: Path, tmp_path: Path
) -> None:
    descriptor, data = _base(corpus_base)
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    faults = cell_faults(resource)
    data[table] = apply_cell_faults(data[table], faults)
    expected, found = _both(tmp_path / "case", descriptor, data)
    assert found == expected
    assert not expected[0]
    broken = {(table, resource["schema"]["fields"][f.column]["name"]) for f in faults}
    assert {(t, f) for t, f, _, _ in expected[1]} >= broken


def test_cells_in_spellings_frictionless_accepts_are_valid_for_both(
    corpus_base: Path, tmp_path: Path
) -> None:
    descriptor, data = _base(corpus_base)
    spelt = spelling_faults(descriptor)
    for table, faults in spelt.items():
        data[table] = apply_cell_faults(data[table], faults)
    expected, found = _both(tmp_path / "case", descriptor, data)
    assert found == expected
    assert sum(map(len, spelt.values())) >= 10


@pytest.mark.slow
def test_both_validators_reach_the_same_verdicts_on_every_package_of_the_corpus(
    corpus_base: Path, tmp_path: Path
) -> None:
    base_descriptor, base_data = _base(corpus_base)
    disagreements, invalid, count = [], 0, 0
    for name, edit in cases(base_descriptor):
        descriptor, data = json.loads(json.dumps(base_descriptor)), dict(base_data)
        rehash = edit(data, descriptor)
        table = name.split(":")[0].split(".")[0]
        expected, found = _both(tmp_path / "case", descriptor, data, "" if rehash else table)
        count += 1
        invalid += not expected[0]
        if found != expected:
            disagreements.append(f"{name}: frictionless {expected}, oshs {found}")
    assert disagreements == []
    valid_ones = 2 * len(MALFORMED_IN)  # a byte-order mark and CRLF line ends are valid CSV
    assert count >= 40 and invalid == count - valid_ones
