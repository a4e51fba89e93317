"""CSV bytes + descriptor → the published package, validated before anything is published.

`write_staged` writes every file into a staging folder (`oshs.transaction.Transaction`) and
`check_staged` validates the staged package (`oshs.validation`, proven to reach frictionless's
verdicts); only a valid one is committed, all files at once: an invalid package publishes
nothing, and no published file is ever half-written.
`validate_package` is offline: a descriptor naming a remote resource is refused unless asked.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from oshs.background import in_new_process
from oshs.descriptor import PACKAGE_PROFILE, descriptor_bytes
from oshs.errors import PackageError
from oshs.files import storage_error
from oshs.spool import save_value
from oshs.transaction import Transaction
from oshs.validation import ValidationReport, check_package, unsupported

_SHOWN_ERRORS = 3
CHANGELOG_NAME = "CHANGELOG.md"
VALIDATION_NICE = 10
"""How much lower the priority of a large build's validation process is: its verdict is wanted
only when the package is published, after the charts and pages, which it would otherwise slow
(250,000 repositories on two cores: charts, pages and this check all done 1.7 to 2.2 s sooner)."""


def write_package_data(
    data: Mapping[str, bytes],
    descriptor: dict[str, Any],
    *,
    package_path: Path,
    out_dir: Path,
    changelog: str | None = None,
    twins: dict[str, bytes] | None = None,
) -> None:
    """Publish CSV bytes (`<out_dir>/data/<table>.csv`), their Parquet `twins` when the
    descriptor lists them, and the descriptor at `package_path`,
    all at once (`oshs.transaction.Transaction`), after validating them (`check_staged`).

    Raises `PackageError` naming the first errors, with nothing published, when the staged
    package is invalid. `changelog`, when given, is published as `<out_dir>/CHANGELOG.md`.
    """
    with Transaction(package_path, out_dir) as transaction:
        write_staged(
            data,
            descriptor,
            package_path=transaction.package_path,
            out_dir=transaction.out_dir,
            changelog=changelog,
            name=Path(package_path),
            twins=twins,
        )
        check_staged(transaction.package_path, descriptor, Path(package_path))
        transaction.commit()


def write_staged(
    data: Mapping[str, bytes],
    descriptor: dict[str, Any],
    *,
    package_path: Path,
    out_dir: Path,
    changelog: str | None = None,
    name: Path | None = None,
    twins: dict[str, bytes] | None = None,
) -> None:
    """Write the CSVs, their Parquet `twins`, the changelog and the descriptor at staged paths
    (validated by `check_staged`: types, keys, each file's hash and size against the
    descriptor).

    `out_dir` must lie inside the descriptor's folder (resource paths are relative to the
    descriptor). Raises `PackageError` naming `name`, the published path, when a file cannot
    be written.
    """
    package_path, out_dir = Path(package_path), Path(out_dir)
    resource_dir = resource_dir_for(package_path, out_dir)
    try:
        staged_data = package_path.parent / resource_dir
        staged_data.mkdir(parents=True, exist_ok=True)
        for table in data:
            save_value(data, table, staged_data / f"{table}.csv")
        for table, content in (twins or {}).items():
            (staged_data / f"{table}.parquet").write_bytes(content)
        if changelog is not None:
            (out_dir / CHANGELOG_NAME).write_bytes(changelog.encode("utf-8"))
        package_path.write_bytes(descriptor_bytes(descriptor))
    except OSError as error:
        raise storage_error(published_path(error, package_path, name), error) from None


def check_staged(package_path: Path, descriptor: dict[str, Any], name: Path | None) -> None:
    """Raise `PackageError` (naming `name`, the published path) unless the staged package at
    `package_path` is valid (`validate_staged`)."""
    _raise_if_invalid(validate_staged(Path(package_path), descriptor), name or package_path)


@contextmanager
def checking_staged(
    package_path: Path, descriptor: dict[str, Any], name: Path | None, *, fork: bool = False
) -> Iterator[None]:
    """`check_staged` of what is staged when the block begins (the package's data, descriptor
    and changelog): with `fork`, in a new process at a lower priority (`VALIDATION_NICE`) while
    the block runs (`oshs.background`: it reads the files, it needs nothing of this process's
    memory), raising `PackageError` at its end (an error of the block comes first); else
    before the block, which an invalid package never reaches."""
    if not fork:
        check_staged(package_path, descriptor, name)
        yield
        return
    staged = Path(package_path).resolve()
    with in_new_process(validate_staged, staged, descriptor, nice=VALIDATION_NICE) as report:
        yield
        _raise_if_invalid(report(), name or package_path)


def validate_staged(package_path: Path, descriptor: dict[str, Any]) -> ValidationReport:
    """The build's check of a staged package: `oshs.validation`, which reaches frictionless's
    verdicts a column at a time; frictionless itself for what that does not cover."""
    if unsupported(descriptor) is None:
        return check_package(package_path)
    return validate_package(package_path)


def published_path(error: OSError, staged: Path, name: Path | None) -> Path:
    """The published path of the staged file an `OSError` names (the folder, if none)."""
    root = Path(name).parent if name is not None else staged.parent
    if not error.filename:
        return root
    relative = os.path.relpath(error.filename, staged.parent)
    return root / relative if not relative.startswith("..") else Path(error.filename)


def resource_dir_for(package_path: Path, out_dir: Path) -> str:
    """The folder of the CSVs (`<out_dir>/data`) relative to the descriptor, e.g. `outputs/data`.

    Raises `PackageError` when `out_dir` is outside the descriptor's folder.
    """
    return _relative_dir(Path(out_dir) / "data", Path(package_path).parent)


def _relative_dir(data_dir: Path, root: Path) -> str:
    relative = os.path.relpath(data_dir.resolve(), root.resolve())
    parts = PurePosixPath(Path(relative).as_posix()).parts
    if ".." in parts or Path(relative).is_absolute():
        raise PackageError(
            f"data package: output folder {data_dir} is outside the descriptor's folder {root}",
            hint="put --out inside the folder of --package (paths are relative to it)",
        )
    return PurePosixPath(*parts).as_posix()


def _raise_if_invalid(report: ValidationReport, package_path: Path) -> None:
    if report.valid:
        return
    shown = "; ".join(report.errors[:_SHOWN_ERRORS])
    more = len(report.errors) - _SHOWN_ERRORS
    suffix = f" (and {more} more)" if more > 0 else ""
    raise PackageError(
        f"data package {package_path} failed validation, nothing was published: {shown}{suffix}"
    )


def validate_package(path: Path, *, remote: bool = False) -> ValidationReport:
    """Validate a data package descriptor (and every resource) with frictionless.

    Checks the descriptor against the Data Package profile, each CSV's bytes and hash, types,
    constraints, primary keys and foreign keys. Offline unless `remote`: a descriptor naming a
    resource, schema, dialect or profile by URL is reported invalid without fetching anything.
    Raises `PackageError` if `path` is not a file.
    """
    path = Path(path)
    if not path.is_file():
        raise PackageError(f"data package: no descriptor at {path}", hint="pass a datapackage.json")
    remote_names = [] if remote else remote_references(path)
    if remote_names:
        return ValidationReport(
            False, [f"{path.name}: {name}" for name in remote_names], {}, str(path)
        )
    from frictionless import FrictionlessException, Package  # 0.25 s: only `oshs validate`

    try:
        report = Package(str(path)).validate()
    except FrictionlessException as error:
        return ValidationReport(False, [f"{path.name}: {error.error.message}"], {}, str(path))
    errors = [f"{path.name}: {error.message}" for error in report.errors]
    tables: dict[str, int] = {}
    for task in report.tasks:
        if task.type == "table":  # a file resource (a Parquet twin) has no rows
            tables[task.name] = int(task.stats.get("rows") or 0)
        errors.extend(f"{task.name}: {error.message}" for error in task.errors)
    return ValidationReport(report.valid and not errors, errors, tables, str(path))


LOCAL_PROFILES = {PACKAGE_PROFILE, "data-package", "tabular-data-package"}
"""Profiles frictionless knows without fetching them."""


def remote_references(path: Path) -> list[str]:
    """What in the descriptor at `path` would be fetched from the network, one line each."""
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # frictionless reports an unreadable descriptor
    if not isinstance(descriptor, dict):
        return []
    found = []
    for key in ("$schema", "profile"):
        value = descriptor.get(key)
        if isinstance(value, str) and "://" in value and value not in LOCAL_PROFILES:
            found.append(f"{key} {value!r} is remote")
    resources = descriptor.get("resources")
    for resource in resources if isinstance(resources, list) else []:
        if not isinstance(resource, dict):
            continue
        name = resource.get("name", "?")
        for key in ("path", "schema", "dialect", "$schema", "profile"):
            values = resource.get(key)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str) and "://" in value and value not in LOCAL_PROFILES:
                    found.append(f"resource {name!r}: {key} {value!r} is remote")
    suffix = "; oshs validate reads local files only (--remote to fetch them)"
    return [line + suffix for line in found]


def format_report(report: ValidationReport, *, limit: int = 20) -> str:
    """Readable multi-line report: verdict, row count per table, the first `limit` errors."""
    where = f" {report.path}" if report.path else ""
    verdict = "valid" if report.valid else f"INVALID ({len(report.errors)} error(s))"
    lines = [f"Data package{where}: {verdict}"]
    if report.tables:
        width = max(len(name) for name in report.tables)
        lines.append("Tables:")
        lines += [f"  {name:<{width}}  {rows:>9,} rows" for name, rows in report.tables.items()]
    if report.errors:
        lines.append("Errors:")
        lines += [f"  - {line}" for line in report.errors[:limit]]
        if len(report.errors) > limit:
            lines.append(f"  … and {len(report.errors) - limit} more")
    return "\n".join(lines) + "\n"
