"""Stars, forks and open issues of all organisations on each collection date."""

from __future__ import annotations

from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from pandas import DataFrame

from oshs.charts.common import (
    AXES_BOX,
    DPI,
    FIGSIZE,
    LABEL_FONTSIZE,
    PALETTE,
    RC,
    parse_day,
    render,
)
from oshs.errors import ChartError
from oshs.text import shorten

HISTORY_SERIES = (("stars", "Stars"), ("forks", "Forks"), ("open_issues", "Open issues"))
HISTORY_MARKERS = ("o", "s", "^")  # one shape per series: readable without colour
HISTORY_COLOURS = (PALETTE[0], PALETTE[3], PALETTE[7])  # the darker ones: contrast on white
MIN_COLLECTIONS = 2


def has_history(organisation_history: DataFrame) -> bool:
    """True when `organisation_history` holds at least two collection dates (a history to draw)."""
    return int(organisation_history["collected_on"].nunique()) >= MIN_COLLECTIONS


def history_chart(organisation_history: DataFrame) -> bytes:
    """Return the true history as SVG bytes: stars, forks and open issues per collection date.

    Totals over every organisation with a row on each date (`organisation_history.csv`), one
    panel per count with its own scale, a marker at each collection and the last value labelled
    directly. A count the API never gave (open issues over plain REST) is shown as not
    collected. Raises `ChartError` with fewer than two collection dates (see `has_history`).
    """
    if not has_history(organisation_history):
        dates = int(organisation_history["collected_on"].nunique())
        raise ChartError(
            f"history chart: expected at least {MIN_COLLECTIONS} collection dates, got {dates}"
        )
    columns = [name for name, _ in HISTORY_SERIES]
    totals = organisation_history.groupby("collected_on")[columns].sum(min_count=1).sort_index()
    with matplotlib.rc_context(RC):
        figure, title = _history_figure(totals, organisation_history["organisation"].nunique())
        return render(figure, title)


def _history_figure(totals: DataFrame, organisations: int) -> tuple[Figure, str]:
    """Three stacked panels sharing a date axis (call inside the module's rc_context)."""
    figure = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(**{**AXES_BOX, "hspace": 0.35})
    axes = figure.subplots(len(HISTORY_SERIES), 1, sharex=True)
    days = np.array([parse_day(day) for day in totals.index], dtype="datetime64[D]")
    x = mdates.date2num(days)
    for index, (panel, (name, label)) in enumerate(zip(axes, HISTORY_SERIES, strict=True)):
        _history_panel(panel, x, totals[name], label, index)
    axes[-1].xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=6))
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
    pad = max((x[-1] - x[0]) * 0.04, 0.5)
    axes[-1].set_xlim(x[0] - pad, x[-1] + pad)
    axes[-1].set_xlabel("Collection date")
    noun = "organisation" if organisations == 1 else "organisations"
    title = (
        f"Stars, forks and open issues of {organisations:,} {noun} on each collection date, "
        f"{totals.index[0]} to {totals.index[-1]}"
    )
    figure.text(0.02, 0.955, shorten(title, 110), fontsize=12.5, fontweight="bold", va="top")
    figure.text(0.02, 0.905, "Totals as collected on each date (the true history, not today's "
                "counts by creation date). Source: GitHub API.", fontsize=10, color="#444444",
                va="top")  # fmt: skip
    return figure, title


def _history_panel(axes: Any, x: np.ndarray, values: pd.Series, label: str, index: int) -> None:
    """One count over time: line with markers, the last value labelled at the right."""
    known = values.notna().to_numpy()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.set_ylabel(label, fontsize=LABEL_FONTSIZE)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    if not known.any():
        axes.set_ylim(0, 1)
        axes.text(0.5, 0.5, f"{label}: not collected (the API did not give them)",
                  transform=axes.transAxes, ha="center", va="center", color="#444444")  # fmt: skip
        return
    y = values.to_numpy(dtype=float, na_value=np.nan)
    colour = HISTORY_COLOURS[index]
    axes.plot(x[known], y[known], color=colour, marker=HISTORY_MARKERS[index], linewidth=1.6,
              markersize=5)  # fmt: skip
    low, high = float(np.nanmin(y)), float(np.nanmax(y))
    margin = max((high - low) * 0.15, high * 0.01, 1.0)
    axes.set_ylim(max(0.0, low - margin), high + margin)
    last = int(np.flatnonzero(known)[-1])
    axes.annotate(f"{label} ({y[last]:,.0f})", xy=(x[last], y[last]), xytext=(8, 0),
                  textcoords="offset points", va="center", ha="left", fontsize=LABEL_FONTSIZE,
                  annotation_clip=False)  # fmt: skip
