"""Which repositories a new version adds, removes and archives: one definition for the
changelog (`oshs.release`, on the tables) and for `oshs publish` (on the published CSV texts in
git, its commit message and result)."""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd
from pandas import DataFrame

from oshs.tables import member, sorted_positions

COLUMNS = ["id", "organisation", "full_name", "removed", "archived"]
"""The columns of `repositories` the comparison reads."""


def compared_tables(tables: Mapping[str, DataFrame]) -> dict[str, DataFrame]:
    """What `repository_changes` reads of a release's tables (the `COLUMNS` of repositories):
    all a replay keeps of the previous release once the next one's tables are built."""
    return {"repositories": tables["repositories"][COLUMNS]}


def repository_changes(previous: DataFrame, current: DataFrame) -> DataFrame:
    """Per repository that changed: `organisation`, `full_name`, `kind` (added/removed/archived).

    Added: published and not removed now, but absent or removed before (so a repository that
    comes back counts as added). Removed: published and not removed before, and now removed or
    gone from the table. Archived: archived now and not before, among repositories published
    before and not removed.
    """
    old_removed = previous["removed"].astype(bool)
    live_before = previous.loc[~old_removed]
    was_live = member(current["id"], live_before["id"])
    archived_before = previous["archived"].astype("boolean").fillna(False).astype(bool)
    was_archived = member(current["id"], previous.loc[archived_before, "id"])
    removed = current["removed"].astype(bool)
    archived = current["archived"].astype("boolean").fillna(False).astype(bool)
    kinds = pd.Series(pd.NA, index=current.index, dtype="string")
    kinds = kinds.mask(~removed & ~was_live, "added")
    kinds = kinds.mask(removed & was_live, "removed")
    kinds = kinds.mask(~removed & was_live & archived & ~was_archived, "archived")
    frame = current.loc[kinds.notna(), ["organisation", "full_name"]].assign(kind=kinds.dropna())
    gone = live_before.loc[~member(live_before["id"], current["id"]), ["organisation", "full_name"]]
    if len(gone):
        frame = pd.concat([frame, gone.assign(kind="removed")], ignore_index=True)
    order = sorted_positions({name: frame[name] for name in ("organisation", "kind", "full_name")})
    return frame.iloc[order]


def read_repositories(text: str | None) -> DataFrame:
    """The `COLUMNS` of a published repositories.csv text, as text and booleans (a name-less
    row is named by its id); empty when there is no text."""
    if not text:
        return DataFrame({name: pd.Series(dtype=object) for name in COLUMNS})
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    frame = frame.reindex(columns=COLUMNS, fill_value="")
    frame = frame.loc[frame["id"].ne("")]
    named = frame["full_name"].where(frame["full_name"].ne(""), frame["id"])
    return frame.assign(
        full_name=named, removed=frame["removed"].eq("true"), archived=frame["archived"].eq("true")
    )


def added_and_removed(old_text: str | None, new_text: str | None) -> tuple[list[str], list[str]]:
    """Full names of the repositories added and removed between two repositories.csv texts."""
    changes = repository_changes(read_repositories(old_text), read_repositories(new_text))
    added = changes.loc[changes["kind"].eq("added"), "full_name"]
    removed = changes.loc[changes["kind"].eq("removed"), "full_name"]
    return sorted(added), sorted(removed)
