"""Organisations: cumulative repositories per organisation over time, and each organisation's
repositories (archived share) and stars."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from pandas import DataFrame

from oshs.charts.bars import SPECIAL_FACE, SPECIAL_HATCH, Bar, hbars
from oshs.charts.common import (
    BAR_COLOUR,
    LABEL_FONTSIZE,
    MAX_POINTS,
    OTHER_COLOUR,
    RC,
    THOUSANDS,
    Chart,
    describe,
    new_figure,
    panel_title,
    parse_day,
    plural,
    render,
    style_axes,
    two_lines,
)
from oshs.figures import Figures, figures_of, percent, top_organisations
from oshs.provenance import Provenance

BY_ORGANISATION_NAME = "repositories-by-organisation"
ORGANISATIONS_NAME = "organisations"
TOP_LINES = 8
TOP_BARS = 25


def repositories_by_organisation_chart(
    tables: Mapping[str, DataFrame],
    *,
    provenance: Provenance,
    top: int = TOP_LINES,
    figures: Figures | None = None,
) -> Chart:
    """Current public repositories of the `top` organisations (by count), cumulative by
    creation date, one line each, the others summed as one line; labelled at their ends."""
    figures = figures_of(tables, provenance.collected_on, figures)
    current, stats = figures.current, figures.stats
    groups = top_organisations(stats.loc[stats["repositories"] > 0], top)
    named = [index for index in groups.index if index != "~other"]
    codes = pd.Index(named).get_indexer(figures.keys)  # -1: another organisation
    days = figures.created_days
    series = []
    for number, (index, row) in enumerate(groups.iterrows()):
        values = days[codes == (-1 if index == "~other" else number)]
        series.append((str(row["name"]), values[~np.isnat(values)], index == "~other"))
    with matplotlib.rc_context(RC):
        return _lines_figure(provenance, series, len(current), len(stats))


Series = list[tuple[str, np.ndarray, bool]]  # name, creation days, whether the "other" line


def _grid(series: Series, end: str) -> np.ndarray:
    """At most `MAX_POINTS` days from the day before the first creation to `end`."""
    known = [days.min() for _, days, _ in series if len(days)]
    last = np.datetime64(parse_day(end), "D")
    start = (min(known) if known else last - np.timedelta64(365, "D")) - np.timedelta64(1, "D")
    span = int((last - start).astype(int))
    offsets = np.unique(np.round(np.linspace(0, span, min(MAX_POINTS, span + 1))).astype(int))
    return start + offsets.astype("timedelta64[D]")


def _lines_figure(provenance: Provenance, series: Series, total: int, organisations: int) -> Chart:
    """Small multiples: one panel per organisation (and one for the others), the same scales,
    each titled with its name and count; the header and the `<desc>`."""
    title = f"Public repositories by organisation, cumulative to {provenance.collected_on}"
    shown = sum(not other for _, _, other in series)
    subtitle = (
        f"{total:,} repositories public on {provenance.collected_on} of "
        f"{plural(organisations, 'organisation')}, by creation date: the {shown} with the most, "
        "on the same scale, and the others together, on a scale of their own."
    )
    columns = 3
    rows = max(1, -(-len(series) // columns))
    figure, panels, svg_title = new_figure(
        provenance, title, subtitle, height=2.1 + 1.75 * rows, nrows=rows, ncols=columns,
        left=0.07, right=0.95, bottom=0.75, hspace=0.75, wspace=0.22, share=True,
    )  # fmt: skip
    grid = _grid(series, provenance.collected_on)
    x = mdates.date2num(grid)
    highest = max((len(days) for _, days, other in series if not other), default=0)
    flat = np.atleast_1d(panels).ravel()
    for axes, (name, days, other) in zip(flat, series, strict=False):
        counts = np.searchsorted(np.sort(days), grid, side="right")
        colour = OTHER_COLOUR if other else BAR_COLOUR
        axes.fill_between(x, 0, counts, color=colour, alpha=0.35, linewidth=0)
        axes.plot(x, counts, color="#555555" if other else colour, linewidth=1.8)
        heading = f"{two_lines(name, 36)}: {len(days):,}" + (" (own scale)" if other else "")
        panel_title(axes, heading, fontsize=LABEL_FONTSIZE)
        _format_time_axes(axes, x, len(days) if other else highest)
    for axes in flat[len(series) :]:
        axes.set_axis_off()
    listing = ", ".join(f"{name} {len(days):,}" for name, days, _ in series)
    description = describe(
        provenance,
        f"Cumulative public repositories by creation date, to {provenance.collected_on}, of "
        f"{plural(organisations, 'organisation')} ({total:,} repositories): {listing}.",
    )
    return render(figure, BY_ORGANISATION_NAME, svg_title, description)


def _format_time_axes(axes: Any, x: np.ndarray, highest: float) -> None:
    """Date x axis over `x` (years), integer y axis from 0."""
    style_axes(axes)
    locator = mdates.AutoDateLocator(minticks=2, maxticks=4)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    axes.set_xlim(float(x[0]), float(x[-1]))
    axes.set_ylim(0, max(highest, 1) * 1.05)
    axes.yaxis.set_major_formatter(THOUSANDS)
    axes.tick_params(labelsize=LABEL_FONTSIZE - 1)


def organisations_chart(
    tables: Mapping[str, DataFrame],
    *,
    provenance: Provenance,
    top: int = TOP_BARS,
    figures: Figures | None = None,
) -> Chart:
    """Per organisation (the `top` with the most current repositories, then the others as one
    row): repositories, split into archived and not, and stars."""
    stats = figures_of(tables, provenance.collected_on, figures).stats
    rows = top_organisations(stats, top)
    with matplotlib.rc_context(RC):
        return _bars_figure(provenance, rows, stats)


def _bars_figure(provenance: Provenance, rows: DataFrame, stats: DataFrame) -> Chart:
    """Both panels, the header and the `<desc>`."""
    total, archived = int(stats["repositories"].sum()), int(stats["archived"].sum())
    title = f"Repositories and stars of {plural(len(stats), 'organisation')}, " + (
        provenance.collected_on
    )
    subtitle = (
        f"{total:,} public repositories, {archived:,} ({percent(archived, total)}) of them "
        f"archived (hatched), and {int(stats['stars'].sum()):,} stars, as collected on "
        f"{provenance.collected_on}."
    )
    names = [two_lines(name) for name in rows["name"]]
    height = 2.6 + (0.36 if any("\n" in name for name in names) else 0.27) * len(rows)
    figure, (left, right), svg_title = new_figure(
        provenance, title, subtitle, height=height, ncols=2, left=0.25, right=0.97,
        wspace=0.12, bottom=0.75,
    )  # fmt: skip
    hbars(right, [Bar("", float(stars), f"{stars:,}") for stars in rows["stars"]],
          xlabel="Stars", room=1.25)  # fmt: skip
    right.set_yticks([])
    _repository_bars(left, rows, names)
    for axes, heading in ((left, "Public repositories"), (right, "Stars")):
        panel_title(axes, heading)
    listing = "; ".join(
        f"{row.name} {row.repositories:,} repositories ({row.archived:,} archived), "
        f"{row.stars:,} stars"
        for row in rows.itertuples()
    )
    alt = describe(provenance, subtitle)
    description = f"{alt} Per organisation, most repositories first: {listing}."
    return render(figure, ORGANISATIONS_NAME, svg_title, description, alt)


def _repository_bars(axes: Any, rows: DataFrame, names: list[str]) -> None:
    """Repositories per organisation: not archived, then archived (hatched), the total and the
    archived share written at the end."""
    bars = [
        Bar(name, float(row.repositories),
            f"{row.repositories:,}" + (f" ({percent(row.archived, row.repositories)} archived)"
                                        if row.archived else ""))
        for name, row in zip(names, rows.itertuples(), strict=True)
    ]  # fmt: skip
    hbars(axes, bars, xlabel="Public repositories", room=1.45)
    y = np.arange(len(bars))[::-1]
    live = (rows["repositories"] - rows["archived"]).to_numpy()
    axes.barh(y, rows["archived"].to_numpy(), left=live, height=0.72, color=SPECIAL_FACE,
              hatch=SPECIAL_HATCH, edgecolor="white", linewidth=0.5)  # fmt: skip
    axes.barh(y, live, height=0.72, color=BAR_COLOUR, edgecolor="white", linewidth=0.5)
