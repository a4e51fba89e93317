"""The tables' CSV bytes written by polars are pandas' bytes (the reference), value for value."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from oshs import csvbytes
from oshs.csvbytes import pandas_csv_bytes, to_csv_bytes
from oshs.tables import TEXT_DTYPE

TRICKY_TEXT = [
    "plain", "", None, "a,b", 'say "hi"', '"', ",", "\n", "line\nbreak", "cr\rmid", "crlf\r\nx",
    "\r", "\r\n", "end\r", " lead", "trail ", "\t", "😀 emoji", "é ü", "=SUM(A1)", "+1", "-1",
    "#", "'", "\\", ";", "x\u2028y", "\x0b\x0c\x85", "\x00", "2025-10-06", "2025-10-06T06:00:00Z",
    "true", "nan", "NA", "None", "null", "1.000000",
]  # fmt: skip
FLOATS = [
    0.0, -0.0, 1 / 3, 2 / 3, 1 / 128, 3 / 128, 0.5e-6, 1.5e-6, 2.5e-6, 1e-7, 0.9999995, 1.0,
    123456789.123456789, 1e20, -1e-20, float("nan"), float("inf"), -float("inf"), 0.1 + 0.2,
]  # fmt: skip


def frame_of(rows: int, seed: int) -> pd.DataFrame:
    pick = random.Random(seed)
    text = [pick.choice(TRICKY_TEXT) for _ in range(rows)]
    joined = ["".join(pick.choices([t or "" for t in TRICKY_TEXT], k=3)) for _ in range(rows)]
    return pd.DataFrame(
        {
            "text": pd.array(text, dtype=TEXT_DTYPE),
            "joined": pd.array(joined, dtype=TEXT_DTYPE),
            "arrow": pd.array(text, dtype="string[pyarrow]"),
            "python": pd.array(text, dtype="string[python]"),
            "count": pd.array(
                [pick.choice([None, 0, -1, 2**62, 7]) for _ in range(rows)], dtype="Int64"
            ),
            "flag": pd.array([pick.choice([True, False, None]) for _ in range(rows)], "boolean"),
            "share": [pick.choice(FLOATS) for _ in range(rows)],
            "plain_int": np.array([pick.randrange(-(10**12), 10**12) for _ in range(rows)]),
            "plain_bool": np.array([pick.random() < 0.5 for _ in range(rows)]),
        }
    )


@pytest.mark.parametrize(("rows", "seed"), [(0, 0), (1, 1), (2, 2), (500, 3), (5000, 4)])
def test_polars_bytes_are_pandas_bytes(rows, seed):
    frame = frame_of(rows, seed)
    assert to_csv_bytes(frame) == pandas_csv_bytes(frame)
    for name in frame.columns:  # each column alone, too (a one-column row is quoted if empty)
        assert to_csv_bytes(frame[[name]]) == pandas_csv_bytes(frame[[name]]), name


@pytest.mark.parametrize("rows", [6, 7, 8, 500])
def test_rows_written_a_slice_at_a_time_are_the_bytes_of_one_write(rows, monkeypatch):
    monkeypatch.setattr(csvbytes, "WRITE_ROWS", 7)  # polars is handed 7 rows at a time
    frame = frame_of(rows, rows)
    assert to_csv_bytes(frame) == pandas_csv_bytes(frame)


def test_every_tricky_value_is_written_as_pandas_writes_it():
    frame = pd.DataFrame(
        {
            "text": pd.array(TRICKY_TEXT, dtype=TEXT_DTYPE),
            "share": (FLOATS * 3)[: len(TRICKY_TEXT)],
        }
    )
    data = to_csv_bytes(frame)
    assert data == pandas_csv_bytes(frame)
    lines = data.decode("utf-8").split("\n")
    assert lines[:4] == ["text,share", "plain,0.000000", ",-0.000000", ",0.333333"]
    assert b"\r" not in data and b'"say ""hi""",0.007812' in data  # 1/128: half-even


def test_other_dtypes_are_written_by_pandas():
    frame = pd.DataFrame({"mixed": ["a,b", 1, None, 2.5, True], "small": np.int8([1, 2, 3, 4, 5])})
    assert (
        to_csv_bytes(frame)
        == pandas_csv_bytes(frame)
        == b'mixed,small\n"a,b",1\n1,2\n,3\n2.5,4\nTrue,5\n'
    )
