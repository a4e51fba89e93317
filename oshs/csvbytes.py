"""A table's published CSV bytes (see `oshs.schema.CSV_CONVENTIONS`), written by polars.

The bytes are those `pandas.DataFrame.to_csv` writes with the project's options
(`pandas_csv_bytes`, kept as the reference and for other dtypes and one-column frames): UTF-8,
`\n` line endings, a header row, no index, booleans `true`/`false`, missing values empty,
floats as `%.6f` (formatted by Python, as pandas does), text quoted only when it holds a comma,
a quote or a line break. polars writes an empty string as `""` and quotes a carriage return, so
text is handed to it with line breaks already `\n` and empty strings as missing (pandas writes
both empty). At 250,000 repositories: 0.6 s for `repositories` instead of 6 s.

polars is not fork-safe: its thread pool does not exist in a child forked after the pool
started, and a write there waits for it forever. Such a child (a `multiprocessing` worker forked
by a caller, a test that kills a build) writes with `pandas_csv_bytes`: the same bytes.
"""

from __future__ import annotations

import csv
import io
import os
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

FLOAT_FORMAT = "%.6f"
WRITE_ROWS = 16_384
"""Rows handed to polars at a time: it copies their text, so a table's text is never held
twice (writing `repositories.csv` of 250,000 repositories takes 64 MB less, as fast)."""
_POLARS = {"started": False, "forked": False}
"""Whether this process started polars' thread pool, and whether it is a child forked after
a parent started it."""


def _after_fork_in_child() -> None:
    _POLARS["forked"] = _POLARS["forked"] or _POLARS["started"]


if hasattr(os, "register_at_fork"):  # POSIX only; there is no fork elsewhere
    os.register_at_fork(after_in_child=_after_fork_in_child)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Deterministic CSV bytes of a table, byte for byte `pandas_csv_bytes(frame)`.

    Line breaks inside text (`\\r\\n`, `\\r`) are written as `\\n`, because Python's csv writer
    would leave a lone `\\r` unquoted. Text is otherwise written raw: no spreadsheet-formula
    escaping (data fidelity; documented in the descriptor).
    """
    return csv_bytes_of_cells(frame, table_cells(frame))


def table_cells(frame: pd.DataFrame) -> list[pa.Array] | None:
    """The cells `to_csv_bytes` writes, a column at a time as Arrow arrays (text with line
    breaks as `\n` and empty text missing, floats formatted); None when a column has another
    dtype (then pandas writes the frame)."""
    columns = [_arrow_cells(frame.iloc[:, at]) for at in range(frame.shape[1])]
    return None if any(column is None for column in columns) else columns


def csv_bytes_of_cells(frame: pd.DataFrame, columns: list[pa.Array] | None) -> bytes:
    """`to_csv_bytes(frame)`, given `table_cells(frame)`."""
    if columns is None or len(columns) < 2 or _POLARS["forked"]:
        return pandas_csv_bytes(frame)  # Python's csv writer quotes a row of one empty cell
    _POLARS["started"] = True
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(list(frame.columns))
    table = pa.table(columns, names=[str(at) for at in range(len(columns))])
    buffer = io.BytesIO(header.getvalue().encode("utf-8"))
    buffer.seek(0, io.SEEK_END)  # the rows after the header: one copy of the bytes less
    for start in range(0, len(frame), WRITE_ROWS):  # polars copies the text it is given
        rows = pl.from_arrow(table.slice(start, WRITE_ROWS))
        assert isinstance(rows, pl.DataFrame)
        rows.write_csv(buffer, include_header=False, quote_style="necessary", line_terminator="\n")
    return buffer.getvalue()


def _arrow_cells(column: pd.Series) -> Any:
    """The Arrow array polars writes as `pandas_csv_bytes` writes `column`; None for a dtype
    other than the tables' own (text, `Int64`, `boolean`, float64) and NumPy's int64 and bool."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        text = pa.array(column, from_pandas=True)
        if pc.any(pc.match_substring(text, "\r")).as_py():  # a copy only when one is needed
            text = pc.replace_substring(pc.replace_substring(text, "\r\n", "\n"), "\r", "\n")
        empty = pc.equal(text, "")
        if pc.any(empty).as_py():
            text = pc.if_else(empty, pa.scalar(None, text.type), text)
        return text
    if dtype == np.float64:
        cells = [None if value != value else FLOAT_FORMAT % value for value in column.tolist()]
        return pa.array(cells, pa.string())
    if isinstance(dtype, pd.Int64Dtype | pd.BooleanDtype) or dtype in (np.int64, np.bool_):
        return pa.array(column, from_pandas=True)
    return None


def pandas_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The CSV bytes of `frame` as pandas writes them with the project's options."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_bool_dtype(column.dtype):
            out[name] = column.map({True: "true", False: "false"}).astype(object)
        elif isinstance(column.dtype, pd.StringDtype) or column.dtype == object:
            text = column.astype("string")  # only the cells with a carriage return are touched
            breaks = text.str.contains("\r", regex=False).fillna(False).astype(bool)
            if breaks.any():
                out[name] = column.where(~breaks, column[breaks].map(_one_line_breaks))
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\n", float_format=FLOAT_FORMAT, na_rep="")
    return buffer.getvalue().encode("utf-8")


def _one_line_breaks(value: Any) -> Any:
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value
