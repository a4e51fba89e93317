"""Dates and datetimes typed a column at a time: a parsed value is valid only when it prints back
as spelt, and printing back only the cells that could have overflowed gives the same verdicts."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from oshs.validation.cells import _FAST, _prints_back, typed_values

DAYS = [f"{y}-{m}-{d}" for y, m, d in itertools.product(
    ["2024", "2025", "1900", "2000", "1000", "0999", "0000", "9999"],
    ["00", "01", "02", "04", "09", "12", "13"],
    ["00", "01", "09", "28", "29", "30", "31", "32", "99"],
)]  # fmt: skip
TIMES = ["00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "99:99:99", "09:05:07"]


def printed_back(common: pa.Array, strptime: str) -> np.ndarray:
    """The reference: every parsed cell printed back and compared with its spelling."""
    parsed = pc.strptime(common, format=strptime, unit="s", error_is_null=True)
    same = pc.equal(pc.strftime(parsed, format=strptime), common)
    return np.asarray(pc.fill_null(same, False).to_numpy(zero_copy_only=False), dtype=bool)


@pytest.mark.parametrize("type_", ["date", "datetime"])
def test_only_doubtful_cells_are_printed_back_with_the_same_verdicts(type_):
    strptime = _FAST[type_][2]
    assert strptime is not None
    cells = DAYS if type_ == "date" else [f"{d}T{t}Z" for d in DAYS for t in TIMES]
    common = pa.array([*cells, None], pa.string())
    parsed = pc.strptime(common, format=strptime, unit="s", error_is_null=True)
    expected = printed_back(common, strptime)
    assert _prints_back(common, parsed, strptime).tolist() == expected.tolist()
    assert 0 < expected.sum() < len(cells)  # both verdicts are seen


def test_typed_dates_keep_only_real_days():
    text = pa.array(["2024-02-29", "2025-02-29", "2025-04-31", "", None, "2025-12-31"])
    values = typed_values({"name": "d", "type": "date"}, text).to_pylist()
    assert [str(v) if v else None for v in values] == [
        "2024-02-29", None, None, None, None, "2025-12-31",
    ]  # fmt: skip


def test_patterns_match_a_column_at_a_time_as_python_matches_each_cell():
    import re

    import numpy as np
    import pyarrow as pa

    from oshs.fields import FULL_NAME_PATTERN, LOGIN_PATTERN, REPOSITORY_KEY_PATTERN
    from oshs.validation.cells import _matching

    cells = ["nhsx", "nhsx\n", "a/b", "a/b\n", "a\n/b", "a/b/c", "/b", "a/", "gitlab:a.b/c",
             "gitlab:", "12", "012", "gitlab:7", "7\n", "é/ü", "a/b\r", "", "-x", "x-"]  # fmt: skip
    text = pa.array(cells)
    for pattern in (
        LOGIN_PATTERN,
        FULL_NAME_PATTERN,
        REPOSITORY_KEY_PATTERN,
        r"\d+",
        "(?:nhs)x",
        "[a-z]+",
    ):
        rule = re.compile(f"^{pattern}$")
        expected = [rule.match(cell) is not None for cell in cells]
        checked = np.ones(len(cells), dtype=bool)
        assert _matching(f"^{pattern}$", text, checked).tolist() == expected, pattern
