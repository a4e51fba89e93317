"""Normalised repository records as one Arrow table, a column per field (`records_table`).

A build reads each organisation's snapshot, normalises it into records (dicts, `oshs.normalise`),
and moves them into the columns of its date at once (`RecordColumns`), so the records of
250,000 repositories are never 250,000 dicts alive together (0.5 GB, and the time to make and
free them). Columns: those of `repositories.csv` but `first_seen`, `last_seen` and `removed`,
typed by the data dictionary; `id` as text (`oshs.fields.REPOSITORY_KEY`); `topics` a list;
`languages` ({language: bytes}) and `language_shares` ({language: fraction}) maps.
"""

from __future__ import annotations

import operator
from typing import Any

import pyarrow as pa

from oshs.errors import SnapshotError
from oshs.schema import REPOSITORIES

SEEN_COLUMNS = ("first_seen", "last_seen", "removed")
ARROW_TYPES = {"integer": pa.int64(), "boolean": pa.bool_(), "number": pa.float64()}
"""The Arrow type of each data-dictionary type that is not text (dates and datetimes are)."""
RECORD_TYPES: dict[str, pa.DataType] = {
    **{
        name: ARROW_TYPES.get(type_, pa.string())
        for name, type_ in REPOSITORIES.types().items()
        if name not in SEEN_COLUMNS
    },
    "topics": pa.list_(pa.string()),
    "languages": pa.map_(pa.string(), pa.int64()),
    "language_shares": pa.map_(pa.string(), pa.float64()),
}
"""Each record column's Arrow type."""
RECORD_SCHEMA = pa.schema(list(RECORD_TYPES.items()))


class RecordColumns:
    """Records added an organisation at a time: Python columns, moved into Arrow every
    `BATCH_ROWS` rows so that the Python values are freed as reading goes on."""

    BATCH_ROWS = 16_384

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in RECORD_TYPES}
        self.batches: list[pa.RecordBatch] = []
        self.rows = 0

    def add(self, records: list[dict[str, Any]]) -> int:
        """Append `records` (a missing field is null); the row of the first of them."""
        start = self.rows
        for name, column in self.columns.items():
            try:
                values = list(map(operator.itemgetter(name), records))
            except KeyError:  # a record without it
                values = [record.get(name) for record in records]
            column.extend(values)
        self.rows += len(records)
        if len(self.columns["id"]) >= self.BATCH_ROWS:
            self._flush()
        return start

    def table(self) -> pa.Table:
        """The records added so far as an Arrow table of `RECORD_TYPES`."""
        self._flush()
        return pa.Table.from_batches(self.batches, schema=RECORD_SCHEMA)

    def _flush(self) -> None:
        """Move the Python columns into an Arrow batch."""
        self.columns["id"] = [None if key is None else str(key) for key in self.columns["id"]]
        try:
            arrays = [pa.array(self.columns[n], type=t) for n, t in RECORD_TYPES.items()]
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as error:
            message = f"a repository record has a value of the wrong type ({error})"
            raise SnapshotError(message) from None
        self.batches.append(pa.RecordBatch.from_arrays(arrays, schema=RECORD_SCHEMA))
        self.columns = {name: [] for name in RECORD_TYPES}


def records_table(records: list[dict[str, Any]]) -> pa.Table:
    """`records` as one Arrow table (see the module docstring)."""
    columns = RecordColumns()
    columns.add(records)
    return columns.table()
