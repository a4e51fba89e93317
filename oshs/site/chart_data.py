"""The data table beside each chart on the website: the figures the chart draws, from the
same `oshs.figures` definitions, so a reader without the image (or without sight) has them.

Each function returns a `DataTable` of text cells (numbers formatted, GitHub text made
`one_line`); the templates escape them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
from markupsafe import Markup, escape
from pandas import DataFrame

from oshs.charts.history_series import history_series
from oshs.figures import (
    ACTIVITY,
    COMMUNITY_FILES,
    Figures,
    created_per_year,
    language_counts,
    licence_labels,
    percent,
    ranked,
    topic_counts,
)
from oshs.text import one_line

TOP_ROWS = 30  # rows of a long ranking (languages, topics) shown beside a chart


@dataclass(frozen=True)
class DataTable:
    """A table of text cells: caption, column headings, rows; `numeric` columns align right."""

    caption: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    numeric: tuple[bool, ...]

    def body(self) -> Markup:
        """The rows as `<tr>` elements, every cell escaped (`markupsafe.escape`, as the
        templates' autoescape): a template loop over the cells of a long history is slow."""
        cell, numeric = '<td class="nhsuk-table__cell', " nhsuk-table__cell--numeric"
        starts = [f'{cell}{numeric if right else ""}">' for right in self.numeric[1:]]
        head = '<tr class="nhsuk-table__row"><th scope="row" class="nhsuk-table__cell">'
        lines = []
        for first, *cells in self.rows:
            inner = "".join(f"{start}{escape(text)}</td>"
                            for start, text in zip(starts, cells, strict=True))  # fmt: skip
            lines.append(f"{head}{escape(first)}</th>{inner}</tr>")
        return Markup("\n".join(lines))


def _counts_table(caption: str, label: str, counts: Mapping[str, int], total: int) -> DataTable:
    """A ranking: label, repositories, share of `total`."""
    rows: list[tuple[str, ...]] = [(one_line(name), f"{int(count):,}", percent(int(count), total))
            for name, count in counts.items()]  # fmt: skip
    return DataTable(caption, (label, "Repositories", "Share"), rows, (False, True, True))


def years_table(figures: Figures) -> DataTable:
    """Repositories created per year (current ones) and their running total."""
    per_year = created_per_year(figures.created_days)
    running = np.cumsum(per_year.to_numpy()) if len(per_year) else np.array([], dtype="int64")
    rows: list[tuple[str, ...]] = [(str(year), f"{int(count):,}", f"{int(total):,}")
            for (year, count), total in zip(per_year.items(), running, strict=True)]  # fmt: skip
    return DataTable("Current repositories by year of creation, and the running total",
                     ("Year", "Created", "Running total"), rows, (False, True, True))  # fmt: skip


def languages_table(figures: Figures, groups: Mapping[str, str]) -> DataTable:
    """Current repositories per primary language (the leading `TOP_ROWS`)."""
    counts, without = language_counts(figures.current, groups)
    caption = f"Current repositories by primary language (the first {TOP_ROWS} at most)"
    table = _counts_table(caption, "Language", counts.iloc[:TOP_ROWS].to_dict(),
                          len(figures.current))  # fmt: skip
    table.rows.append(("No language", f"{without:,}", percent(without, len(figures.current))))
    return table


def licences_table(figures: Figures) -> DataTable:
    """Current repositories per licence, in words."""
    counts = ranked(licence_labels(figures.current).value_counts())
    return _counts_table("Current repositories by licence", "Licence", counts.to_dict(),
                         len(figures.current))  # fmt: skip


def topics_table(figures: Figures, top: int | None = TOP_ROWS) -> DataTable:
    """Current repositories per topic (the leading `top`, or all)."""
    topics = figures.tables["topics"]
    counts = figures.memo("topic_counts", lambda: topic_counts(topics, figures.current))
    counts = counts if top is None else counts.iloc[:top]
    what = "every topic" if top is None else f"the first {top} at most"
    return _counts_table(f"Current repositories by topic ({what})", "Topic",
                         counts.to_dict(), len(figures.current))  # fmt: skip


def organisations_table(figures: Figures) -> DataTable:
    """Per organisation: current repositories, archived, stars, forks."""
    rows: list[tuple[str, ...]] = [(one_line(row["name"]), f"{row['repositories']:,}",
             f"{row['archived']:,}",
             f"{row['stars']:,}", f"{row['forks']:,}")
            for row in figures.stats.to_dict("records")]  # fmt: skip
    return DataTable("Current repositories, archived ones, stars and forks per organisation",
                     ("Organisation", "Repositories", "Archived", "Stars", "Forks"), rows,
                     (False, True, True, True, True))  # fmt: skip


def activity_table(figures: Figures) -> DataTable:
    """Current repositories per activity category."""
    stats = figures.stats
    counts = {name: int(stats[name].sum()) for name in ACTIVITY}
    return _counts_table("Current repositories by last push", "Activity", counts,
                         int(stats["repositories"].sum()))  # fmt: skip


def community_table(figures: Figures) -> DataTable:
    """Per community file: repositories with it, of those where it was collected."""
    stats, rows = figures.stats, list[tuple[str, ...]]()
    for column, name in COMMUNITY_FILES:
        with_it, known = int(stats[f"{column}:with"].sum()), int(stats[f"{column}:known"].sum())
        rows.append((name, f"{with_it:,}", f"{known:,}", percent(with_it, known)))
    return DataTable("Current repositories with each community file",
                     ("File", "Repositories with it", "Known", "Share"), rows,
                     (False, True, True, True))  # fmt: skip


def history_table(organisation_history: DataFrame) -> DataTable:
    """Totals of all organisations per observed day, per series (oshs's own, imported)."""
    columns = ("organisations", "repositories", "stars", "forks", "open_issues")
    rows: list[tuple[str, ...]] = []
    for series in history_series(organisation_history):
        cells = [
            series.totals.index.astype(str).tolist(),
            [one_line(series.label)] * len(series.totals),
        ]
        for column in columns:
            values = series.totals[column].astype("Float64").to_numpy("float64", na_value=np.nan)
            cells.append([f"{int(v):,}" if v == v else "–" for v in values.tolist()])
        rows.extend(zip(*cells, strict=True))
    headers = ("Date", "Series", "Organisations", "Repositories", "Stars", "Forks", "Open issues")
    caption = "Totals per observed day: oshs's own collections and imported history"
    return DataTable(caption, headers, rows, (False, False, True, True, True, True, True))


def chart_tables(figures: Figures, groups: Mapping[str, str]) -> dict[str, Callable[[], DataTable]]:
    """The data table of each chart by its name (computed when asked; the table of two charts
    once)."""
    organisations = cache(lambda: organisations_table(figures))
    return {
        "cambrian-explosion": lambda: years_table(figures),
        "repositories-by-organisation": organisations,
        "new-repositories-per-year": lambda: years_table(figures),
        "languages": lambda: languages_table(figures, groups),
        "licenses": lambda: licences_table(figures),
        "topics": lambda: topics_table(figures),
        "organisations": organisations,
        "community-files": lambda: community_table(figures),
        "activity": lambda: activity_table(figures),
        "history": lambda: history_table(figures.tables["organisation_history"]),
    }
