"""An observation of a day older than the state's newest, merged into the history in date order.

Publishers race, and a collection can be built late: a day may reach the package after a newer
one was published. It is never dropped. `merge_day` applies the collection of an older day `D`
to the tables of a state, per organisation:

- an organisation whose history already holds `D` is left as it is (the day is published);
- one whose newest observation is older than `D` (or that the state lacks) is advanced as
  `oshs.history.advance` does, then flagged stale: the package's newest date is later;
- one observed after `D` gets `D` inserted in its history, as an in-order replay would have
  written it:
  - `organisation_history`: the row of `D` (its live repositories and their sums; `removed`
    counts the repositories seen before `D` and not on `D`), and, on each later row, one more
    `removed` per repository seen on `D` that those days had not seen yet;
  - `repositories`: a repository seen only on `D` is added, removed, first and last seen on
    `D`; `first_seen` becomes `D` where `D` is earlier; one last seen before `D` takes the values
    of `D` (its latest observation) and `last_seen = D`; newer values are never replaced;
  - `languages` and `topics` of the repositories whose values came from `D`;
  - `repository_history`: a row on `D` when its values differ from the row before; the row
    after `D` is dropped when it no longer records a change, and when the values of `D` differ
    from the earlier ones, the next day the repository was observed (while it was present)
    gets a row with those earlier values back.

Observation days of a repository are taken to be its organisation's collection days from
`first_seen` to `last_seen` (a repository that went away and came back in between is the one
case where the merged history may differ from an in-order replay).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from pandas import DataFrame

from oshs.history import COUNTS, OSHS, advance
from oshs.normalise import OrganisationCollection
from oshs.schema import (
    HISTORY_TRACKED,
    LANGUAGES,
    ORGANISATION_HISTORY,
    ORGANISATIONS,
    REPOSITORIES,
    REPOSITORY_HISTORY,
    TOPICS,
)
from oshs.tables import (
    has_languages,
    keep_mask,
    languages_table,
    latest_per_login,
    member,
    repositories_table,
    repository_records,
    seen_on,
    timeline_table,
    topics_table,
    typed,
)


def merge_day(
    tables: Mapping[str, DataFrame],
    organisations: Iterable[OrganisationCollection],
    *,
    collected_on: str,
    include_forks: bool,
    include_archived: bool,
) -> dict[str, DataFrame]:
    """The tables of a state with the older collection of `collected_on` merged in (above)."""
    history = tables["organisation_history"]
    history = history.loc[history["source"].eq(OSHS)]  # imported days give way to oshs's own
    held = history.groupby(history["organisation"].str.lower())["collected_on"]
    newest, days = held.max().to_dict(), held.agg(set).to_dict()
    fresh = [
        c for c in latest_per_login(organisations) if collected_on not in days.get(_key(c), ())
    ]
    ahead = [c for c in fresh if newest.get(_key(c), "") < collected_on]
    behind = [c for c in fresh if newest.get(_key(c), "") > collected_on]
    result = dict(tables)
    if ahead:
        result = _advance_stale(result, ahead, collected_on, include_forks, include_archived)
    if behind:
        records = repository_records(behind)
        known = member(records["id"], result["repositories"]["id"])
        records = seen_on(records.loc[keep_mask(records, include_forks, include_archived) | known])
        logins = {c.organisation["login"].lower() for c in behind}
        result = _insert(result, records, logins, collected_on, include_forks)
    return result


def _key(collection: OrganisationCollection) -> str:
    return str(collection.organisation["login"]).lower()


def _advance_stale(
    tables: dict[str, DataFrame],
    collections: list[OrganisationCollection],
    on: str,
    include_forks: bool,
    include_archived: bool,
) -> dict[str, DataFrame]:
    """`advance` for organisations last seen before `on`, every stale flag as it should be."""
    before = tables["organisations"].set_index(tables["organisations"]["login"].str.lower())
    result = advance(
        tables, collections, collected_on=on, include_forks=include_forks,
        include_archived=include_archived,
    )  # fmt: skip
    organisations = result["organisations"]
    lower = organisations["login"].str.lower()
    advanced = lower.isin([_key(c) for c in collections])
    kept = lower.map(before["stale"]).astype("boolean")
    stale = kept.where(~advanced, True).fillna(True)
    result["organisations"] = typed(organisations.assign(stale=stale), ORGANISATIONS)
    return result


def _insert(
    tables: dict[str, DataFrame], records: DataFrame, logins: set[str], on: str, forks: bool
) -> dict[str, DataFrame]:
    """Insert the observation `records` of organisations `logins` on `on` (see the module)."""
    state = tables["repositories"]
    old = state.set_index("id")[["first_seen", "last_seen"]]
    repos, refreshed = _repositories(state, records, on)
    history = tables["organisation_history"]
    org_days = _organisation_days(history, logins)
    return {
        **tables,
        "repositories": repos,
        "languages": _replace(tables["languages"], languages_table(
            records.loc[member(records["id"], refreshed) & has_languages(records)]
        ), refreshed, LANGUAGES),
        "topics": _replace(tables["topics"], topics_table(
            records.loc[member(records["id"], refreshed)]
        ), refreshed, TOPICS),
        "timeline": timeline_table(repos),
        "organisation_history": _organisation_history(
            history, state, records, old, logins, on, forks
        ),
        "repository_history": _repository_history(
            tables["repository_history"], records, old, org_days, on
        ),
    }  # fmt: skip


def _repositories(state: DataFrame, records: DataFrame, on: str) -> tuple[DataFrame, pd.Series]:
    """The next `repositories`, and the ids whose values now come from `on`."""
    fresh = repositories_table(records)
    known = member(fresh["id"], state["id"])
    added = fresh.loc[~known].assign(removed=True)
    by_id = state.set_index("id")
    last_seen = fresh["id"].map(by_id["last_seen"]).astype("string")
    stale = fresh.loc[known & last_seen.lt(on).fillna(False).astype(bool)]
    stale = stale.assign(first_seen=stale["id"].map(by_id["first_seen"]), removed=True)
    rows = state.loc[~member(state["id"], stale["id"])]
    seen = member(rows["id"], fresh["id"])
    rows = rows.assign(first_seen=rows["first_seen"].mask(seen & rows["first_seen"].gt(on), on))
    frames = [frame for frame in (rows, stale, added) if len(frame)]
    repos = typed(pd.concat(frames) if frames else state, REPOSITORIES)
    return repos, pd.concat([added["id"], stale["id"]])


def _replace(previous: DataFrame, fresh: DataFrame, ids: pd.Series, table: Any) -> DataFrame:
    """`previous` with the rows of repositories `ids` replaced by `fresh`."""
    kept = previous.loc[~member(previous["repository_id"], ids)]
    frames = [frame for frame in (kept, fresh) if len(frame)]
    return typed(pd.concat(frames) if frames else previous, table)


def _organisation_days(history: DataFrame, logins: set[str]) -> dict[str, list[str]]:
    """Per lower-cased login of `logins`, its collection days, sorted."""
    mine = history.loc[history["organisation"].str.lower().isin(logins)]
    grouped = mine.groupby(mine["organisation"].str.lower())["collected_on"]
    return {login: sorted(days) for login, days in grouped}


def _organisation_history(
    history: DataFrame,
    state: DataFrame,
    records: DataFrame,
    old: DataFrame,
    logins: set[str],
    on: str,
    include_forks: bool,
) -> DataFrame:
    """The state's rows (imported ones of `on` replaced: oshs's own observation wins), later
    `removed` counts corrected, and the rows of `on`."""
    canonical = {login.lower(): login for login in history["organisation"]}
    lower = records["organisation"].str.lower()
    first = records["id"].map(old["first_seen"]).astype("string").fillna("9999-12-31")
    grouped = records.groupby(lower)
    known = state.loc[state["organisation"].str.lower().isin(logins) & state["first_seen"].lt(on)]
    gone = known.loc[~member(known["id"], records["id"])]
    today = DataFrame(
        {
            "repositories": grouped.size(),
            **{name: grouped[name].sum(min_count=1) for name in COUNTS},
            "archived": grouped["archived"].sum(),
            "removed": gone.groupby(gone["organisation"].str.lower()).size(),
            "includes_forks": grouped["fork"].any(),
        }
    ).reindex(sorted(logins))
    today[["repositories", "archived", "removed"]] = today[
        ["repositories", "archived", "removed"]
    ].fillna(0)
    forks = today["includes_forks"].astype("boolean").fillna(False) | include_forks
    today = today.assign(includes_forks=forks, source=OSHS, open_issues_include_pull_requests=False)
    today = today.rename(index=canonical).rename_axis("organisation").reset_index()
    mine = history["organisation"].str.lower().isin(logins)
    history = history.loc[~(mine & history["collected_on"].eq(on))]  # an imported row of `on`
    mine = history["organisation"].str.lower().isin(logins)
    later = mine & history["collected_on"].gt(on) & history["source"].eq(OSHS)
    extra = [
        int((first[lower == row_login.lower()] > day).sum())
        for row_login, day in zip(
            history.loc[later, "organisation"], history.loc[later, "collected_on"], strict=True
        )
    ]
    corrected = history.copy()
    corrected.loc[later, "removed"] = corrected.loc[later, "removed"] + extra
    frames = [corrected, typed(today.assign(collected_on=on), ORGANISATION_HISTORY)]
    return typed(pd.concat(frames), ORGANISATION_HISTORY)


def _repository_history(
    history: DataFrame,
    records: DataFrame,
    old: DataFrame,
    org_days: dict[str, list[str]],
    on: str,
) -> DataFrame:
    """The state's change rows with the observation of `on` inserted (see the module)."""
    ordered = history.sort_values(["repository_id", "collected_on"], kind="stable")
    rows = {key: group for key, group in ordered.groupby("repository_id")}
    added: list[dict[str, Any]] = []
    dropped: list[tuple[int, str]] = []
    for record in records.itertuples(index=False):
        now = {name: getattr(record, name) for name in HISTORY_TRACKED}
        mine = rows.get(record.id)
        before = mine.loc[mine["collected_on"].lt(on)] if mine is not None else None
        after = mine.loc[mine["collected_on"].gt(on)] if mine is not None else None
        previous = _values(before.iloc[-1]) if before is not None and len(before) else None
        following = after.iloc[0] if after is not None and len(after) else None
        if previous is not None and _same(now, previous):
            continue
        added.append({"collected_on": on, "repository_id": record.id, **now})
        then = None
        if previous is not None:
            days = org_days.get(str(record.organisation).lower(), [])
            last = old["last_seen"].get(record.id)
            then = next((day for day in days if on < day and (last is None or day <= last)), None)
        if then is not None and (following is None or then < following["collected_on"]):
            added.append({"collected_on": then, "repository_id": record.id, **(previous or {})})
        elif following is not None and _same(now, _values(following)):
            dropped.append((record.id, following["collected_on"]))
    keep = ~pd.Series(list(zip(history["repository_id"], history["collected_on"], strict=True)),
                      index=history.index, dtype=object).isin(dropped)  # fmt: skip
    frames = [history.loc[keep]]
    if added:
        frames.append(typed(DataFrame(added), REPOSITORY_HISTORY))
    return typed(pd.concat(frames), REPOSITORY_HISTORY)


def _values(row: pd.Series) -> dict[str, Any]:
    return {name: row[name] for name in HISTORY_TRACKED}


def _same(one: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Equal values, a missing value equal only to a missing value."""
    for name in HISTORY_TRACKED:
        a, b = one[name], other[name]
        if pd.isna(a) or pd.isna(b):
            if not (pd.isna(a) and pd.isna(b)):
                return False
        elif a != b:
            return False
    return True
