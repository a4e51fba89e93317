"""Unique fields, primary keys and foreign keys over typed columns, as frictionless checks them:
typed values compared (so `7` and `07` are one integer), null cells never duplicate a unique
field, a primary key all of whose cells are null is an error, a foreign key all of whose cells
are null is not checked, and the referenced values are the referenced table's typed rows whose
key is not all null."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from oshs.validation.cells import as_mask


def later_duplicates(columns: Sequence[pa.Array]) -> np.ndarray:
    """Rows whose values (all `columns` together, nulls equal) occurred in an earlier row."""
    rows = len(columns[0]) if columns else 0
    if rows == 0:
        return np.zeros(0, dtype=bool)
    names = [f"k{i}" for i in range(len(columns))]
    table = pa.table(dict(zip(names, columns, strict=True)))
    table = table.append_column("row", pa.array(np.arange(rows)))
    first = table.group_by(names, use_threads=False).aggregate([("row", "min")])
    seen = np.zeros(rows, dtype=bool)
    seen[first.column("row_min").to_numpy()] = True
    return ~seen


def unique_faults(values: pa.Array) -> np.ndarray:
    """Rows repeating a non-null value of a unique field."""
    repeated = later_duplicates([values])
    return repeated & as_mask(pc.is_valid(values))


def primary_key_faults(columns: Sequence[pa.Array]) -> np.ndarray:
    """Rows whose key cells are all null, or repeat an earlier row's key."""
    all_null = _all_null(columns)
    return all_null | (later_duplicates(columns) & ~all_null)


def foreign_key_faults(columns: Sequence[pa.Array], referenced: Sequence[pa.Array]) -> np.ndarray:
    """Rows whose key (not all null) is not among the `referenced` rows' keys (not all null)."""
    rows = len(columns[0]) if columns else 0
    checked = ~_all_null(columns)
    if not checked.any():
        return np.zeros(rows, dtype=bool)
    keep = ~_all_null(referenced) if referenced and len(referenced[0]) else np.zeros(0, bool)
    targets = [pc.filter(column, pa.array(keep)) for column in referenced]
    if len(columns) == 1 and _comparable(columns[0], targets[0]):
        found = pc.is_in(columns[0], value_set=pc.unique(targets[0]), skip_nulls=False)
        return checked & ~as_mask(found)
    known = set(zip(*(column.to_pylist() for column in targets), strict=True))
    tuples = zip(*(column.to_pylist() for column in columns), strict=True)
    return checked & ~np.array([key in known for key in tuples], dtype=bool)


def _comparable(column: pa.Array, target: pa.Array) -> bool:
    return bool(column.type == target.type)


def _all_null(columns: Sequence[pa.Array]) -> np.ndarray:
    rows = len(columns[0]) if columns else 0
    result = np.ones(rows, dtype=bool)
    for column in columns:
        result &= as_mask(pc.is_null(column))
    return result


def column_values(typed: Mapping[str, pa.Array], names: Sequence[str]) -> list[pa.Array] | None:
    """The typed columns named `names`, or None when one is not in the table."""
    if any(name not in typed for name in names):
        return None
    return [typed[name] for name in names]
