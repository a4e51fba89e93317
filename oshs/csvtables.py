"""A published CSV read back as a table with the in-memory dtypes (`read_table`): how a build
reads the state it continues (`oshs.history`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from oshs.records import ARROW_TYPES
from oshs.schema import Table
from oshs.tables import TEXT_DTYPE, typed


def read_table(path: Path, table: Table) -> pd.DataFrame:
    """One published CSV as a DataFrame with the in-memory dtypes of `table`.

    Cells are read as text (empty → missing), so every string survives as published; booleans
    are `true`/`false`. Columns missing from the file are empty; extra ones are dropped. The
    migration of a package published before 2.0.0: it has no `platform` column, and every row
    of it is `github` (its integer ids are the same text as GitHub's keys). Read and typed by
    Arrow (pandas' reader and casts took 6 s for `repositories` at 250,000 repositories); a
    value that is not of its column's type raises `ValueError`.
    """
    text = pa_csv.read_csv(
        path,
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(table.columns, pa.string()),
            null_values=[""],
            strings_can_be_null=True,
        ),
        # parsed in glibc's heap, not Arrow's pool: the pool would keep the parser's freed blocks
        # (100 MB for a state of 250,000 repositories); `return_free_memory` hands these back
        memory_pool=pa.system_memory_pool(),
    )
    columns = {}
    for name, type_ in table.types().items():
        if name in text.column_names:
            columns[name] = _typed_text(text.column(name), type_)
        else:
            fill = "github" if name == "platform" else None
            columns[name] = pa.array([fill] * text.num_rows, type=ARROW_TYPES.get(type_))
    frame = pa.table(columns).to_pandas(types_mapper=_PANDAS_TYPES.get)
    return typed(frame, table)


_PANDAS_TYPES = {
    pa.string(): TEXT_DTYPE,
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def _typed_text(column: pa.ChunkedArray, type_: str) -> pa.ChunkedArray:
    """A column of text as its in-memory type: `true`/`false` (anything else missing), numbers
    parsed (an error when one is not), text as it is."""
    if type_ == "boolean":
        true, false = pc.equal(column, "true"), pc.equal(column, "false")
        return pc.if_else(pc.or_(true, false), true, pa.scalar(None, pa.bool_()))
    if type_ in ARROW_TYPES:
        return pc.cast(column, ARROW_TYPES[type_])
    return column.cast(pa.string())
