"""The `datapackage.json` descriptor (Frictionless Data Package v2) of CSVs given as bytes.

Pure: the data dictionary (`oshs.schema`) and the CSV bytes in, a descriptor (with each file's
size and sha256 hash) and its deterministic JSON bytes out. Writing and validating it is
`oshs.package`'s work.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from oshs.errors import PackageError
from oshs.schema import CSV_CONVENTIONS, TABLES, Field, Table
from oshs.spool import size_and_sha256

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
"""The Data Package v2 profile URL, as frictionless 5 resolves it (`metadata_v2_profile`)."""

MISSING_VALUES = [""]
TRUE_VALUES = ["true"]
FALSE_VALUES = ["false"]
VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+$")
_CREATED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def package_descriptor(
    tables_bytes: Mapping[str, bytes],
    *,
    metadata: dict[str, Any],
    version: str,
    created: str,
    sources: list[dict[str, Any]],
    resource_dir: str,
    twins: dict[str, bytes] | None = None,
) -> dict[str, Any]:
    """The `datapackage.json` descriptor for CSVs given as bytes, in `oshs.schema` order, then
    their Parquet `twins` (file resources: path, size, hash) when given.

    `metadata` has `name`, `title`, and optionally `description`, `licenses`, `keywords`,
    `contributors` (as in the config's `package` section). `resource_dir` is the folder of the
    CSVs relative to the descriptor, e.g. `outputs/data`. `created` is `YYYY-MM-DDTHH:MM:SSZ`.
    """
    unknown = sorted(set(tables_bytes) - set(TABLES))
    if unknown:
        raise PackageError(f"data package: unknown table(s) {', '.join(unknown)}")
    if not VERSION_PATTERN.match(version):
        raise PackageError(f"data package: version {version!r} is not MAJOR.MINOR.PATCH")
    if not _CREATED.match(created):
        raise PackageError(f"data package: created {created!r} is not YYYY-MM-DDTHH:MM:SSZ")
    for key in ("name", "title"):
        if not metadata.get(key):
            raise PackageError(f"data package: metadata has no {key!r}")
    description = metadata.get("description") or metadata["title"]
    present = [name for name in TABLES if name in tables_bytes]
    twins = {name: twins[name] for name in present if name in twins} if twins else {}
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
            *(
                resource_descriptor(TABLES[name], tables_bytes, resource_dir, present)
                for name in present
            ),
            *(twin_descriptor(TABLES[name], data, resource_dir) for name, data in twins.items()),
        ],
    }


def resource_descriptor(
    table: Table, tables_bytes: Mapping[str, bytes], resource_dir: str, present: list[str]
) -> dict[str, Any]:
    """One tabular resource: path, format, size, sha256 hash (of its CSV in `tables_bytes`,
    `size_and_sha256`: a spilled CSV is not read back) and Table Schema."""
    size, digest = size_and_sha256(tables_bytes, table.name)
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
        "bytes": size,
        "hash": f"sha256:{digest}",
        "schema": table_schema(table, present),
    }


def twin_descriptor(table: Table, data: bytes, resource_dir: str) -> dict[str, Any]:
    """The Parquet twin of a table: a file resource (frictionless checks its size and hash)."""
    return {
        "name": f"{table.name}-parquet",
        "title": f"{table.title} (Parquet)",
        "description": f"The `{table.name}` table as Parquet: the same rows and columns as "
        f"`{table.name}.csv`, typed by its schema (an empty column keeps its type).",
        "path": PurePosixPath(resource_dir, f"{table.name}.parquet").as_posix(),
        "type": "file",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "bytes": len(data),
        "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
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
