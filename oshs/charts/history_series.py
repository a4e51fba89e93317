"""The series of the true history (`history_series`: oshs's own totals per observed day, and
each imported source's), shared by the history chart (`oshs.charts.history`) and the website's
chart data; without matplotlib, which only the process that draws loads."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from pandas import DataFrame

from oshs.history import OSHS
from oshs.text import shorten

HISTORY_SERIES = (
    ("repositories", "Repositories"),
    ("stars", "Stars"),
    ("forks", "Forks"),
    ("open_issues", "Open issues"),
)
MIN_COLLECTIONS = 2


@dataclass(frozen=True)
class HistorySeries:
    """One series of the chart: its legend text and its totals per observed day."""

    label: str
    totals: DataFrame  # index: collected_on (YYYY-MM-DD), columns: HISTORY_SERIES, organisations
    own: bool


def has_history(organisation_history: DataFrame) -> bool:
    """True when `organisation_history` holds at least two observed days (a history to draw)."""
    return int(organisation_history["collected_on"].nunique()) >= MIN_COLLECTIONS


def history_series(frame: DataFrame) -> list[HistorySeries]:
    """oshs's own series first (when it has rows), then one per imported source, by name."""
    source = (
        frame["source"].astype("string").fillna(OSHS)
        if "source" in frame.columns
        else pd.Series(OSHS, index=frame.index)
    )
    result = []
    for name in sorted(set(source), key=lambda value: (value != OSHS, value)):
        rows = frame.loc[source == name]
        columns = [column for column, _ in HISTORY_SERIES]
        totals = rows.groupby("collected_on")[columns].sum(min_count=1).sort_index()
        totals["organisations"] = rows.groupby("collected_on")["organisation"].nunique()
        own = name == OSHS
        label = "oshs collections" if own else _imported_label(name, rows)
        result.append(HistorySeries(label, totals, own))
    return result


def _imported_label(source: str, rows: DataFrame) -> str:
    """ "published by owner/name; includes forks; open issues include pull requests"."""
    parts = [f"published by {shorten(source, 60)}"]
    for column, text in (
        ("includes_forks", "includes forks"),
        ("open_issues_include_pull_requests", "open issues include pull requests"),
    ):
        if column in rows.columns and rows[column].astype("boolean").fillna(False).any():
            parts.append(text)
    return "; ".join(parts)
