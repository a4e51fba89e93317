"""Internal records → the published pandas tables (SPEC §3.3) → their CSV bytes
(`to_csv_bytes`, written by `oshs.csvbytes`; read back by `oshs.csvtables`).

The building blocks `oshs.history` assembles into the next state; this module knows nothing of
states or history.

In-memory dtypes follow the data dictionary (`oshs.schema`): `integer` → `Int64`, `boolean` →
`boolean` (both nullable), `number` → `float64`, and `string`, `date` and `datetime` → pandas'
`str` dtype (dates `YYYY-MM-DD`, datetimes `YYYY-MM-DDTHH:MM:SSZ`, already as text). Missing
values are `<NA>`/`NaN`. Rows are sorted by primary key, columns in published order.
Everything is vectorised but joining each repository's sorted topics (one pass, linear).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from oshs.csvbytes import to_csv_bytes as to_csv_bytes  # the tables' CSV bytes, re-exported
from oshs.normalise import OrganisationCollection
from oshs.records import records_table
from oshs.schema import LANGUAGES, ORGANISATIONS, REPOSITORIES, TABLES, TIMELINE, TOPICS, Table
from oshs.validation.cells import as_mask

TEXT_DTYPE = pd.StringDtype(na_value=np.nan)
NO_LICENSE = "none"
_DTYPES = {"integer": "Int64", "boolean": "boolean", "number": "float64"}


def current_repository_count(tables: Mapping[str, pd.DataFrame]) -> int:
    """How many repositories of `tables` are current (not `removed`); 0 without the table."""
    repositories = tables.get("repositories")
    return 0 if repositories is None else int((~repositories["removed"].astype(bool)).sum())


def empty_table(table: Table) -> pd.DataFrame:
    """An empty DataFrame with the columns and dtypes of `table`."""
    return typed(pd.DataFrame({name: [] for name in table.columns}), table)


def empty_tables() -> dict[str, pd.DataFrame]:
    """Every table of `oshs.schema.TABLES`, empty and typed."""
    return {name: empty_table(table) for name, table in TABLES.items()}


def latest_per_login(
    collections: Iterable[OrganisationCollection],
) -> list[OrganisationCollection]:
    """One collection per organisation login (case-insensitive), the latest; sorted by login."""
    latest: dict[str, OrganisationCollection] = {}
    for collection in collections:
        key = collection.organisation["login"].lower()
        if key not in latest or collection.collected_on >= latest[key].collected_on:
            latest[key] = collection
    return [latest[key] for key in sorted(latest)]


def platform_of(keys: pd.Series) -> pd.Series:
    """The platform of organisation keys: `gitlab` for `gitlab:<path>`, else `github`."""
    return keys.astype(str).str.startswith("gitlab:").map({True: "gitlab", False: "github"})


def organisations_table(collections: list[OrganisationCollection]) -> pd.DataFrame:
    """`organisations` of freshly collected organisations (`stale` false)."""
    rows = [{"platform": "github", **c.organisation, "stale": False} for c in collections]
    frame = pd.DataFrame(rows, columns=ORGANISATIONS.columns)
    return typed(frame, ORGANISATIONS)


def repository_records(
    collections: list[OrganisationCollection], *, hand_over: bool = False
) -> pd.DataFrame:
    """Every repository record of `collections` (one per id: a repository id listed by two
    organisations, a transfer, is kept once, from the latest collection, ties to the login
    sorting last), unfiltered. With `hand_over`, `collections` is emptied and each column of
    their records freed once copied, so that the records are never held twice.

    Columns: those of `repositories.csv` but `first_seen`, `last_seen`, `removed`; plus
    `languages` ({language: bytes} or missing), `language_shares` (GitLab's {language:
    fraction}, or missing), both Arrow maps, `topics` (an Arrow list) and `collected_on`; `id`
    is the key as text (`oshs.fields.REPOSITORY_KEY`), `platform` is `github` unless the record
    says otherwise. Made from the collections' Arrow tables (`oshs.records`).
    """
    tables = [
        c.repositories if isinstance(c.repositories, pa.Table) else records_table(c.repositories)
        for c in collections
    ]
    dates = np.repeat(
        np.array([c.collected_on for c in collections], dtype=object),
        [table.num_rows for table in tables],
    )
    if hand_over:
        collections.clear()
    records = pa.concat_tables(tables) if tables else records_table([])
    records = records.append_column("collected_on", pa.array(dates, pa.string()))
    del tables, dates
    keys = records.select(["collected_on", "organisation", "id"]).to_pandas()
    kept = pa.array(_kept_in_id_order(keys.assign(id=keys["id"].astype(str))))
    names, columns = records.column_names, records.columns
    del records, keys
    for at in range(len(columns)):  # each taken, its records freed (if handed over)
        columns[at] = columns[at].take(kept)
    frame = pa.table(columns, names=names).to_pandas(types_mapper=_nested_dtype)
    frame["id"] = frame["id"].astype(str)
    frame["platform"] = frame["platform"].astype(object).where(frame["platform"].notna(), "github")
    return frame


def _kept_in_id_order(frame: pd.DataFrame) -> np.ndarray:
    """The positions of the records `repository_records` keeps (the last of each id once
    sorted by collection date and login, stably), in the order of their ids."""
    keys = frame[["collected_on", "organisation", "id"]].assign(position=np.arange(len(frame)))
    keys = keys.sort_values(["collected_on", "organisation"], kind="stable")
    keys = keys.drop_duplicates("id", keep="last")
    return keys["position"].to_numpy()[sort_order(keys, ["id"])]


def _nested_dtype(arrow_type: pa.DataType) -> Any:
    """Lists and maps stay Arrow in pandas; other columns take pandas' default dtypes."""
    if pa.types.is_list(arrow_type) or pa.types.is_map(arrow_type):
        return pd.ArrowDtype(arrow_type)
    return None


def keep_mask(records: pd.DataFrame, include_forks: bool, include_archived: bool) -> pd.Series:
    """Which records the configuration publishes: forks and archived ones as configured."""
    keep = pd.Series(True, index=records.index)
    if not include_forks:
        keep &= records["fork"].ne(True)
    if not include_archived:
        keep &= records["archived"].ne(True)
    return keep


def seen_on(records: pd.DataFrame) -> pd.DataFrame:
    """Records seen for the first time: `first_seen` = `last_seen` = `collected_on`."""
    seen = records["collected_on"]
    return records.assign(first_seen=seen, last_seen=seen, removed=False)  # no copy of the rest


def repositories_table(records: pd.DataFrame) -> pd.DataFrame:
    """`repositories` from records (topics as lists are sorted and joined with `;`)."""
    joined = _joined(_arrow_column(records["topics"], pa.list_(pa.string())))
    topics = pd.Series(pd.array(joined, dtype=TEXT_DTYPE), index=records.index)
    return typed(records.assign(topics=topics), REPOSITORIES, compact=False)  # records: one array


def _joined(lists: pa.Array) -> pa.Array:
    """Each list's values sorted (by code point) and joined with `;`; none for an empty or
    missing list. By Arrow: a Python list and string per repository took 0.5 s at 250,000."""
    values, rows = pc.list_flatten(lists), pc.list_parent_indices(lists)
    order = pc.sort_indices(pa.table({"row": rows, "value": values}),
                            sort_keys=[("row", "ascending"), ("value", "ascending")])  # fmt: skip
    offsets = pc.subtract(lists.offsets, lists.offsets[0])  # a slice's offsets start past 0
    in_order = pa.ListArray.from_arrays(offsets, values.take(order), mask=lists.is_null())
    empty = pc.equal(pc.list_value_length(lists), 0)
    return pc.if_else(empty, pa.scalar(None, pa.string()), pc.binary_join(in_order, ";"))


def _arrow_column(column: pd.Series, arrow_type: pa.DataType) -> pa.Array:
    """`column` (Arrow-backed, or Python lists and dicts) as one Arrow array of `arrow_type`."""
    values = pa.array(column, type=arrow_type, from_pandas=True)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _entries(column: pd.Series, value_type: pa.DataType) -> tuple[np.ndarray, pa.Array, pa.Array]:
    """(row of each entry, keys, values) of a column of {key: value} maps, in row order."""
    maps = _arrow_column(column, pa.map_(pa.string(), value_type))
    lists = maps.cast(pa.list_(pa.struct([("key", pa.string()), ("value", value_type)])))
    flat = pc.list_flatten(lists)
    rows = np.asarray(pc.list_parent_indices(lists).to_numpy(), dtype=np.intp)
    return rows, flat.field("key"), flat.field("value")


def typed(frame: pd.DataFrame, table: Table, *, compact: bool = True) -> pd.DataFrame:
    """Columns of `table`, in order, cast to the in-memory dtypes, sorted by primary key
    (`key_order`), each column one array (`compact`: the many chunks of a CSV's or a concat's
    columns slow what follows); without `compact`, rows in order already are not copied."""
    frame = frame.reindex(columns=table.columns)
    for name, type_ in table.types().items():
        frame[name] = frame[name].astype(_DTYPES.get(type_, TEXT_DTYPE))
    order = sort_order(frame, list(table.primary_key))
    in_order = not compact and np.array_equal(order, np.arange(len(frame)))
    return (frame if in_order else frame.iloc[order]).reset_index(drop=True)


def sort_order(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """The positions of `frame`'s rows sorted by `keys` (repository keys in `key_order`): the
    stable order of `frame.sort_values(keys, kind="stable", key=key_order)`, missing values last,
    found by Arrow (pandas factorises every text key first: 2 s for `languages` at 250,000
    repositories)."""
    if frame.empty or not keys:
        return np.arange(len(frame))
    return sorted_positions({str(at): _arrow_sort_key(frame[name]) for at, name in enumerate(keys)})


def sorted_positions(keys: Mapping[str, pd.Series | pa.Array]) -> np.ndarray:
    """The positions of the rows sorted by `keys` in turn, ascending and stably (text by code
    point, missing last), as `DataFrame(keys).sort_values(list(keys), kind="stable")` sorts
    them; found by Arrow (pandas makes a Python string of every text key: 1M names, 180 MB)."""
    order = pc.sort_indices(pa.table(dict(keys)), sort_keys=[(name, "ascending") for name in keys])
    return np.asarray(order.to_numpy(), dtype=np.intp)


REPOSITORY_KEYS = ("id", "repository_id")


def key_order(column: pd.Series) -> pd.Series:
    """Sort values of a column: a repository key (`123`, `gitlab:456`) sorts GitHub's first,
    each platform by number (the order of the integer ids before 2.0.0); others as they are."""
    if column.name not in REPOSITORY_KEYS or column.empty:
        return column
    keys = _arrow_sort_key(column).to_pylist()
    return pd.Series(keys, index=column.index, name=column.name, dtype=object)


def _arrow_sort_key(column: pd.Series) -> pa.Array:
    """`key_order` of `column` as an Arrow array: GitHub's keys (digits) a whole column at a
    time, others (`gitlab:456`) one at a time (a Python pass over every key cost 0.7 s at
    250,000 repositories)."""
    if column.name not in REPOSITORY_KEYS or column.empty:
        return pa.array(column, from_pandas=True)
    keys = pa.array(column, from_pandas=True)
    if pa.types.is_large_string(keys.type):
        keys = keys.cast(pa.string())
    elif not pa.types.is_string(keys.type):
        keys = pa.array(column.astype(str).astype(object), from_pandas=True, type=pa.string())
    digits = pc.fill_null(pc.utf8_is_digit(keys), False)
    result = pc.binary_join_element_wise(" ", pc.utf8_lpad(keys, 20, "0"), "")
    others = np.flatnonzero(~as_mask(digits) & as_mask(pc.is_valid(keys)))
    if len(others):
        spelt = [_sort_key(key) for key in keys.take(pa.array(others)).to_pylist()]
        mask = np.zeros(len(keys), dtype=bool)
        mask[others] = True
        result = pc.replace_with_mask(result, pa.array(mask), pa.array(spelt, pa.string()))
    return result


def _sort_key(key: Any) -> Any:
    """`gitlab:456` → `gitlab 000…456`, `123` → ` 000…123` (" " sorts before any letter); a
    missing key stays missing (sorted last)."""
    if not isinstance(key, str):
        return key
    platform, _, number = key.rpartition(":")
    return f"{platform} {number.zfill(20)}"


def has_languages(records: pd.DataFrame) -> pd.Series:
    """Which records carry languages: bytes (GitHub) or shares (GitLab)."""
    known = records["languages"].notna()
    if "language_shares" in records.columns:
        known |= records["language_shares"].notna()
    return known


def languages_table(repositories: pd.DataFrame) -> pd.DataFrame:
    """`languages` rows of records whose `languages` is a map, with shares, and of those whose
    `language_shares` is (GitLab: `share` given, `bytes` empty); a whole column at a time."""
    at, language, size = _entries(repositories["languages"], pa.int64())
    frame = _rows_of(repositories, at, "language", language).assign(
        bytes=size.to_numpy().astype("int64")
    )
    total = frame.groupby("repository_id")["bytes"].transform("sum")
    frame["share"] = (frame["bytes"] / total.where(total > 0)).astype("float64")
    if "language_shares" in repositories.columns:
        at, language, share = _entries(repositories["language_shares"], pa.float64())
        if len(at):
            shares = _rows_of(repositories, at, "language", language).assign(share=share.to_numpy())
            frame = pd.concat([frame, shares], ignore_index=True)
    return typed(frame, LANGUAGES)


def _rows_of(
    repositories: pd.DataFrame, at: np.ndarray, name: str, values: pa.Array
) -> pd.DataFrame:
    """`repository_id`, `full_name` of the records at positions `at`, and `values` as column
    `name`; all still Arrow-backed: no Python object per row (1.6 million of them for
    `languages` and `topics` at 250,000 repositories)."""
    return pd.DataFrame(
        {
            "repository_id": repositories["id"].take(at).reset_index(drop=True),
            "full_name": repositories["full_name"].take(at).reset_index(drop=True),
            name: pd.Series(pd.array(values, dtype=TEXT_DTYPE)),
        }
    )


def topics_table(repositories: pd.DataFrame) -> pd.DataFrame:
    """`topics` rows of records whose `topics` is a list."""
    lists = _arrow_column(repositories["topics"], pa.list_(pa.string()))
    at = np.asarray(pc.list_parent_indices(lists).to_numpy(), dtype=np.intp)
    frame = _rows_of(repositories, at, "topic", pc.list_flatten(lists))
    frame = frame.dropna(subset=["topic"]).drop_duplicates(["repository_id", "topic"])
    return typed(frame, TOPICS)


def timeline_table(repositories: pd.DataFrame) -> pd.DataFrame:
    """Rows per (organisation, creation date) of every row given; top values by `_running_mode`.

    `oshs.history` passes removed repositories too, so the past never shrinks.
    """
    base = repositories.loc[
        repositories["created_at"].notna(), ["organisation", "created_at", "language", "license"]
    ]
    base = base.assign(
        date=base["created_at"].astype(str).str[:10],
        license=base["license"].fillna(NO_LICENSE),
    )
    frame = base.groupby(["organisation", "date"]).size().rename("new_repositories").reset_index()
    frame["cumulative_repositories"] = frame.groupby("organisation")["new_repositories"].cumsum()
    frame["top_language"] = _running_mode(base, "language", frame)
    frame["top_license"] = _running_mode(base, "license", frame)
    return typed(frame, TIMELINE)


def _running_mode(base: pd.DataFrame, column: str, frame: pd.DataFrame) -> np.ndarray:
    """Modal `column` over each organisation's repositories created up to each date of `frame`.

    Most repositories wins; ties go to the alphabetically first value (case-insensitive, then
    code point). Missing values are not counted; a date before any counted value gets NaN.
    Linear-logarithmic: each (organisation, date, value) gets its running count, encoded with
    the tie-break rank into one integer key; the running maximum of that key per organisation
    is the mode, because counts only grow.
    """
    events = base.dropna(subset=[column])
    result = np.full(len(frame), np.nan, dtype=object)
    if events.empty:
        return result
    values = sorted(events[column].unique(), key=lambda v: (v.casefold(), v))
    k = len(values)
    rank = pd.Series(np.arange(k), index=values)
    counts = events.groupby(["organisation", "date", column]).size().rename("n").reset_index()
    running = counts.groupby(["organisation", column])["n"].cumsum()
    counts["key"] = running * k + (k - 1 - rank.reindex(counts[column]).to_numpy())
    best = counts.groupby(["organisation", "date"])["key"].max()
    index = pd.MultiIndex.from_frame(frame[["organisation", "date"]])
    aligned = best.reindex(index).astype("Int64")
    aligned = aligned.groupby(level="organisation").cummax()
    aligned = aligned.groupby(level="organisation").ffill()
    present = aligned.notna().to_numpy()
    keys = aligned[present].to_numpy(dtype="int64")
    result[present] = np.asarray(values, dtype=object)[k - 1 - keys % k]
    return result


def member(values: pd.Series, among: Any) -> pd.Series:
    """`values.isin(among)` for keys (a missing value is never a member), by Arrow's hash set as
    text: pandas made a Python object, or an Arrow scalar, per value (13 s of a
    250,000-repository build)."""
    right = list(among) if isinstance(among, set | frozenset) else among
    found = pc.is_in(
        _as_text(values), value_set=_as_text(pd.Series(right, dtype=object)), skip_nulls=True
    )
    return pd.Series(as_mask(found), index=values.index)


def _as_text(column: pd.Series) -> pa.Array:
    """A column of keys as one Arrow text array (missing values null)."""
    values = pa.array(column, from_pandas=True)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_null(values.type):
        return values.cast(pa.string())
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string()) if pa.types.is_large_string(values.type) else None
    if values is None:
        return pa.array([None if pd.isna(v) else str(v) for v in column], type=pa.string())
    return values
