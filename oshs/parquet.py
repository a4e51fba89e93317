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
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pandas import DataFrame

from oshs.background import in_background, processes_for
from oshs.csvbytes import csv_bytes_of_cells, table_cells, to_csv_bytes
from oshs.descriptor import field_descriptor
from oshs.fields import Table
from oshs.schema import TABLES
from oshs.spool import SpooledBytes
from oshs.tables import current_repository_count
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
    # one chunk, as read from the CSV: chunk boundaries would move the pages, and the bytes;
    # a column at a time, each copy dropped once typed
    columns = (c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in cells)
    return _parquet(fields, columns)


_NATIVE = {"integer": pa.int64(), "boolean": pa.bool_()}
"""Types whose cells are their values already (written from the table, not read from text)."""


def _parquet(fields: list[dict[str, Any]], columns: Iterable[pa.Array]) -> bytes:
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
) -> tuple[SpooledBytes, dict[str, bytes]]:
    """Each table's CSV bytes (large ones kept on disk: `oshs.spool`) and, with `twins`, its
    Parquet twin, both from the same cells (the twin is the CSV's, typed: `oshs.parquet`). For a
    large release the twins are made by a forked process while this one writes the CSVs
    (`oshs.background.processes_for`)."""
    cells = {name: table_cells(frame) for name, frame in tables.items()}
    # a table of other dtypes has no cells: pandas writes its CSV, read back for its twin
    written = {name: to_csv_bytes(tables[name]) for name, cell in cells.items() if cell is None}
    fork = twins and processes_for(current_repository_count(tables)) > 1
    with in_background(_twins, cells, written, fork=fork) as made:
        data = SpooledBytes()
        for name, frame in tables.items():
            made_here = name not in written
            data.add(name, csv_bytes_of_cells(frame, cells[name]) if made_here else written[name])
        return data, made() if twins else {}


def _twins(
    cells: Mapping[str, list[pa.Array] | None], written: Mapping[str, bytes]
) -> dict[str, bytes]:
    """The Parquet twin of each table: from its CSV cells (`table_cells`), else from the CSV
    bytes `written` of it."""
    return {
        name: parquet_bytes(written[name], TABLES[name])
        if cell is None
        else parquet_bytes_of_cells(cell, TABLES[name])
        for name, cell in cells.items()
    }
