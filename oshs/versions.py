"""Semantic versions of a data package (SPEC §3.4): what a new descriptor changes from the
previous one: its published columns (MAJOR), its data (MINOR) or only its metadata (PATCH)."""

from __future__ import annotations

from typing import Any

from oshs.descriptor import VERSION_PATTERN
from oshs.errors import PackageError

FIRST_VERSION = "1.0.0"


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
    if not VERSION_PATTERN.match(version):
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
