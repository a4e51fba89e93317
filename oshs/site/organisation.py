"""What the page of each organisation shows: its figures, its charts (as tables with a bar in
each row, drawn by CSS: readable as a table, no image to describe) and every repository.

All organisations are computed together, one grouped pass per figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from markupsafe import Markup
from pandas import DataFrame, Series

from oshs.figures import ACTIVITY, COMMUNITY_FILES, Figures, percent
from oshs.report import https_target, is_missing
from oshs.site.rows import rows_by_organisation
from oshs.text import one_line

TOP_LANGUAGES = 10


@dataclass(frozen=True)
class BarTable:
    """A small chart as a table: caption, the label column's heading, and rows of (label,
    count as text, bar width in percent of the largest)."""

    caption: str
    label: str
    rows: list[tuple[str, str, float]]


def bars(caption: str, label: str, counts: Mapping[Any, int]) -> BarTable:
    """A `BarTable` of `counts` in their order."""
    largest = max(counts.values(), default=0) or 1
    rows = [(one_line(name), f"{int(count):,}", round(100 * int(count) / largest, 1))
            for name, count in counts.items()]  # fmt: skip
    return BarTable(caption, label, rows)


def _grouped(keys: Series, values: Series) -> dict[str, dict[Any, int]]:
    """Counts of `values` per key (of the same index), most first then by value (missing
    values left out); counted as the columns are, not as a million Python strings."""
    frame = DataFrame({"key": keys, "value": values}).dropna()
    counts = frame.groupby(["key", "value"]).size().reset_index(name="count")
    counts = counts.sort_values(["key", "count", "value"], ascending=[True, False, True],
                                kind="stable")  # fmt: skip
    result: dict[str, dict[Any, int]] = {}
    for key, value, count in counts.itertuples(index=False, name=None):
        result.setdefault(str(key), {})[value] = int(count)
    return result


def _years(figures: Figures) -> dict[str, dict[Any, int]]:
    """Current repositories created per year, per organisation, in year order."""
    days = figures.created_days
    years = Series(np.where(np.isnat(days), -1, days.astype("datetime64[Y]").astype(int) + 1970))
    frame = DataFrame({"key": figures.keys, "year": years.to_numpy()})
    frame = frame.loc[frame["year"] >= 0]
    result: dict[str, dict[Any, int]] = {}
    for (key, year), count in frame.groupby(["key", "year"]).size().items():  # sorted
        result.setdefault(str(key), {})[str(year)] = int(count)
    return result


def _figures(stats: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The headline figures of one organisation, as (what, value)."""
    total = int(stats["repositories"])
    items = [("Current public repositories", f"{total:,}"),
             ("Stars", f"{int(stats['stars']):,}"), ("Forks", f"{int(stats['forks']):,}"),
             ("Archived", f"{int(stats['archived']):,}"),
             ("Licensed", percent(int(stats["licensed"]), total)),
             ("Active (pushed in the last 12 months, not archived)",
              percent(int(stats["active"]), total))]  # fmt: skip
    for column, name in COMMUNITY_FILES:
        known = int(stats[f"{column}:known"])
        if known:
            items.append((f"With {name}", percent(int(stats[f"{column}:with"]), known)))
    return items


def _record(organisations: DataFrame) -> dict[str, dict[str, Any]]:
    """The row of `organisations` of each organisation, by case-folded login."""
    return {str(row["login"]).casefold(): row for row in organisations.to_dict("records")}


def _about(record: Mapping[str, Any]) -> dict[str, Any]:
    """An organisation's own words and links, cleaned (https links only)."""

    def text(column: str) -> str:
        value = record.get(column)
        return "" if is_missing(value) else one_line(value)

    stale = record.get("stale")
    gitlab = record.get("platform") == "gitlab"
    return {"description": text("description"), "location": text("location"),
            "host": "GitLab" if gitlab else "GitHub",
            "handle": text("login").removeprefix("gitlab:"),
            "github": https_target(record.get("html_url")), "website": https_target(
                record.get("website")), "website_text": text("website"),
            "stale": stale is True or str(stale).lower() == "true",
            "collected": text("collected_on")}  # fmt: skip


def organisation_contexts(
    figures: Figures,
    rows: DataFrame,
    tables: Mapping[str, DataFrame],
    groups: Mapping[str, str],
) -> dict[str, dict[str, Any]]:
    """The template context of each organisation's page by case-folded login: `about`,
    `figures`, `bars`, `count` and `rows_html` (its repositories' table rows, `oshs.site.rows`)."""
    current = ~rows["removed"].to_numpy()  # a mask: not a copy of every row
    languages = _grouped(rows["key"].loc[current], rows["language"].loc[current].replace("", None))
    years = _years(figures)
    stats = figures.stats.to_dict("index")
    records = _record(tables["organisations"])
    grouped = rows_by_organisation(rows)
    contexts = {}
    for key, record in records.items():
        own = stats.get(key)
        charts = []
        if own is not None and int(own["repositories"]):
            top = dict(list(languages.get(key, {}).items())[:TOP_LANGUAGES])
            charts = [bars("Current repositories by primary language (the first ten)",
                           "Language", top),
                      bars("Current repositories by last push", "Activity",
                           {name: int(own[name]) for name in ACTIVITY}),
                      bars("Current repositories by year of creation", "Year",
                           years.get(key, {}))]  # fmt: skip
        count, html = grouped.get(key, (0, Markup("")))
        contexts[key] = {"about": _about(record), "figures": _figures(own) if own else [],
                         "bars": charts, "count": count, "rows_html": html}  # fmt: skip
    return contexts
