"""Tables → CSVs + `datapackage.json` (Frictionless Data Package v2), validated before publishing.

`write_package` stages every file in a folder beside the targets, validates the staged package
with frictionless, and only then moves each file into place (`os.replace`), descriptor last: an
invalid package publishes nothing, and no published file is ever half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
from frictionless import FrictionlessException, Package

from oshs.errors import PackageError
from oshs.schema import CSV_CONVENTIONS, TABLES, Field, Table
from oshs.tables import to_csv_bytes

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
"""The Data Package v2 profile URL, as frictionless 5 resolves it (`metadata_v2_profile`)."""

MISSING_VALUES = [""]
TRUE_VALUES = ["true"]
FALSE_VALUES = ["false"]
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_CREATED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_SHOWN_ERRORS = 3
CHANGELOG_NAME = "CHANGELOG.md"
FIRST_VERSION = "1.0.0"


@dataclass
class ValidationReport:
    """Outcome of a frictionless validation: one human-readable line per error."""

    valid: bool
    errors: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)
    path: str = ""


def package_descriptor(
    tables_bytes: dict[str, bytes],
    *,
    metadata: dict[str, Any],
    version: str,
    created: str,
    sources: list[dict[str, Any]],
    resource_dir: str,
) -> dict[str, Any]:
    """The `datapackage.json` descriptor for CSVs given as bytes, in `oshs.schema` order.

    `metadata` has `name`, `title`, and optionally `description`, `licenses`, `keywords`,
    `contributors` (as in the config's `package` section). `resource_dir` is the folder of the
    CSVs relative to the descriptor, e.g. `outputs/data`. `created` is `YYYY-MM-DDTHH:MM:SSZ`.
    """
    unknown = sorted(set(tables_bytes) - set(TABLES))
    if unknown:
        raise PackageError(f"data package: unknown table(s) {', '.join(unknown)}")
    if not _VERSION.match(version):
        raise PackageError(f"data package: version {version!r} is not MAJOR.MINOR.PATCH")
    if not _CREATED.match(created):
        raise PackageError(f"data package: created {created!r} is not YYYY-MM-DDTHH:MM:SSZ")
    for key in ("name", "title"):
        if not metadata.get(key):
            raise PackageError(f"data package: metadata has no {key!r}")
    description = metadata.get("description") or metadata["title"]
    present = [name for name in TABLES if name in tables_bytes]
    return {
        "$schema": PACKAGE_PROFILE,
        "name": metadata["name"],
        "title": metadata["title"],
        "description": f"{description.rstrip()}\n\n{CSV_CONVENTIONS}",
        "version": version,
        "created": created,
        "licenses": [dict(item) for item in metadata.get("licenses") or ()],
        "sources": [dict(item) for item in sources],
        "contributors": [dict(item) for item in metadata.get("contributors") or ()],
        "keywords": list(metadata.get("keywords") or ()),
        "resources": [
            resource_descriptor(TABLES[name], tables_bytes[name], resource_dir, present)
            for name in present
        ],
    }


def resource_descriptor(
    table: Table, data: bytes, resource_dir: str, present: list[str]
) -> dict[str, Any]:
    """One tabular resource: path, format, size, sha256 hash and Table Schema."""
    path = PurePosixPath(resource_dir, f"{table.name}.csv").as_posix()
    return {
        "name": table.name,
        "title": table.title,
        "description": table.description,
        "path": path,
        "type": "table",
        "format": "csv",
        "encoding": "utf-8",
        "mediatype": "text/csv",
        "bytes": len(data),
        "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
        "schema": table_schema(table, present),
    }


def table_schema(table: Table, present: list[str]) -> dict[str, Any]:
    """Table Schema of `table`; foreign keys only towards tables in `present`."""
    schema: dict[str, Any] = {
        "fields": [field_descriptor(item) for item in table.fields],
        "missingValues": list(MISSING_VALUES),
        "primaryKey": list(table.primary_key),
    }
    foreign_keys = [
        {
            "fields": list(key.fields),
            "reference": {"resource": key.resource, "fields": list(key.reference_fields)},
        }
        for key in table.foreign_keys
        if key.resource in present
    ]
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def field_descriptor(item: Field) -> dict[str, Any]:
    """Table Schema field: name, type, title, description, constraints."""
    descriptor: dict[str, Any] = {
        "name": item.name,
        "type": item.type,
        "title": item.title,
        "description": item.description,
    }
    if item.type == "boolean":
        descriptor["trueValues"] = list(TRUE_VALUES)
        descriptor["falseValues"] = list(FALSE_VALUES)
    if item.constraints:
        descriptor["constraints"] = dict(item.constraints)
    return descriptor


def descriptor_bytes(descriptor: dict[str, Any]) -> bytes:
    """Deterministic JSON: indent 2, keys in their deliberate order, UTF-8, trailing newline."""
    return (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_package(
    tables: dict[str, pd.DataFrame],
    *,
    package_path: Path,
    out_dir: Path,
    metadata: dict[str, Any],
    version: str,
    created: str,
    sources: list[dict[str, Any]],
    changelog: str | None = None,
) -> dict[str, Any]:
    """Write `tables` as `<out_dir>/data/<table>.csv` with their descriptor at `package_path`
    (see `write_package_data`); return the descriptor."""
    data = {name: to_csv_bytes(frame) for name, frame in tables.items()}
    descriptor = package_descriptor(
        data,
        metadata=metadata,
        version=version,
        created=created,
        sources=sources,
        resource_dir=resource_dir_for(package_path, out_dir),
    )
    write_package_data(
        data, descriptor, package_path=package_path, out_dir=out_dir, changelog=changelog
    )
    return descriptor


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


def schema_changes(previous: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The breaking changes from `previous` to `new` descriptor (each a Markdown line).

    A published column removed or renamed (absent from the new table), a column whose type
    changed, or a whole table removed. Added tables and columns are not breaking.
    """
    fields = {
        r["name"]: {f["name"]: f.get("type") for f in r.get("schema", {}).get("fields", [])}
        for r in new.get("resources", [])
    }
    changes = []
    for resource in previous.get("resources", []):
        name = resource.get("name")
        if name not in fields:
            changes.append(f"table `{name}` removed")
            continue
        for item in resource.get("schema", {}).get("fields", []):
            type_ = fields[name].get(item.get("name"), None)
            if item.get("name") not in fields[name]:
                changes.append(f"column `{name}.{item.get('name')}` removed or renamed")
            elif type_ != item.get("type"):
                changes.append(
                    f"column `{name}.{item.get('name')}` changed type "
                    f"from {item.get('type')} to {type_}"
                )
    return changes


def data_changed(previous: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when the resources (by name) or any resource's hash differ."""

    def hashes(descriptor: dict[str, Any]) -> dict[str, Any]:
        return {r.get("name"): r.get("hash") for r in descriptor.get("resources", [])}

    return hashes(previous) != hashes(new)


def next_version(previous: dict[str, Any] | None, new: dict[str, Any]) -> str:
    """The semantic version of `new` after `previous` (SPEC §3.4); `new`'s own is ignored.

    First publication: 1.0.0. MAJOR when `schema_changes` finds any; else MINOR when the data
    changed (`data_changed`); else PATCH when anything else of the descriptor differs
    (metadata, sources, descriptions); else the previous version (nothing to publish).
    """
    if previous is None:
        return FIRST_VERSION
    version = str(previous.get("version", ""))
    if not _VERSION.match(version):
        raise PackageError(
            f"previous data package: version {version!r} is not MAJOR.MINOR.PATCH",
            hint="fix the version in the published datapackage.json",
        )
    major, minor, patch = (int(part) for part in version.split("."))
    if schema_changes(previous, new):
        return f"{major + 1}.0.0"
    if data_changed(previous, new):
        return f"{major}.{minor + 1}.0"
    if {**previous, "version": None} != {**new, "version": None}:
        return f"{major}.{minor}.{patch + 1}"
    return version
