"""Parquet twins of the published CSVs: the same rows and columns, typed by the data dictionary.

Each table's CSV cells are typed exactly as the build's validator types them
(`oshs.validation`), so the twin holds what the CSV says, with the schema's types: integers as
int64, numbers as float64, booleans, dates as date32, datetimes as UTC timestamps (in
milliseconds, Parquet's coarsest unit), text as strings; an empty column keeps its type. The
bytes are deterministic (no timestamps; zstd). A build types the cells it writes
(`published_bytes`); `parquet_bytes` reads published CSV bytes back, the same twin (tested).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pandas import DataFrame

from oshs.csvbytes import csv_bytes_of_cells, table_cells
from oshs.descriptor import field_descriptor
from oshs.fields import Table
from oshs.schema import TABLES
from oshs.validation.cells import typed_values
from oshs.validation.csvread import read_columns

MEDIATYPE = "application/vnd.apache.parquet"


def parquet_bytes(csv_data: bytes, table: Table) -> bytes:
    """The Parquet bytes of `table` from its published CSV bytes."""
    fields = [field_descriptor(item) for item in table.fields]
    text = read_columns(csv_data, len(fields))
    return _parquet(fields, text.columns)


def parquet_bytes_of_cells(cells: list[pa.Array], table: Table) -> bytes:
    """`parquet_bytes` of the CSV that `oshs.csvbytes` writes from `cells` (its
    `table_cells`), without writing and reading the CSV back: text cells are typed as the CSV's
    would be; integers and booleans are already their values."""
    fields = [field_descriptor(item) for item in table.fields]
    # one chunk, as read from the CSV: chunk boundaries would move the pages, and the bytes
    columns = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in cells]
    return _parquet(fields, columns)


_NATIVE = {"integer": pa.int64(), "boolean": pa.bool_()}
"""Types whose cells are their values already (written from the table, not read from text)."""


def _parquet(fields: list[dict[str, Any]], columns: list[pa.Array]) -> bytes:
    """The Parquet bytes of `columns`: text cells typed by their fields, native ones as they
    are."""
    typed = {
        item["name"]: column
        if column.type == _NATIVE.get(item["type"])
        else typed_values(item, pc.cast(column, pa.string()))
        for item, column in zip(fields, columns, strict=True)
    }
    buffer = io.BytesIO()
    pq.write_table(pa.table(typed), buffer, compression="zstd", coerce_timestamps="ms")
    return buffer.getvalue()


def published_bytes(
    tables: Mapping[str, DataFrame], *, twins: bool
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Each table's CSV bytes and, with `twins`, its Parquet twin, both from the same cells
    (the twin is the CSV's, typed: `oshs.parquet`)."""
    data, parquet = {}, {}
    for name, frame in tables.items():
        cells = table_cells(frame)
        data[name] = csv_bytes_of_cells(frame, cells)
        if twins:
            table = TABLES[name]
            parquet[name] = (
                parquet_bytes(data[name], table)
                if cells is None
                else parquet_bytes_of_cells(cells, table)
            )
    return data, parquet
