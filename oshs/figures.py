"""The numbers the charts and the report show, computed once from the published tables.

One definition each, so that a chart, its `<desc>`, the report's findings and its table can
never disagree:

- **current** repositories are those not `removed` at the latest collection (the headline
  count); removed ones stay in the tables but are not counted here;
- **active** means pushed to in the 12 months (365 days) up to the collection date, archived
  repositories excluded; **recent** means pushed in the last 90 days of it; a repository with
  no push date counts as pushed earlier;
- **licensed** means GitHub detected a licence, including one it could not identify
  (`NOASSERTION`, shown as "licence not identified by GitHub"); "no licence" is an empty
  `license`;
- shares are of the current repositories (a language share of bytes is of all bytes).

Every function is a vectorised pandas pass (250,000 repositories in well under a second).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from pandas import DataFrame, Series

from oshs.tables import member

RECENT_DAYS = 90
ACTIVE_DAYS = 365
ACTIVITY = (
    "Pushed in the last 90 days",
    "Pushed 91 days to 12 months ago",
    "Pushed over 12 months ago",
    "Archived",
)
NO_LICENCE = "No licence"
UNIDENTIFIED_LICENCE = "Licence not identified by GitHub"
NO_LANGUAGE = "No language"
OTHER = "Other"
_T = TypeVar("_T")
COMMUNITY_FILES = (
    ("has_readme", "README"),
    ("has_license_file", "LICENSE"),
    ("has_contributing", "CONTRIBUTING"),
    ("has_code_of_conduct", "CODE_OF_CONDUCT"),
    ("has_security_policy", "SECURITY"),
    ("has_citation", "CITATION"),
)


class Figures:
    """The tables of one release and what the charts and the report derive from them, each
    computed once however many charts use it."""

    def __init__(self, tables: Mapping[str, DataFrame], collected_on: str) -> None:
        self.tables = tables
        self.collected_on = collected_on
        self._memo: dict[Hashable, Any] = {}

    def memo(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """`compute()`, once per `key` for these tables: what another module derives from them
        for both the report and the website (`oshs.report.organisation_rows`)."""
        if key not in self._memo:
            self._memo[key] = compute()
        result: _T = self._memo[key]
        return result

    def compute(self) -> Figures:
        """Compute every figure now (before charts are drawn in forked processes)."""
        for name in ("current", "keys", "created", "created_days", "removed", "stats"):
            getattr(self, name)
        return self

    @cached_property
    def current(self) -> DataFrame:
        """The current repositories (`current_repositories`)."""
        return current_repositories(self.tables["repositories"])

    @cached_property
    def keys(self) -> np.ndarray:
        """The case-folded organisation login of each current repository."""
        return self.current["organisation"].astype(str).str.casefold().to_numpy()

    @cached_property
    def created(self) -> Series:
        """The creation day (`YYYY-MM-DD`) of each current repository."""
        return self.current["created_at"].astype("string").str.slice(0, 10)

    @cached_property
    def created_days(self) -> np.ndarray:
        """The creation day of each current repository as `datetime64[D]` (NaT if unknown)."""
        days = pd.to_datetime(self.created, format="%Y-%m-%d", errors="coerce")
        return np.asarray(days.to_numpy(dtype="datetime64[D]"))

    @cached_property
    def removed(self) -> int:
        """How many repositories are removed (`removed_count`)."""
        return removed_count(self.tables["repositories"])

    @cached_property
    def stats(self) -> DataFrame:
        """`organisation_stats` of the current repositories."""
        organisations = self.tables["organisations"]
        return organisation_stats(organisations, self.current, self.collected_on, self.keys)


def figures_of(
    tables: Mapping[str, DataFrame], collected_on: str, figures: Figures | None
) -> Figures:
    """`figures` when given (computed once for several charts), else new ones of `tables`."""
    return figures if figures is not None else Figures(tables, collected_on)


def flag(frame: DataFrame, column: str) -> Series:
    """A boolean column as plain bools, missing as False."""
    return frame[column].astype("boolean").fillna(False).astype(bool)


def current_repositories(repositories: DataFrame) -> DataFrame:
    """The repositories not removed at their organisation's latest collection (the table itself
    when none is: a copy of every repository is held while the outputs are made)."""
    removed = flag(repositories, "removed")
    return repositories.loc[~removed] if removed.any() else repositories


def removed_count(repositories: DataFrame) -> int:
    """How many repositories of the table are removed (seen earlier, gone since)."""
    return int(flag(repositories, "removed").sum())


def cutoff(collected_on: str, days: int) -> str:
    """The date `days` before `collected_on` (`YYYY-MM-DD`): pushed on or after it is within."""
    return (dt.date.fromisoformat(collected_on) - dt.timedelta(days=days)).isoformat()


def activity(repositories: DataFrame, collected_on: str) -> Series:
    """Per repository, its `ACTIVITY` category on `collected_on` (archived first)."""
    pushed = repositories["pushed_at"].astype("string").str.slice(0, 10).fillna("")
    recent = pushed >= cutoff(collected_on, RECENT_DAYS)
    active = pushed >= cutoff(collected_on, ACTIVE_DAYS)
    codes = np.select([flag(repositories, "archived"), recent, active], [3, 0, 1], default=2)
    return Series(pd.Categorical.from_codes(codes, categories=list(ACTIVITY)),
                  index=repositories.index)  # fmt: skip


def is_active(repositories: DataFrame, collected_on: str) -> Series:
    """True for a repository pushed to in the 12 months up to `collected_on`, not archived."""
    return activity(repositories, collected_on).isin(ACTIVITY[:2])


def is_licensed(repositories: DataFrame) -> Series:
    """True when GitHub detected a licence (one it could not identify included)."""
    return repositories["license"].astype("string").fillna("").str.len() > 0


def licence_labels(repositories: DataFrame) -> Series:
    """The licence of each repository in words: its name, "No licence", or "Licence not
    identified by GitHub" (`NOASSERTION`); never an SPDX keyword alone when a name is known."""
    spdx = repositories["license"].astype("string")
    name = repositories["license_name"].astype("string").fillna(spdx)
    labels = name.where(spdx.ne("NOASSERTION").fillna(True), UNIDENTIFIED_LICENCE)
    return labels.fillna(NO_LICENCE).astype(object)


def display_languages(values: Series, groups: Mapping[str, str]) -> Series:
    """Language names with the configured display groups applied; missing stays missing."""
    text = values.astype("string")
    if not groups:
        return text
    return text.map(dict(groups)).astype("string").fillna(text)


def ranked(counts: Series) -> Series:
    """Counts sorted by value (largest first), then by label; integer values."""
    frame = DataFrame({"label": counts.index.astype(str), "count": counts.to_numpy()})
    frame = frame.sort_values(["count", "label"], ascending=[False, True], kind="stable")
    return Series(frame["count"].to_numpy(dtype="int64"), index=frame["label"].tolist())


def top_with_other(counts: Series, top: int, other: str = OTHER) -> Series:
    """The `top` largest of ranked `counts` and the sum of the rest as `other` (when any)."""
    counts = ranked(counts)
    head = counts.iloc[:top]
    rest = int(counts.iloc[top:].sum())
    if rest:
        head = pd.concat([head, Series([rest], index=[other], dtype="int64")])
    return head


def language_counts(current: DataFrame, groups: Mapping[str, str]) -> tuple[Series, int]:
    """Current repositories per primary (display) language, ranked; and those without one."""
    languages = display_languages(current["language"], groups)
    return ranked(languages.dropna().value_counts()), int(languages.isna().sum())


def language_bytes(languages: DataFrame, current: DataFrame, groups: Mapping[str, str]) -> Series:
    """Bytes of code per (display) language over the current repositories, ranked; GitLab's
    projects are not in it (GitLab gives shares, not bytes)."""
    rows = languages.loc[
        member(languages["repository_id"], current["id"]) & languages["bytes"].notna()
    ]
    names = display_languages(rows["language"], groups)
    return ranked(rows["bytes"].astype("int64").groupby(names.to_numpy()).sum())


def topic_counts(topics: DataFrame, current: DataFrame) -> Series:
    """Current repositories per topic, ranked."""
    rows = topics.loc[member(topics["repository_id"], current["id"])]
    return ranked(rows["topic"].astype(str).value_counts())


def created_per_year(days: np.ndarray) -> Series:
    """Repositories per year of creation (`days`: `datetime64[D]`, NaT for unknown), every
    year from the first to the last."""
    known = days[~np.isnat(days)]
    counts = Series(known.astype("datetime64[Y]").astype(int) + 1970).value_counts().sort_index()
    if counts.empty:
        return Series(dtype="int64")
    span = range(int(counts.index.min()), int(counts.index.max()) + 1)
    return counts.reindex(span, fill_value=0).astype("int64")


def organisation_names(organisations: DataFrame) -> dict[str, str]:
    """Display name of each organisation by case-folded login (the login when it has none); a
    GitLab group's says so (`NHS Business Services Authority (GitLab)`): one name may be on
    both platforms."""
    names = {}
    for login, name in zip(organisations["login"], organisations["name"], strict=True):
        shown = str(name) if isinstance(name, str) and name else str(login)
        gitlab = str(login).startswith("gitlab:")
        names[str(login).casefold()] = f"{shown} (GitLab)" if gitlab else shown
    return names


def organisation_stats(
    organisations: DataFrame,
    current: DataFrame,
    collected_on: str,
    keys: np.ndarray | None = None,
) -> DataFrame:
    """One row per organisation (index: case-folded login), most repositories first: `login`,
    `name`, `repositories`, `stars`, `forks`, `archived`, `licensed`, `active`, the
    `ACTIVITY` counts, and per community file the repositories `with` it and `known`. `keys`:
    the case-folded logins of `current`, when known already."""
    if keys is None:
        keys = current["organisation"].astype(str).str.casefold().to_numpy()
    columns = {
        "repositories": np.ones(len(current), dtype="int64"),
        "stars": current["stars"].astype("Int64").fillna(0).astype("int64"),
        "forks": current["forks"].astype("Int64").fillna(0).astype("int64"),
        "archived": flag(current, "archived").astype("int64"),
        "licensed": is_licensed(current).astype("int64"),
    }
    categories = activity(current, collected_on)
    for name in ACTIVITY:
        columns[name] = (categories == name).astype("int64")
    columns["active"] = columns[ACTIVITY[0]] + columns[ACTIVITY[1]]
    for column, _ in COMMUNITY_FILES:
        values = current[column].astype("boolean")
        columns[f"{column}:with"] = values.fillna(False).astype("int64")
        columns[f"{column}:known"] = values.notna().astype("int64")
    sums = DataFrame(columns).set_axis(current.index).groupby(keys).sum()
    logins = {str(login).casefold(): str(login) for login in organisations["login"]}
    index = sorted(set(logins) | set(sums.index))
    frame = sums.reindex(index, fill_value=0).astype("int64")
    names = organisation_names(organisations)
    frame.insert(0, "login", [logins.get(key, key) for key in index])
    frame.insert(1, "name", [names.get(key, logins.get(key, key)) for key in index])
    return frame.sort_values(["repositories", "login"], ascending=[False, True], kind="stable")


def percent(part: float, whole: float, digits: int = 0) -> str:
    """`part` of `whole` as a percentage rounded to `digits` ("35%"); a share that is not 0 or
    100 never rounds to them ("<1%", ">99%"); "–" when `whole` is 0."""
    if not whole:
        return "–"
    value, step = 100 * part / whole, 10.0**-digits
    if 0 < value < step / 2:
        return f"<{step:g}%"
    if 100 - step / 2 <= value < 100:
        return f">{100 - step:g}%"
    return f"{value:.{digits}f}%"


def top_organisations(stats: DataFrame, top: int, *, everyone: bool = False) -> DataFrame:
    """The first `top` rows of `organisation_stats` (most repositories), the rest summed as one
    row "N other organisations" (index `~other`), and with `everyone` a last row "All N
    organisations" (index `~all`)."""
    head = stats.iloc[:top]
    rows = [head]
    numbers = stats.select_dtypes("number").columns
    if len(stats) > top:
        rest = stats.iloc[top:][numbers].sum().to_frame().T
        rest.insert(0, "login", "")
        others = len(stats) - top
        rest.insert(1, "name", f"{others:,} other organisation" + "s" * (others > 1))
        rows.append(rest.set_axis(["~other"]))
    if everyone:
        total = stats[numbers].sum().to_frame().T
        total.insert(0, "login", "")
        total.insert(1, "name", f"All {len(stats):,} organisations")
        rows.append(total.set_axis(["~all"]))
    frame = pd.concat(rows)
    return frame.astype({column: "int64" for column in numbers})
