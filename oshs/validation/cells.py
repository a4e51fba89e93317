"""One column of text → typed values and the cells at fault, as frictionless types and checks them.

The cells every table holds (`123`, `true`, `2021-06-28`, `2021-06-28T09:00:00Z`, plain text)
are typed and checked a whole column at a time with pyarrow. A cell in any other spelling
(` 12`, `+1`, `2021-6-28`, a time zone offset) is rare, so it is typed one at a time by
frictionless's own value reader for that field: the result is the same as frictionless's for
every cell, and frictionless is imported only when such a cell exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
SUPPORTED = {
    "string": ("required", "minLength", "maxLength", "pattern", "enum"),
    "integer": ("required", *BOUNDS, "enum"),
    "number": ("required", *BOUNDS, "enum"),
    "boolean": ("required", "enum"),
    "date": ("required", *BOUNDS, "enum"),
    "datetime": ("required", *BOUNDS, "enum"),
}
"""The constraints frictionless checks per type (its fields' `supported_constraints`)."""

_FAST: dict[str, tuple[str, pa.DataType, str | None]] = {
    "integer": (r"^-?[0-9]{1,18}$", pa.int64(), None),
    "number": (r"^-?[0-9]{1,15}(\.[0-9]{1,6})?$", pa.float64(), None),
    "date": (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", pa.date32(), "%Y-%m-%d"),
    "datetime": (
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
        pa.timestamp("s", tz="UTC"),
        "%Y-%m-%dT%H:%M:%SZ",
    ),
}
"""Per type: the spelling typed a column at a time, the typed values' type, the strptime format."""


@dataclass
class TypedColumn:
    """A column's typed values (null where absent or not of the type), which cells are absent
    (missing or empty), and the cells at fault: (row index, error code, note)."""

    values: pa.Array
    absent: np.ndarray
    faults: list[tuple[int, str, str]] = field(default_factory=list)


def typed_values(descriptor: dict[str, Any], text: pa.Array) -> pa.Array:
    """`text` typed by its field `descriptor` (null where absent or not of the type)."""
    return _typed(descriptor, text, absent_cells(text))[0]


def type_column(descriptor: dict[str, Any], text: pa.Array) -> TypedColumn:
    """Type and check `text` (one column's cells, null for a missing cell) by its field
    `descriptor`: `type-error` and `constraint-error` faults, as frictionless reports them."""
    absent = absent_cells(text)
    values, wrong = _typed(descriptor, text, absent)
    faults = [(int(i), "type-error", f'type is "{descriptor.get("type")}"') for i in wrong]
    faults += _constraint_faults(descriptor, text, values, absent)
    faults.sort()
    return TypedColumn(values, absent, faults)


def absent_cells(text: pa.Array) -> np.ndarray:
    """The cells frictionless reads as None: missing (a short row) or empty."""
    return as_mask(pc.or_kleene(pc.is_null(text), pc.equal(text, "")))


def as_mask(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow boolean array as a NumPy mask (null is False)."""
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _typed(
    descriptor: dict[str, Any], text: pa.Array, absent: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """Typed values and the indices of present cells that are not of the type."""
    type_ = descriptor.get("type", "any")
    plain = descriptor.get("format", "default") == "default"
    if type_ in ("string", "any") and plain:
        return pc.if_else(pa.array(absent), pa.scalar(None, pa.string()), text), np.array([], int)
    if type_ == "boolean":
        return _booleans(descriptor, text, absent)
    if type_ in _FAST and plain:
        return _fast_then_each(descriptor, text, absent)
    return _each(descriptor, text, absent, np.zeros(len(text), dtype=bool), pa.string())


def _booleans(
    descriptor: dict[str, Any], text: pa.Array, absent: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """`true`/`false` values as the field spells them: anything else is not a boolean."""
    true = pc.is_in(text, pa.array(descriptor.get("trueValues", DEFAULT_TRUE), pa.string()))
    false = pc.is_in(text, pa.array(descriptor.get("falseValues", DEFAULT_FALSE), pa.string()))
    known = as_mask(true) | as_mask(false)
    values = pc.if_else(pa.array(known), true, pa.scalar(None, pa.bool_()))
    return values, np.flatnonzero(~absent & ~known)


def _fast_then_each(
    descriptor: dict[str, Any], text: pa.Array, absent: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """Cells in the common spelling typed at once; the others by frictionless's reader."""
    pattern, arrow_type, strptime = _FAST[descriptor["type"]]
    spelled = as_mask(pc.match_substring_regex(text, pattern)) & ~absent
    common = pc.if_else(pa.array(spelled), text, pa.scalar(None, pa.string()))
    if strptime is not None:
        parsed = pc.strptime(common, format=strptime, unit="s", error_is_null=True)
        values = pc.cast(parsed, arrow_type)
        spelled &= _prints_back(common, parsed, strptime)
        values = pc.if_else(pa.array(spelled), values, pa.scalar(None, arrow_type))
    else:
        values = pc.cast(common, arrow_type)
    if not (~absent & ~spelled).any():
        return values, np.array([], int)
    return _each(descriptor, text, absent, spelled, arrow_type, values)


def _prints_back(common: pa.Array, parsed: pa.Array, strptime: str) -> np.ndarray:
    """Which parsed dates print back as spelt (arrow reads 2021-02-30 as 2021-03-02). Only the
    cells whose fields could have overflowed (a day over 28, a year before 1000, an hour, minute
    or second out of range, or no parse) are printed back: `strftime` cost 0.6 s a column at
    250,000 repositories."""
    plain = as_mask(pc.is_valid(parsed))
    ranges = [(0, 4, "1000", "9999"), (5, 7, "01", "12"), (8, 10, "01", "28")]
    if "%H" in strptime:
        ranges += [(11, 13, "00", "23"), (14, 16, "00", "59"), (17, 19, "00", "59")]
    for start, stop, low, high in ranges:
        part = pc.utf8_slice_codeunits(common, start, stop)
        plain &= as_mask(pc.and_kleene(pc.greater_equal(part, low), pc.less_equal(part, high)))
    doubtful = np.flatnonzero(~plain & as_mask(pc.is_valid(common)))
    if len(doubtful):
        taken = pa.array(doubtful)
        printed = pc.strftime(pc.take(parsed, taken), format=strptime)
        plain[doubtful] = as_mask(pc.equal(printed, pc.take(common, taken)))
    return plain


def _each(
    descriptor: dict[str, Any],
    text: pa.Array,
    absent: np.ndarray,
    done: np.ndarray,
    arrow_type: pa.DataType,
    values: pa.Array | None = None,
) -> tuple[pa.Array, np.ndarray]:
    """Type the present cells not `done` one at a time with frictionless's value reader."""
    read = value_reader(descriptor)
    cells = text.to_pylist()
    typed = values.to_pylist() if values is not None else [None] * len(cells)
    wrong = []
    for i in np.flatnonzero(~absent & ~done):
        value = read(cells[i])
        if value is None:
            wrong.append(i)
        typed[i] = value
    return _as_arrow(typed, arrow_type), np.array(wrong, dtype=int)


def value_reader(descriptor: dict[str, Any]) -> Any:
    """frictionless's own value reader of a field (imported only when a cell needs it)."""
    from frictionless import Field

    return Field.from_descriptor(dict(descriptor)).create_value_reader()


def _as_arrow(values: list[Any], arrow_type: pa.DataType) -> pa.Array:
    """Typed Python values as one arrow array (UTC for datetimes; text when they do not fit)."""
    values = [_utc(v) if isinstance(v, datetime) else v for v in values]
    if pa.types.is_floating(arrow_type):
        values = [float(v) if isinstance(v, Decimal) else v for v in values]
    try:
        return pa.array(values, type=arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _constraint_faults(
    descriptor: dict[str, Any], text: pa.Array, values: pa.Array, absent: np.ndarray
) -> list[tuple[int, str, str]]:
    """`constraint-error` faults, checked only on cells that are of the type (or absent)."""
    constraints = descriptor.get("constraints") or {}
    faults = []
    for name in SUPPORTED.get(descriptor.get("type", ""), ("required",)):
        if constraints.get(name) is None:
            continue
        failed = _failing(name, constraints[name], descriptor, text, values, absent)
        note = f'constraint "{name}" is "{constraints[name]}"'
        faults += [(int(i), "constraint-error", note) for i in np.flatnonzero(failed)]
    return faults


def _failing(
    name: str,
    constraint: Any,
    descriptor: dict[str, Any],
    text: pa.Array,
    values: pa.Array,
    absent: np.ndarray,
) -> np.ndarray:
    """Which cells fail one constraint (frictionless's `check_<name>`)."""
    if name == "required":
        return absent if constraint else np.zeros(len(absent), dtype=bool)
    typed = as_mask(pc.is_valid(values))
    if name == "pattern":
        return typed & ~_matching(f"^{constraint}$", text, typed)
    if name in ("minLength", "maxLength"):
        lengths = pc.utf8_length(values)
        compare = pc.less if name == "minLength" else pc.greater
        return typed & as_mask(compare(lengths, constraint))
    if name == "enum":
        allowed = [_bound(descriptor, item) for item in constraint]
        inside = pc.is_in(values, _as_arrow(allowed, values.type))
        return typed & ~as_mask(inside)
    bound = _as_arrow([_bound(descriptor, constraint)], values.type)[0]
    compare = {"minimum": pc.less, "maximum": pc.greater}.get(name)
    compare = compare or (pc.less_equal if name == "exclusiveMinimum" else pc.greater_equal)
    outside = as_mask(compare(values, bound))
    nan = as_mask(pc.is_nan(values)) if pa.types.is_floating(values.type) else False
    return typed & (outside | nan)


def _matching(rule: str, text: pa.Array, checked: np.ndarray) -> np.ndarray:
    """Which `checked` cells Python's `re.match(rule, cell)` matches (frictionless's check): by
    Arrow's RE2 a whole column at a time when `rule` has no escape or group flag (the syntax
    both read alike), Python for cells with a line break (Python's `$` matches before a final
    one) and for any rule RE2 refuses."""
    matched = np.zeros(len(checked), dtype=bool)
    python = checked.copy()
    if "\\" not in rule and "(?" not in rule:
        try:
            matched = as_mask(pc.match_substring_regex(text, rule)).copy()
            python = checked & as_mask(pc.match_substring(text, "\n"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    if python.any():
        compiled = re.compile(rule)
        at = np.flatnonzero(python)
        cells = text.take(pa.array(at)).to_pylist()
        matched[at] = [compiled.match(cell) is not None for cell in cells]
    return matched


def _bound(descriptor: dict[str, Any], value: Any) -> Any:
    """A constraint's value as the field's type (frictionless reads it with the value reader,
    which returns a string of a plain string field as it is: frictionless is not loaded for it)."""
    if isinstance(value, bool | int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, date | datetime):
        return value
    plain = descriptor.get("type") == "string" and descriptor.get("format", "default") == "default"
    if plain and isinstance(value, str):
        return value
    return value_reader(descriptor)(value)
