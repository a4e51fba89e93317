"""The Parquet twins: the same tables as the CSVs, typed; listed in the descriptor; loaded in one
line by pandas and DuckDB as the README shows."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from oshs.parquet import parquet_bytes
from oshs.schema import TABLES

ARROW_TYPES = {
    "string": "string",
    "integer": "int64",
    "number": "double",
    "boolean": "bool",
    "date": "date32[day]",
    "datetime": "timestamp[ms, tz=UTC]",
}


def test_each_table_has_a_twin_in_the_descriptor_with_its_size_and_hash(demo_package):
    descriptor = json.loads((demo_package / "datapackage.json").read_text(encoding="utf-8"))
    twins = {r["name"]: r for r in descriptor["resources"] if r.get("format") == "parquet"}
    assert sorted(twins) == sorted(f"{name}-parquet" for name in TABLES)
    for name in TABLES:
        twin = twins[f"{name}-parquet"]
        assert twin["path"] == f"outputs/data/{name}.parquet"
        assert twin["type"] == "file" and twin["mediatype"] == "application/vnd.apache.parquet"
        assert twin["bytes"] == (demo_package / twin["path"]).stat().st_size


def test_a_twin_holds_the_csv_rows_with_the_schema_types(demo_package):
    data = demo_package / "outputs" / "data"
    for name, table in TABLES.items():
        twin = pq.read_table(data / f"{name}.parquet")
        assert [str(field.type) for field in twin.schema] == [
            ARROW_TYPES[item.type] for item in table.fields
        ]
        from_csv = pd.read_csv(data / f"{name}.csv", dtype=str, keep_default_na=False)
        assert twin.num_rows == len(from_csv)
    repositories = pd.read_parquet(data / "repositories.parquet")
    first = pd.read_csv(data / "repositories.csv", nrows=1, keep_default_na=False).iloc[0]
    assert repositories.loc[0, "full_name"] == first["full_name"]
    assert str(repositories.loc[0, "id"]) == str(first["id"])


def test_an_empty_column_keeps_its_type():
    table = TABLES["organisations"]
    header = ",".join(table.columns)
    csv = f"{header}\n{'nhsx' + ',' * (len(table.columns) - 1)}\n".encode()
    twin = pq.read_table(pa_buffer(parquet_bytes(csv, table)))
    assert str(twin.schema.field("public_repositories").type) == "int64"
    assert twin.column("public_repositories").null_count == 1


def pa_buffer(data: bytes):
    import pyarrow as pa

    return pa.BufferReader(data)


def test_the_twins_are_the_same_bytes_from_the_same_csv(demo_package):
    path = demo_package / "outputs" / "data" / "repositories.csv"
    assert parquet_bytes(path.read_bytes(), TABLES["repositories"]) == (
        path.with_suffix(".parquet").read_bytes()
    )


def test_the_readme_recipes_load_the_twins_in_one_line(demo_package, monkeypatch):
    monkeypatch.chdir(demo_package)
    counted = duckdb.sql("select count(*) from 'outputs/data/repositories.parquet'").fetchall()
    assert counted[0][0] == len(pd.read_parquet("outputs/data/repositories.parquet"))
    types = duckdb.sql("describe select * from read_parquet('outputs/data/repositories.parquet')")
    assert {row[0]: row[1] for row in types.fetchall()}["open_issues"] == "BIGINT"


def test_a_twin_from_the_cells_is_the_twin_read_back_from_the_csv(demo_package, monkeypatch):
    from oshs.history import read_state
    from oshs.parquet import published_bytes

    tables = read_state(demo_package / "datapackage.json", demo_package / "outputs").tables
    odd = ["", None, "a,b", 'say "hi"', "cr\rmid", "crlf\r\nx", "😀", " lead", "\x00", "nan"]
    repositories = tables["repositories"].copy()
    repositories["description"] = pd.array(
        [odd[at % len(odd)] for at in range(len(repositories))],
        dtype=repositories["description"].dtype,
    )
    languages = tables["languages"].copy()
    shares = [0.1 + 0.2, 1 / 3, 2.5e-6, 0.9999995, float("nan"), float("inf"), -0.0, 1e20]
    languages["share"] = [shares[at % len(shares)] for at in range(len(languages))]
    halves = [
        repositories.iloc[: len(repositories) // 2],
        repositories.iloc[len(repositories) // 2 :],
    ]
    repositories = pd.concat(halves, ignore_index=True)  # Arrow columns of two chunks
    tables = {**tables, "repositories": repositories, "languages": languages}
    monkeypatch.setenv("OSHS_PROCESSES", "1")
    data, twins = published_bytes(tables, twins=True)
    for name, table in TABLES.items():
        assert twins[name] == parquet_bytes(data[name], table), name
    monkeypatch.setenv("OSHS_PROCESSES", "2")  # the twins made by a forked process meanwhile
    assert published_bytes(tables, twins=True) == (data, twins)


def test_a_twin_from_cells_in_many_chunks_is_the_twin_read_back_from_the_csv():
    from oshs.parquet import published_bytes
    from oshs.tables import TEXT_DTYPE

    rows = 120_000  # several data pages, where chunk boundaries would move page boundaries
    parts = [
        pd.DataFrame(
            {
                "repository_id": pd.array(
                    [str(at) for at in range(start, start + 200)], TEXT_DTYPE
                ),
                "full_name": pd.array(
                    [f"org/repository-{at}" for at in range(start, start + 200)], TEXT_DTYPE
                ),
                "topic": pd.array(
                    [f"topic-{at % 997}" for at in range(start, start + 200)], TEXT_DTYPE
                ),
            }
        )
        for start in range(0, rows, 200)
    ]
    topics = pd.concat(parts, ignore_index=True)  # 600 Arrow chunks per column
    data, twins = published_bytes({"topics": topics}, twins=True)
    assert twins["topics"] == parquet_bytes(data["topics"], TABLES["topics"])


def test_a_table_of_other_dtypes_is_written_by_pandas_and_its_twin_read_back():
    from oshs.csvbytes import pandas_csv_bytes
    from oshs.parquet import published_bytes

    topics = pd.DataFrame(
        {"repository_id": ["1", "2"], "full_name": ["a/b", "a/c"], "topic": ["x,y", None]},
        dtype=object,
    )  # no Arrow cells (`table_cells` is None): pandas writes the CSV once
    data, twins = published_bytes({"topics": topics}, twins=True)
    assert data == {"topics": pandas_csv_bytes(topics)}
    assert twins == {"topics": parquet_bytes(data["topics"], TABLES["topics"])}
