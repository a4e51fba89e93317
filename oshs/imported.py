"""Imported history as state: the observations a predecessor published (`oshs.legacy`) merged
into the tables of a state (`merge_imported`); oshs's own observation wins a shared day."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from pandas import DataFrame

from oshs.history import nonempty
from oshs.schema import ORGANISATION_HISTORY, ORGANISATIONS
from oshs.tables import empty_tables, platform_of, typed


def merge_imported(
    tables: Mapping[str, DataFrame],
    imported: DataFrame,
    *,
    source: str,
    names: Mapping[str, str | None],
) -> dict[str, DataFrame]:
    """The tables with the observations `imported` from predecessor `source` (owner/name).

    `imported`: `collected_on`, `organisation` (a configured login), `repositories`, `stars`,
    `forks`, `open_issues`. They enter `organisation_history` with `source`, both method flags
    true and the counts the predecessor lacks empty. Rows of `source` of the same organisation
    and day are replaced (the same import twice changes nothing); a row from oshs or another
    source that day wins. An organisation not in `organisations` gets a row there (its `names`
    entry, stale, `collected_on` its last imported day) until oshs collects it.
    """
    result = {**empty_tables(), **tables}
    canonical = {login.lower(): login for login in result["organisations"]["login"]}
    rows = imported.assign(
        organisation=[canonical.get(login.lower(), login) for login in imported["organisation"]],
        source=source, includes_forks=True, open_issues_include_pull_requests=True,
    )  # fmt: skip
    history = result["organisation_history"]
    ours = history["source"].eq(source) & _day_keys(history).isin(set(_day_keys(rows)))
    kept = history.loc[~ours]
    rows = rows.loc[~_day_keys(rows).isin(set(_day_keys(kept)))]
    merged = typed(
        pd.concat([nonempty(kept, ORGANISATION_HISTORY), typed(rows, ORGANISATION_HISTORY)]),
        ORGANISATION_HISTORY,
    )
    organisations = _with_imported(result["organisations"], merged, names)
    return {**result, "organisation_history": merged, "organisations": organisations}


def _day_keys(frame: DataFrame) -> pd.Series:
    """`collected_on` + lower-cased `organisation` of each row (one observation per key)."""
    return frame["collected_on"].astype(str) + " " + frame["organisation"].str.lower()


def _with_imported(
    organisations: DataFrame, history: DataFrame, names: Mapping[str, str | None]
) -> DataFrame:
    """`organisations` with a row for each organisation of `history` that oshs never collected
    (no GitHub `id`): its name, `stale`, and its last observed day as `collected_on`."""
    collected = organisations.loc[organisations["id"].notna()]
    missing = history.loc[~history["organisation"].str.lower().isin(collected["login"].str.lower())]
    last = missing.groupby("organisation")["collected_on"].max()
    by_key = {login.lower(): name for login, name in names.items()}
    rows = DataFrame({
        "login": last.index, "collected_on": last.to_numpy(), "stale": True,
        "name": [by_key.get(login.lower()) or login for login in last.index],
        "platform": platform_of(last.index.to_series()).to_numpy(),
    })  # fmt: skip
    frames = [nonempty(collected, ORGANISATIONS), typed(rows, ORGANISATIONS)]
    return typed(pd.concat(frames), ORGANISATIONS)
