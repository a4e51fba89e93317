"""The published package is the state; each collection advances it (SPEC §3.3).

`read_state` reads the previous package (descriptor, CSVs typed by `oshs.schema`, changelog);
`advance` applies one collection date to the tables of a state and returns the next tables
(`oshs.imported` adds the history a predecessor published).
Everything is a vectorised pandas pass over the tables (near-linear), and pure: the same state
and collection give the same tables, so replaying several dates at once and building one date
at a time on top of the last package give the same bytes.

Rules (each is documented in the data dictionary, `oshs.schema`):

- organisations collected that day replace their rows; any organisation of the state that was
  not collected (it failed, or was not in that run) is carried forward unchanged with
  `stale = true`, with its repositories, and gets no history row that day;
- a repository of a collected organisation that is absent is kept with `removed = true`, its
  last values and `last_seen`; one that comes back is un-removed and keeps its `first_seen`;
- forks and archived repositories enter the tables as configured; once published, a
  repository is tracked while it is seen (e.g. archived later with `include_archived: false`);
- one day is the grain: applying a date already in the state replaces that day's observation
  of the collected organisations (their history rows of that day are recomputed; a repository
  first seen only in the replaced observation is dropped; one seen before and missing from the
  new observation is removed with `last_seen` = its organisation's previous collection date).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pandas import DataFrame

from oshs.background import return_free_memory
from oshs.csvtables import read_table
from oshs.errors import PackageError
from oshs.normalise import OrganisationCollection
from oshs.package import CHANGELOG_NAME
from oshs.schema import (
    HISTORY_TRACKED,
    LANGUAGES,
    ORGANISATION_HISTORY,
    ORGANISATIONS,
    REPOSITORIES,
    REPOSITORY_HISTORY,
    TABLES,
    TOPICS,
    Table,
)
from oshs.state_check import resource_file, verify_state
from oshs.tables import (
    empty_table,
    empty_tables,
    has_languages,
    keep_mask,
    languages_table,
    latest_per_login,
    member,
    organisations_table,
    repositories_table,
    repository_records,
    seen_on,
    timeline_table,
    topics_table,
    typed,
)

COUNTS = ("stars", "forks", "open_issues", "open_pull_requests")
OSHS = "oshs"
"""`source` of oshs's own rows of `organisation_history`."""


@dataclass(frozen=True)
class State:
    """A published package: its tables (typed), its descriptor and its changelog text."""

    tables: dict[str, DataFrame]
    descriptor: dict[str, Any] = field(default_factory=dict)
    changelog: str = ""

    @property
    def collected_on(self) -> str | None:
        """The newest collection date of the state (`created` of its descriptor); None when
        oshs collected nothing yet (a package of imported history only)."""
        created = self.descriptor.get("created")
        organisations = self.tables.get("organisations")
        if organisations is not None and not organisations["id"].notna().any():
            return None
        return created[:10] if isinstance(created, str) else None


def read_state(package_path: Path, out_dir: Path) -> State | None:
    """The previously published package at `package_path`, or None when there is none.

    The package is checked first (`oshs.state_check.verify_state`: hashes, sizes, columns,
    `version`, `created`, the changelog `<out_dir>/CHANGELOG.md`). Resources are found by their
    descriptor paths and read with the types of the current data dictionary (columns the
    previous package lacks are empty; tables it lacks are empty). Raises `PackageError` naming
    the file when the package cannot be read or differs from its descriptor: building from
    scratch, or on a changed state, would lose or falsify the published history.
    """
    package_path = Path(package_path)
    if not package_path.exists():
        return None
    changelog = Path(out_dir) / CHANGELOG_NAME
    try:
        descriptor = json.loads(package_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PackageError(
            f"{package_path}: the previous package cannot be read ({error})",
            hint="restore it (e.g. from git), or move it away to start a new history",
        ) from None
    verify_state(package_path, descriptor, changelog)
    tables = empty_tables()
    for resource in descriptor["resources"]:
        if resource["name"] in TABLES:
            tables[resource["name"]] = read_state_table(package_path, resource)
    return State(_upgraded(tables), descriptor, changelog.read_text(encoding="utf-8"))


def read_state_table(package_path: Path, resource: dict[str, Any]) -> DataFrame:
    """One table of the state, typed; a value of the wrong type is an error naming the file."""
    path = resource_file(package_path, resource)
    try:
        return read_table(path, TABLES[resource["name"]])
    except (OSError, ValueError, TypeError) as error:
        raise PackageError(
            f"{path}: a value does not have its column's type ({error})",
            hint="restore it (e.g. from git), or move the package away to start a new history",
        ) from None


def _upgraded(tables: dict[str, DataFrame]) -> dict[str, DataFrame]:
    """Tables of a package published before `organisation_history` had `source` and its flags:
    those rows are oshs's own, counted open issues without pull requests, and counted forks
    when a fork of the organisation had been seen by then."""
    history = tables["organisation_history"]
    old = history["source"].isna()
    if not old.any():
        return tables
    repositories = tables["repositories"]
    forks = repositories.loc[repositories["fork"].fillna(False).astype(bool)]
    first_fork = forks.groupby(forks["organisation"].str.lower())["first_seen"].min()
    since = history["organisation"].str.lower().map(first_fork)
    counted = (since.notna() & (since.fillna("") <= history["collected_on"])).astype("boolean")
    history = history.assign(
        source=history["source"].mask(old, OSHS),
        includes_forks=history["includes_forks"].mask(old, counted),
        open_issues_include_pull_requests=history["open_issues_include_pull_requests"].mask(
            old, False
        ),
    )
    return {**tables, "organisation_history": typed(history, ORGANISATION_HISTORY)}


def advance(
    tables: Mapping[str, DataFrame] | None,
    organisations: Iterable[OrganisationCollection],
    *,
    collected_on: str,
    include_forks: bool,
    include_archived: bool,
    hand_over: bool = False,
) -> dict[str, DataFrame]:
    """The tables after the collection of `collected_on` (`organisations`) on top of `tables`.

    `tables` are a state's tables (None: no previous package). See the module docstring.
    With `hand_over`, a dict of `tables` and a list of `organisations` are emptied, and each
    table and the records dropped once read, so that the state's tables, the day's records and
    the new tables are not all held at once.
    """
    previous = {**empty_tables(), **(tables or {})}
    kept = latest_per_login(organisations)
    if hand_over:
        for handed in (tables, organisations):
            if isinstance(handed, dict | list):
                handed.clear()
    del previous["timeline"]  # made again from the repositories
    fresh_orgs = organisations_table(kept)
    logins = {login.lower(): login for login in fresh_orgs["login"]}
    previous = _canonical_logins(previous, logins)
    repos, fresh, fresh_table = _repositories(
        previous, kept, logins, collected_on, include_forks, include_archived
    )
    del previous["repositories"], kept
    return_free_memory()  # the records and the state's repositories are freed: hand it back
    day = _day_tables(previous, fresh, repos["id"])
    del fresh  # the day's records: only `fresh_table`, as repository rows, is read from here
    result = {
        "organisations": _organisations(previous.pop("organisations"), fresh_orgs, logins),
        "repositories": repos,
        **day,
        "timeline": timeline_table(repos),
        "organisation_history": _organisation_history(
            previous.pop("organisation_history"), repos, logins, collected_on, include_forks
        ),
    }
    stale_ids = repos.loc[~_collected(repos["organisation"], logins), "id"]
    result["repository_history"] = _repository_history(
        previous.pop("repository_history"), fresh_table, stale_ids, collected_on
    )
    return result


def _day_tables(
    previous: dict[str, DataFrame], fresh: DataFrame, ids: pd.Series
) -> dict[str, DataFrame]:
    """`languages` and `topics`: those of the day's `fresh` records, and the state's rows of
    the other repositories in `ids` (the state's tables are taken out of `previous`)."""
    known_languages = fresh.loc[has_languages(fresh)]
    languages = languages_table(known_languages)
    return {
        "languages": _carry(
            previous.pop("languages"), languages, ids, known_languages["id"], LANGUAGES
        ),
        "topics": _carry(previous.pop("topics"), topics_table(fresh), ids, fresh["id"], TOPICS),
    }


def _collected(organisation: pd.Series, logins: Mapping[str, str]) -> pd.Series:
    """Which rows belong to an organisation collected this time (case-insensitive)."""
    return organisation.str.lower().isin(list(logins)).fillna(False).astype(bool)


def _canonical_logins(
    tables: dict[str, DataFrame], logins: Mapping[str, str]
) -> dict[str, DataFrame]:
    """Rewrite organisation logins of the state to the case GitHub now gives (foreign keys)."""
    result = dict(tables)
    for name, column in (
        ("repositories", "organisation"),
        ("organisation_history", "organisation"),
    ):
        frame = tables[name]
        lower = frame[column].str.lower()
        if (
            frame.empty
            or not (lower.isin(list(logins)) & ~frame[column].isin(logins.values())).any()
        ):
            continue
        renamed = lower.map(logins).fillna(frame[column]).astype(frame[column].dtype)
        result[name] = frame.assign(**{column: renamed})
    return result


def _organisations(previous: DataFrame, fresh: DataFrame, logins: Mapping[str, str]) -> DataFrame:
    """Fresh organisations, plus those of the state not collected, carried with `stale`."""
    carried = previous.loc[~_collected(previous["login"], logins)].assign(stale=True)
    return typed(pd.concat([nonempty(carried, ORGANISATIONS), fresh]), ORGANISATIONS)


def nonempty(frame: DataFrame, table: Table) -> DataFrame:
    """`frame`, or a typed empty table when it has no rows (keeps `concat` dtypes stable)."""
    return frame if len(frame) else empty_table(table)


def _repositories(
    previous: Mapping[str, DataFrame],
    collections: list[OrganisationCollection],
    logins: Mapping[str, str],
    on: str,
    include_forks: bool,
    include_archived: bool,
) -> tuple[DataFrame, DataFrame, DataFrame]:
    """The next `repositories` table, the records of `collections` seen that day (with
    `languages`, lists), and those records as `repositories` rows. `collections` is emptied
    once its records are read (their Arrow tables are freed when no one else holds them)."""
    state = previous["repositories"]
    records = repository_records(collections, hand_over=True)
    known = member(records["id"], state["id"])
    fresh = seen_on(records.loc[keep_mask(records, include_forks, include_archived) | known])
    del records, known  # all the day's records: only those kept (`fresh`) are needed now
    first = fresh["id"].map(state.set_index("id")["first_seen"])
    fresh["first_seen"] = first.where(first.notna(), fresh["first_seen"])
    rest = state.loc[~member(state["id"], fresh["id"])]
    absent = _collected(rest["organisation"], logins)
    rest = rest.loc[~(absent & rest["first_seen"].eq(on))]  # seen only in a replaced observation
    absent = _collected(rest["organisation"], logins)
    rest = rest.assign(removed=rest["removed"].mask(absent, True))
    redo = absent & rest["last_seen"].eq(on)
    if redo.any():
        before = _previous_dates(previous["organisation_history"], on)
        dates = rest.loc[redo, "organisation"].str.lower().map(before)
        dates = dates.where(dates.notna(), rest.loc[redo, "first_seen"])
        rest = rest.assign(last_seen=rest["last_seen"].mask(redo, dates))
    fresh_table = repositories_table(fresh)
    frames = [nonempty(rest, REPOSITORIES), nonempty(fresh_table, REPOSITORIES)]
    return typed(pd.concat(frames), REPOSITORIES), fresh, fresh_table


def _previous_dates(history: DataFrame, on: str) -> pd.Series:
    """Per lower-cased login, its latest collection date by oshs before `on`."""
    earlier = history.loc[(history["collected_on"] < on) & history["source"].eq(OSHS)]
    return earlier.groupby(earlier["organisation"].str.lower())["collected_on"].max()


def _carry(
    previous: DataFrame, fresh: DataFrame, ids: pd.Series, replaced: pd.Series, table: Table
) -> DataFrame:
    """Rows of `fresh` (typed by `table`); the state's rows of repositories in `ids` but not
    `replaced` are kept."""
    keep = member(previous["repository_id"], ids) & ~member(previous["repository_id"], replaced)
    if not keep.any():
        return fresh  # typed already (`languages_table`, `topics_table`): not sorted again
    frames = [nonempty(previous.loc[keep], table), nonempty(fresh, table)]
    return typed(pd.concat(frames), table)


def _organisation_history(
    previous: DataFrame, repos: DataFrame, logins: Mapping[str, str], on: str, include_forks: bool
) -> DataFrame:
    """The state's rows (the day's rows of the collected organisations replaced, imported ones
    included: oshs's own observation wins) + today's."""
    replaced = previous["collected_on"].eq(on) & _collected(previous["organisation"], logins)
    mine = repos.loc[_collected(repos["organisation"], logins)]
    live = mine.loc[~mine["removed"].astype(bool)]
    grouped = live.groupby("organisation")
    today = DataFrame(
        {
            "repositories": grouped.size(),
            **{name: grouped[name].sum(min_count=1) for name in COUNTS},
            "archived": grouped["archived"].sum(),
            "removed": mine.loc[mine["removed"].astype(bool)].groupby("organisation").size(),
            "includes_forks": grouped["fork"].any(),
        }
    )
    today = today.reindex(sorted(logins.values()))
    today[["repositories", "archived", "removed"]] = today[
        ["repositories", "archived", "removed"]
    ].fillna(0)
    forks = today["includes_forks"].astype("boolean").fillna(False) | include_forks
    today = today.rename_axis("organisation").reset_index()
    today = today.assign(collected_on=on, source=OSHS, includes_forks=forks.to_numpy(),
                         open_issues_include_pull_requests=False)  # fmt: skip
    frames = [
        nonempty(previous.loc[~replaced], ORGANISATION_HISTORY),
        typed(today, ORGANISATION_HISTORY),
    ]
    return typed(pd.concat(frames), ORGANISATION_HISTORY)


def _repository_history(
    previous: DataFrame, fresh: DataFrame, stale_ids: pd.Series, on: str
) -> DataFrame:
    """The state's rows (the day's rows replaced) + a row per repository seen whose values changed.

    The day's rows of repositories of organisations not collected (stale) are kept.
    """
    kept = previous.loc[
        previous["collected_on"].ne(on) | member(previous["repository_id"], stale_ids)
    ]
    today = fresh.loc[:, ["id", *HISTORY_TRACKED]].rename(columns={"id": "repository_id"})
    today = today.loc[~member(today["repository_id"], stale_ids)].reset_index(drop=True)
    earlier = kept.loc[kept["collected_on"] < on].sort_values(
        ["repository_id", "collected_on"], kind="stable"
    )
    last = earlier.drop_duplicates("repository_id", keep="last").set_index("repository_id")
    before = last.reindex(today["repository_id"]).reset_index(drop=True)
    changed = ~member(today["repository_id"], last.index.to_series()).to_numpy()
    for name in HISTORY_TRACKED:
        now, then = today[name], before[name].astype(today[name].dtype)
        differs = (now != then).fillna(False).astype(bool) | (now.isna() != then.isna())
        changed |= differs.to_numpy()
    today = today.loc[changed].assign(collected_on=on)
    frames = [nonempty(kept, REPOSITORY_HISTORY), typed(today, REPOSITORY_HISTORY)]
    return typed(pd.concat(frames), REPOSITORY_HISTORY)
