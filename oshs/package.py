"""CSV bytes + descriptor → the published package, validated before anything is published.

`write_package_data` stages every file in a folder beside the targets, validates the staged
package with frictionless, and only then moves each file into place (`os.replace`), descriptor
last: an invalid package publishes nothing, and no published file is ever half-written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from frictionless import FrictionlessException, Package

from oshs.descriptor import descriptor_bytes
from oshs.errors import PackageError

_SHOWN_ERRORS = 3
CHANGELOG_NAME = "CHANGELOG.md"


@dataclass
class ValidationReport:
    """Outcome of a frictionless validation: one human-readable line per error."""

    valid: bool
    errors: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)
    path: str = ""


def write_package_data(
    data: dict[str, bytes],
    descriptor: dict[str, Any],
    *,
    package_path: Path,
    out_dir: Path,
    changelog: str | None = None,
) -> None:
    """Publish CSV bytes (`<out_dir>/data/<table>.csv`) and their descriptor at `package_path`.

    Everything is staged beside the descriptor, validated with frictionless (types, keys, and
    each file's hash and size against the descriptor), and moved into place only when valid
    (descriptor last). Raises `PackageError` naming the first errors, with nothing published,
    when the staged package is invalid. `out_dir` must lie inside the descriptor's folder
    (resource paths are relative to the descriptor). `changelog`, when given, is published with
    the package as `<out_dir>/CHANGELOG.md` (before the descriptor).
    """
    package_path = Path(package_path)
    root = package_path.parent
    data_dir = Path(out_dir) / "data"
    resource_dir = resource_dir_for(package_path, out_dir)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{package_path.name}.staging-", dir=root))
    try:
        staged_data = staging / resource_dir
        staged_data.mkdir(parents=True, exist_ok=True)
        moves = [(staged_data / f"{n}.csv", data_dir / f"{n}.csv") for n in data]
        for (source, _), content in zip(moves, data.values(), strict=True):
            source.write_bytes(content)
        if changelog is not None:
            staged_changelog = staging / CHANGELOG_NAME
            staged_changelog.write_bytes(changelog.encode("utf-8"))
            moves.append((staged_changelog, Path(out_dir) / CHANGELOG_NAME))
        staged_descriptor = staging / package_path.name
        staged_descriptor.write_bytes(descriptor_bytes(descriptor))
        _raise_if_invalid(validate_package(staged_descriptor), package_path)
        _publish([*moves, (staged_descriptor, package_path)], data_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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


def _publish(moves: list[tuple[Path, Path]], data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        for source, target in moves:
            os.replace(source, target)
    except OSError as error:
        raise PackageError(
            f"data package: could not move {error.filename} into place: {error}"
        ) from error


def validate_package(path: Path) -> ValidationReport:
    """Validate a data package descriptor (and every resource) with frictionless.

    Checks the descriptor against the Data Package profile, each CSV's bytes and hash, types,
    constraints, primary keys and foreign keys. Raises `PackageError` if `path` is not a file.
    """
    path = Path(path)
    if not path.is_file():
        raise PackageError(f"data package: no descriptor at {path}", hint="pass a datapackage.json")
    try:
        report = Package(str(path)).validate()
    except FrictionlessException as error:
        return ValidationReport(False, [f"{path.name}: {error.error.message}"], {}, str(path))
    errors = [f"{path.name}: {error.message}" for error in report.errors]
    tables: dict[str, int] = {}
    for task in report.tasks:
        tables[task.name] = int(task.stats.get("rows") or 0)
        errors.extend(f"{task.name}: {error.message}" for error in task.errors)
    return ValidationReport(report.valid and not errors, errors, tables, str(path))


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
