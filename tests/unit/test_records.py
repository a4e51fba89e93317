"""Records into one Arrow table: batches, types and the message for a value of the wrong type."""

from __future__ import annotations

import pytest

from oshs.errors import SnapshotError
from oshs.records import RECORD_TYPES, RecordColumns, records_table


def record(number: int, **values) -> dict:
    return {"id": number, "organisation": "nhsx", "name": f"r{number}", "stars": number,
            "fork": number % 2 == 0, "topics": ["b", "a"], "languages": {"Go": number},
            **values}  # fmt: skip


def test_records_added_in_batches_are_one_table_in_order(monkeypatch):
    monkeypatch.setattr(RecordColumns, "BATCH_ROWS", 2)
    columns = RecordColumns()
    starts = [columns.add([record(1), record(2), record(3)]), columns.add([]),
              columns.add([record(4, language_shares={"Go": 0.5})])]  # fmt: skip
    table = columns.table()
    assert starts == [0, 3, 3]
    assert table.column_names == list(RECORD_TYPES)
    assert table.select(["id", "stars", "fork", "topics", "languages"]).to_pylist() == [
        {"id": "1", "stars": 1, "fork": False, "topics": ["b", "a"], "languages": [("Go", 1)]},
        {"id": "2", "stars": 2, "fork": True, "topics": ["b", "a"], "languages": [("Go", 2)]},
        {"id": "3", "stars": 3, "fork": False, "topics": ["b", "a"], "languages": [("Go", 3)]},
        {"id": "4", "stars": 4, "fork": True, "topics": ["b", "a"], "languages": [("Go", 4)]},
    ]
    assert table.column("language_shares").to_pylist() == [None, None, None, [("Go", 0.5)]]
    assert table.column("description").null_count == 4  # a field no record has
    assert table.equals(records_table([record(1), record(2), record(3), record(4,
                        language_shares={"Go": 0.5})]))  # fmt: skip
    assert table != records_table([record(1)])


def test_a_value_of_the_wrong_type_is_one_clear_error():
    with pytest.raises(SnapshotError) as raised:
        records_table([record(1, stars="many")])
    assert raised.value.message.startswith("a repository record has a value of the wrong type (")


def test_a_field_only_some_records_have_is_null_for_the_others():
    first, second = record(1, homepage="https://a.example"), record(2)
    table = records_table([first, second, record(3, homepage="https://c.example")])
    assert table.column("homepage").to_pylist() == ["https://a.example", None, "https://c.example"]
    assert table.column("id").to_pylist() == ["1", "2", "3"]
