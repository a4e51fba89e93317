"""A CSV file as columns of text, read the way frictionless reads it.

frictionless decodes the bytes as UTF-8, sniffs the dialect from the first 100 lines
(`csv.Sniffer`, delimiters `,\\t;|`), reads rows with Python's `csv` module and takes the first
row as the header. `read_columns` gives the same cells: pyarrow's multithreaded reader when the
file is plain (the standard dialect, no carriage return, no byte-order mark, every row as long
as the header), otherwise Python's `csv` module with the sniffed dialect, exactly as frictionless
does. Either way a cell is text, `""` when empty, and null only when the row was too short.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv

SAMPLE_LINES = 100
"""The lines frictionless sniffs the dialect from (`frictionless.formats.csv.parser`)."""
_STANDARD = (",", '"', False, None)
FIELD_SIZE_LIMIT = 2_147_483_646
"""The longest cell frictionless reads (its `settings.FIELD_SIZE_LIMIT`)."""


@dataclass(frozen=True)
class TextColumns:
    """One CSV file's cells: the header labels, one text column per expected field (null where a
    row was too short), and the rows' cell counts when some row differs from the header."""

    labels: list[str]
    columns: list[pa.Array]
    rows: int
    row_lengths: list[int] | None = None


class EncodingProblem(Exception):
    """The bytes are not UTF-8 (frictionless: `encoding-error`)."""


def read_columns(data: bytes, fields: int) -> TextColumns:
    """The cells of `data` as text columns, one per header label (`fields` columns when there
    is no header), as frictionless pairs cells with fields: by position.

    Raises `EncodingProblem` when `data` is not UTF-8 (a leading byte-order mark is skipped, as
    frictionless skips it). A plain file is never decoded whole: one emoji makes Python hold
    every character in 4 bytes (+380 MB for `repositories.csv` at 250,000 repositories).
    """
    check_utf8(data)
    if b"\r" not in data and not data.startswith(BOM):
        dialect = sniffed_dialect(_first_lines(data))
        if _plain(data, dialect):
            fast = _read_with_arrow(data)
            if fast is not None:
                return TextColumns(fast[0], fast[1], len(fast[1][0]) if fast[1] else 0)
    text = data.decode("utf-8").removeprefix("\ufeff")
    return _read_with_csv_module(text, sniffed_dialect(text), fields)


BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 20


def check_utf8(data: bytes) -> None:
    """Raise `EncodingProblem` (Python's own message) unless `data` is UTF-8, decoding a chunk
    at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(data[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        try:  # the message names the position in the whole file
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise EncodingProblem(str(error)) from None


def _first_lines(data: bytes) -> str:
    """The first `SAMPLE_LINES` lines of UTF-8 `data` that has no carriage return, as text."""
    end = -1
    for _ in range(SAMPLE_LINES):
        end = data.find(b"\n", end + 1)
        if end < 0:
            return data.decode("utf-8")
    return data[: end + 1].decode("utf-8")


def sniffed_dialect(text: str) -> Any:
    """The dialect frictionless would sniff from the first lines of `text`."""
    sample = itertools.islice(io.StringIO(text, newline=""), SAMPLE_LINES)  # not every line
    try:
        dialect: Any = csv.Sniffer().sniff("".join(sample), ",\t;|")
    except csv.Error:
        dialect = csv.excel()
    if dialect.quotechar == "'":
        dialect.quotechar = '"'
    return dialect


def _plain(data: bytes, dialect: Any) -> bool:
    """Whether pyarrow reads `data` into the cells `csv` would give."""
    delimiter, quote, escape = dialect.delimiter, dialect.quotechar, dialect.escapechar
    shape = (delimiter, quote, bool(dialect.skipinitialspace), escape)
    # The sniffer says "no doubled quotes" when the first lines have none: the same cells
    # unless a doubled quote comes later.
    doubled = bool(dialect.doublequote) or b'""' not in data
    plain_bytes = b"\r" not in data and not data.startswith(BOM)
    return shape == _STANDARD and doubled and plain_bytes


def first_line(data: bytes) -> bytes:
    """The bytes of `data` before its first line break (all of them when there is none): sliced,
    not split, which would copy every other line."""
    end = data.find(b"\n")
    return data if end < 0 else data[:end]


def _read_with_arrow(data: bytes) -> tuple[list[str], list[pa.Array]] | None:
    """Header and text columns by pyarrow, or None when a row's length differs (or any doubt)."""
    header = first_line(data)
    if not header or b'"' in header:
        return None
    labels = header.decode("utf-8").split(",")
    names = [f"c{i}" for i in range(len(labels))]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return labels, [table.column(i).combine_chunks() for i in range(len(labels))]


def _read_with_csv_module(text: str, dialect: Any, fields: int) -> TextColumns:
    """Header and columns by Python's `csv` module, as frictionless reads them."""
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=dialect.delimiter,
        quotechar=dialect.quotechar,
        doublequote=dialect.doublequote,
        skipinitialspace=dialect.skipinitialspace,
        escapechar=dialect.escapechar,
    )
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    rows = list(reader)
    labels = rows[0] if rows else []
    body = rows[1:]
    width = len(labels) or fields
    columns = [
        pa.array([row[i] if i < len(row) else None for row in body], type=pa.string())
        for i in range(width)
    ]
    lengths = [len(row) for row in body]
    uneven = any(length != width for length in lengths)
    return TextColumns(labels, columns, len(body), lengths if uneven else None)
