"""The published package is the state; each collection advances it (SPEC §3.3).

`read_state` reads the previous package (descriptor, CSVs typed by `oshs.schema`, changelog);
`read_collections` the raw snapshots of the dates to apply, normalised;
`advance` applies one collection date to the tables of a state and returns the next tables.
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

from oshs.errors import PackageError, SnapshotError
from oshs.normalise import OrganisationCollection, normalise_snapshot
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
from oshs.snapshot import failed_organisations, read_collection_files
from oshs.state_check import resource_file, verify_state
from oshs.tables import (
    empty_table,
    empty_tables,
    keep_mask,
    languages_table,
    latest_per_login,
    organisations_table,
    read_table,
    repositories_table,
    repository_records,
    seen_on,
    timeline_table,
    topics_table,
    typed,
)

COUNTS = ("stars", "forks", "open_issues", "open_pull_requests")


@dataclass(frozen=True)
class Collection:
    """One collection date: its normalised organisations, the logins that failed, and the API
    URL it was collected from (None for a date whose every organisation failed)."""

    collected_on: str
    organisations: tuple[OrganisationCollection, ...]
    failed: tuple[str, ...] = ()
    api_url: str | None = None


@dataclass(frozen=True)
class State:
    """A published package: its tables (typed), its descriptor and its changelog text."""

    tables: dict[str, DataFrame]
    descriptor: dict[str, Any] = field(default_factory=dict)
    changelog: str = ""

    @property
    def collected_on(self) -> str | None:
        """The newest collection date of the state (`created` of its descriptor)."""
        created = self.descriptor.get("created")
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
    return State(tables, descriptor, changelog.read_text(encoding="utf-8"))


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


def advance(
    tables: Mapping[str, DataFrame] | None,
    organisations: Iterable[OrganisationCollection],
    *,
    collected_on: str,
    include_forks: bool,
    include_archived: bool,
) -> dict[str, DataFrame]:
    """The tables after the collection of `collected_on` (`organisations`) on top of `tables`.

    `tables` are a state's tables (None: no previous package). See the module docstring.
    """
    previous = {**empty_tables(), **(tables or {})}
    kept = latest_per_login(organisations)
    fresh_orgs = organisations_table(kept)
    logins = {login.lower(): login for login in fresh_orgs["login"]}
    previous = _canonical_logins(previous, logins)
    records = repository_records(kept)
    repos, fresh, fresh_table = _repositories(
        previous, records, logins, collected_on, include_forks, include_archived
    )
    stale_ids = repos.loc[~_collected(repos["organisation"], logins), "id"]
    known_languages = fresh.loc[fresh["languages"].notna()]
    return {
        "organisations": _organisations(previous["organisations"], fresh_orgs, logins),
        "repositories": repos,
        "languages": _carry(
            previous["languages"],
            languages_table(known_languages),
            repos["id"],
            known_languages["id"],
            LANGUAGES,
        ),
        "topics": _carry(previous["topics"], topics_table(fresh), repos["id"], fresh["id"], TOPICS),
        "timeline": timeline_table(repos),
        "organisation_history": _organisation_history(
            previous["organisation_history"], repos, logins, collected_on
        ),
        "repository_history": _repository_history(
            previous["repository_history"], fresh_table, stale_ids, collected_on
        ),
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
    return typed(pd.concat([_nonempty(carried, ORGANISATIONS), fresh]), ORGANISATIONS)


def _nonempty(frame: DataFrame, table: Table) -> DataFrame:
    """`frame`, or a typed empty table when it has no rows (keeps `concat` dtypes stable)."""
    return frame if len(frame) else empty_table(table)


def _repositories(
    previous: Mapping[str, DataFrame],
    records: DataFrame,
    logins: Mapping[str, str],
    on: str,
    include_forks: bool,
    include_archived: bool,
) -> tuple[DataFrame, DataFrame, DataFrame]:
    """The next `repositories` table, the records seen that day (with `languages`, lists), and
    those records as `repositories` rows."""
    state = previous["repositories"]
    known = records["id"].isin(state["id"])
    fresh = seen_on(records.loc[keep_mask(records, include_forks, include_archived) | known])
    first = fresh["id"].map(state.set_index("id")["first_seen"])
    fresh["first_seen"] = first.where(first.notna(), fresh["first_seen"])
    rest = state.loc[~state["id"].isin(fresh["id"])]
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
    frames = [_nonempty(rest, REPOSITORIES), _nonempty(fresh_table, REPOSITORIES)]
    return typed(pd.concat(frames), REPOSITORIES), fresh, fresh_table


def _previous_dates(history: DataFrame, on: str) -> pd.Series:
    """Per lower-cased login, its latest collection date before `on`."""
    earlier = history.loc[history["collected_on"] < on]
    return earlier.groupby(earlier["organisation"].str.lower())["collected_on"].max()


def _carry(
    previous: DataFrame, fresh: DataFrame, ids: pd.Series, replaced: pd.Series, table: Table
) -> DataFrame:
    """Rows of `fresh`; the state's rows of repositories in `ids` but not `replaced` are kept."""
    keep = previous["repository_id"].isin(ids) & ~previous["repository_id"].isin(replaced)
    frames = [_nonempty(previous.loc[keep], table), _nonempty(fresh, table)]
    return typed(pd.concat(frames), table)


def _organisation_history(
    previous: DataFrame, repos: DataFrame, logins: Mapping[str, str], on: str
) -> DataFrame:
    """The state's rows (the day's rows of the collected organisations replaced) + today's."""
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
        }
    )
    today = today.reindex(sorted(logins.values()))
    today[["repositories", "archived", "removed"]] = today[
        ["repositories", "archived", "removed"]
    ].fillna(0)
    today = today.rename_axis("organisation").reset_index().assign(collected_on=on)
    frames = [
        _nonempty(previous.loc[~replaced], ORGANISATION_HISTORY),
        typed(today, ORGANISATION_HISTORY),
    ]
    return typed(pd.concat(frames), ORGANISATION_HISTORY)


def _repository_history(
    previous: DataFrame, fresh: DataFrame, stale_ids: pd.Series, on: str
) -> DataFrame:
    """The state's rows (the day's rows replaced) + a row per repository seen whose values changed.

    The day's rows of repositories of organisations not collected (stale) are kept.
    """
    kept = previous.loc[previous["collected_on"].ne(on) | previous["repository_id"].isin(stale_ids)]
    today = fresh.loc[:, ["id", *HISTORY_TRACKED]].rename(columns={"id": "repository_id"})
    today = today.loc[~today["repository_id"].isin(stale_ids)].reset_index(drop=True)
    earlier = kept.loc[kept["collected_on"] < on].sort_values(
        ["repository_id", "collected_on"], kind="stable"
    )
    last = earlier.drop_duplicates("repository_id", keep="last").set_index("repository_id")
    before = last.reindex(today["repository_id"]).reset_index(drop=True)
    changed = ~today["repository_id"].isin(last.index).to_numpy()
    for name in HISTORY_TRACKED:
        now, then = today[name], before[name].astype(today[name].dtype)
        differs = (now != then).fillna(False).astype(bool) | (now.isna() != then.isna())
        changed |= differs.to_numpy()
    today = today.loc[changed].assign(collected_on=on)
    frames = [_nonempty(kept, REPOSITORY_HISTORY), typed(today, REPOSITORY_HISTORY)]
    return typed(pd.concat(frames), REPOSITORY_HISTORY)


def normalised(path: Path, doc: dict[str, Any]) -> OrganisationCollection:
    """`normalise_snapshot(doc)`, its errors naming the snapshot file."""
    try:
        return normalise_snapshot(doc)
    except SnapshotError as error:
        raise SnapshotError(f"{path}: {error.message.removeprefix('snapshot: ')}") from None


def read_collections(
    raw_dir: Path,
    dates: Iterable[str],
    *,
    configured: Iterable[str] = (),
) -> list[Collection]:
    """The collections of `dates` in `raw_dir`, normalised, oldest first.

    `failed` are the logins the date's manifest names as failed, plus the `configured` logins
    without a snapshot; `api_url` is the first snapshot's. A
    date whose every organisation failed (a manifest, no snapshot) gives an empty collection.
    """
    result = []
    for date in sorted(dates):
        folder = Path(raw_dir) / date
        files = read_collection_files(raw_dir, date) if any(folder.glob("*.json.gz")) else []
        docs = [doc for _, doc in files]
        failed = set(failed_organisations(raw_dir, date))  # every manifest, sharded or not
        seen = {str(doc.get("login", "")).lower() for doc in docs}
        failed |= {login for login in configured if login.lower() not in seen}
        api_url = str(docs[0].get("api_url")) if docs else None
        organisations = tuple(normalised(path, doc) for path, doc in files)
        result.append(
            Collection(date, organisations, tuple(sorted(failed, key=str.lower)), api_url)
        )
    return result
