"""Parquet twins of the published CSVs: the same rows and columns, typed by the data dictionary.

Each table's CSV bytes are read back and typed exactly as the build's validator types them
(`oshs.validation`), so the twin holds what the CSV says, with the schema's types: integers as
int64, numbers as float64, booleans, dates as date32, datetimes as UTC timestamps (in
milliseconds, Parquet's coarsest unit), text as strings; an empty column keeps its type. The
bytes are deterministic (no timestamps; zstd).
"""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq

from oshs.descriptor import field_descriptor
from oshs.fields import Table
from oshs.validation.cells import typed_values
from oshs.validation.csvread import read_columns

MEDIATYPE = "application/vnd.apache.parquet"


def parquet_bytes(csv_data: bytes, table: Table) -> bytes:
    """The Parquet bytes of `table` from its published CSV bytes."""
    fields = [field_descriptor(item) for item in table.fields]
    text = read_columns(csv_data, len(fields))
    columns = {
        item["name"]: typed_values(item, column)
        for item, column in zip(fields, text.columns, strict=True)
    }
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer, compression="zstd", coerce_timestamps="ms")
    return buffer.getvalue()
