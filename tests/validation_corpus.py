"""A corpus of data packages for the differential test of `oshs.validation` against frictionless.

A small valid package cut from the demo; every type and constraint of every field of every table
broken once (`cell_faults`, a table's faults set at once in different cells); cells in odd
spellings frictionless accepts (` 7`, `+7`, `007`, `1_000`, `1e3`, `2021-6-28`, a `+00:00`
offset: `spelling_faults`); and one package per fault for repeated unique values, primary and
foreign keys, and malformed files (long, short and blank rows, an unclosed quote, a byte-order
mark, carriage returns, not UTF-8, the header's labels, a stale size or hash: `cases`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Rows = list[list[str]]
KEEP_ORGANISATIONS = 3
KEEP_REPOSITORIES = 12
KEEP_DAYS = 8

_BREAKING = {
    "integer": "1x",
    "number": "one",
    "boolean": "yes",
    "date": "2021-02-30",
    "datetime": "2021-06-28 09:00",
}
_ODD_BUT_VALID = {
    "integer": [" 7", "+7", "007", "1_000"],
    "number": [" 1.5", "1e3", "NaN"],
    "date": ["2021-6-28"],
    "datetime": ["2021-06-28T09:00:00+00:00", "2021-06-28T09:00:00.5Z"],
    "boolean": ["True"],
}


def read_rows(data: bytes) -> Rows:
    """A CSV's rows (header first)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def csv_bytes(rows: Rows) -> bytes:
    """Rows as CSV bytes the way the build writes them (`\\n`, minimal quoting)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def small_package(demo: Path, target: Path) -> Path:
    """The demo's package cut to its first organisations (keys kept whole); its descriptor."""
    descriptor = json.loads((demo / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r.get("type") != "file"]
    tables = {
        resource["name"]: read_rows((demo / resource["path"]).read_bytes())
        for resource in descriptor["resources"]
    }
    logins = {row[0] for row in tables["organisations"][1 : 1 + KEEP_ORGANISATIONS]}
    repositories = tables["repositories"]
    organisation = repositories[0].index("organisation")
    kept = [row for row in repositories[1:] if row[organisation] in logins][:KEEP_REPOSITORIES]
    ids = {row[0] for row in kept}
    cut = {"organisations": [tables["organisations"][0]], "repositories": [repositories[0], *kept]}
    cut["organisations"] += [r for r in tables["organisations"][1:] if r[0] in logins]
    for name in ("languages", "topics", "repository_history"):
        key = tables[name][0].index("repository_id")
        cut[name] = [tables[name][0], *(r for r in tables[name][1:] if r[key] in ids)]
    for name in ("timeline", "organisation_history"):
        key = tables[name][0].index("organisation")
        rows = [r for r in tables[name][1:] if r[key] in logins]
        cut[name] = [tables[name][0], *rows[-KEEP_DAYS * KEEP_ORGANISATIONS :]]
    write_package(target, descriptor, {name: csv_bytes(rows) for name, rows in cut.items()})
    return target / "datapackage.json"


def write_package(
    root: Path, descriptor: dict[str, Any], data: dict[str, bytes], *, stale: str = ""
) -> None:
    """Files and descriptor under `root`; sizes and hashes recomputed but the `stale` table's."""
    shutil.rmtree(root, ignore_errors=True)
    descriptor = json.loads(json.dumps(descriptor))
    for resource in descriptor["resources"]:
        content = data[resource["name"]]
        (root / resource["path"]).parent.mkdir(parents=True, exist_ok=True)
        (root / resource["path"]).write_bytes(content)
        if resource["name"] != stale:
            resource["bytes"] = len(content)
            resource["hash"] = f"sha256:{hashlib.sha256(content).hexdigest()}"
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


Edit = Callable[[dict[str, bytes], dict[str, Any]], bool]
"""Changes a package's CSV bytes (and descriptor) in place; False to leave the hash stale."""


MALFORMED_IN = ("repositories", "organisation_history")
"""The tables malformed files are tried in: referenced and referencing, text and numbers."""


@dataclass(frozen=True)
class CellFault:
    """One cell set to `value`: `column` of the table; which of the column's faults (`order`)."""

    name: str
    column: int
    order: int
    value: str


def cell_faults(resource: dict[str, Any]) -> list[CellFault]:
    """Every type and every constraint of every field of one table, broken once each."""
    faults = []
    for column, field in enumerate(resource["schema"]["fields"]):
        where = f"{resource['name']}.{field['name']}"
        values = _breaking_values(field)
        faults += [
            CellFault(f"{where}: {what}", column, order, value)
            for order, (what, value) in enumerate(values)
        ]
    return faults


def _breaking_values(field: dict[str, Any]) -> list[tuple[str, str]]:
    type_, constraints = field["type"], field.get("constraints") or {}
    values = [(f"not a {type_}", _BREAKING[type_])] if type_ in _BREAKING else []
    for name, what, value in (
        ("required", "empty but required", ""),
        ("minimum", "under its minimum", "-3"),
        ("maximum", "over its maximum", "99999999"),
        ("pattern", "against its pattern", "no/such/thing "),
        ("enum", "not in its enum", "zzz-not-allowed"),
    ):
        if constraints.get(name) is not None and constraints.get(name) is not False:
            values.append((what, value))
    return values


def spelling_faults(descriptor: dict[str, Any]) -> dict[str, list[CellFault]]:
    """Cells in spellings frictionless accepts, each type's in the first table that has it."""
    result: dict[str, list[CellFault]] = {}
    seen: set[str] = set()
    for resource in descriptor["resources"]:
        for column, field in enumerate(resource["schema"]["fields"]):
            if field["type"] in seen or field["type"] not in _ODD_BUT_VALID:
                continue
            seen.add(field["type"])
            result.setdefault(resource["name"], []).extend(
                CellFault(f"{resource['name']}.{field['name']}: spelt {value!r}", column, i, value)
                for i, value in enumerate(_ODD_BUT_VALID[field["type"]])
            )
    return result


def apply_cell_faults(content: bytes, faults: list[CellFault]) -> bytes:
    """Every fault set at once, a column's faults in different rows (no cell set twice)."""
    rows = read_rows(content)
    body = len(rows) - 1
    for fault in faults:
        rows[1 + (fault.column + fault.order) % body][fault.column] = fault.value
    return csv_bytes(rows)


def cases(descriptor: dict[str, Any]) -> Iterator[tuple[str, Edit]]:
    """(name, edit) of the faults tried one package each: repeated unique values, primary and
    foreign keys, malformed files."""
    for resource in descriptor["resources"]:
        table = resource["name"]
        for number, field in enumerate(resource["schema"]["fields"]):
            if (field.get("constraints") or {}).get("unique"):
                yield f"{table}.{field['name']}: repeated", _copy_cells(table, [number])
        yield from _key_cases(resource)
        if table in MALFORMED_IN:
            yield from _malformed_cases(table)


def _set_cell(table: str, column: int, value: str, row: int = 1) -> Edit:
    def edit(data: dict[str, bytes], descriptor: dict[str, Any]) -> bool:
        rows = read_rows(data[table])
        rows[row][column] = value
        data[table] = csv_bytes(rows)
        return True

    return edit


def _copy_cells(table: str, columns: list[int]) -> Edit:
    """Row 2 takes row 1's values in `columns`."""

    def edit(data: dict[str, bytes], descriptor: dict[str, Any]) -> bool:
        rows = read_rows(data[table])
        for column in columns:
            rows[2][column] = rows[1][column]
        data[table] = csv_bytes(rows)
        return True

    return edit


def _key_cases(resource: dict[str, Any]) -> Iterator[tuple[str, Edit]]:
    table, schema = resource["name"], resource["schema"]
    names = [field["name"] for field in schema["fields"]]
    key = [names.index(name) for name in schema.get("primaryKey", [])]
    if key:
        yield f"{table}: a repeated primary key", _copy_cells(table, key)
        yield f"{table}: an empty primary key", _clear(table, key)
    for foreign in schema.get("foreignKeys", []):
        column = names.index(foreign["fields"][0])
        field = schema["fields"][column]
        value = "999999999" if field["type"] == "integer" else "no-such-organisation"
        yield f"{table}: a dangling {foreign['fields'][0]}", _set_cell(table, column, value)


def _clear(table: str, columns: list[int]) -> Edit:
    def edit(data: dict[str, bytes], descriptor: dict[str, Any]) -> bool:
        rows = read_rows(data[table])
        for column in columns:
            rows[1][column] = ""
        data[table] = csv_bytes(rows)
        return True

    return edit


def _bytes_edit(table: str, change: Callable[[bytes], bytes], *, rehash: bool = True) -> Edit:
    def edit(data: dict[str, bytes], descriptor: dict[str, Any]) -> bool:
        data[table] = change(data[table])
        return rehash

    return edit


def _nth_line(data: bytes, n: int, change: Callable[[bytes], bytes]) -> bytes:
    lines = data.split(b"\n")
    lines[n] = change(lines[n])
    return b"\n".join(lines)


def _on_line(n: int, change: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    return lambda data: _nth_line(data, n, change)


_MALFORMED: dict[str, Callable[[bytes], bytes]] = {
    "a long row": _on_line(1, lambda line: line + b",x"),
    "a short row": _on_line(1, lambda line: line.rsplit(b",", 1)[0]),
    "a blank line": _on_line(1, lambda line: b"\n" + line),
    "an empty row": _on_line(1, lambda line: b"," * line.count(b",")),
    "an unclosed quote": lambda data: data + b'"unclosed,\n',
    "a byte-order mark": lambda data: b"\xef\xbb\xbf" + data,
    "CRLF line ends": lambda data: data.replace(b"\n", b"\r\n"),
    "not UTF-8": _on_line(1, lambda line: line + b"\xff"),
    "a wrong label": lambda data: b"wrong" + data,
    "a missing label": _on_line(0, lambda line: line.rsplit(b",", 1)[0]),
    "an extra label": _on_line(0, lambda line: line + b",more"),
}


def _malformed_cases(table: str) -> Iterator[tuple[str, Edit]]:
    for name, change in _MALFORMED.items():
        yield f"{table}: {name}", _bytes_edit(table, change)
    yield f"{table}: a stale hash", _stale_hash(table)
    yield f"{table}: a changed byte", _bytes_edit(table, lambda d: d[:-2] + b"Z\n", rehash=False)


def _stale_hash(table: str) -> Edit:
    def edit(data: dict[str, bytes], descriptor: dict[str, Any]) -> bool:
        for resource in descriptor["resources"]:
            if resource["name"] == table:
                resource["hash"] = "sha256:" + "0" * 64
        return False

    return edit
