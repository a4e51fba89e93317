"""The true history: repositories, stars, forks and open issues of all organisations on each
observed day, oshs's own collections as the main series and any imported history (rows of
`organisation_history` whose `source` is not `oshs`) as distinct, labelled series."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator
from pandas import DataFrame

from oshs.charts.common import (
    LABEL_FONTSIZE,
    RC,
    THOUSANDS,
    Chart,
    describe,
    new_figure,
    offset_points,
    panel_title,
    parse_day,
    plural,
    render,
    style_axes,
)
from oshs.charts.history_series import (
    HISTORY_SERIES,
    MIN_COLLECTIONS,
    HistorySeries,
    has_history,
    history_series,
)
from oshs.errors import ChartError
from oshs.figures import percent
from oshs.provenance import Provenance

NAME = "history"
OWN_STYLE = {"color": "#004488", "linestyle": "-", "linewidth": 1.8}
IMPORTED_STYLES = ({"color": "#BB5566", "linestyle": "--", "linewidth": 1.3},
                   {"color": "#997700", "linestyle": ":", "linewidth": 1.5})  # fmt: skip
FEW_DATES = 12  # up to this many dates, each gets a tick label and each point its value
MARKER_DATES = 60  # up to this many dates of a series, each gets a marker


def history_chart(organisation_history: DataFrame, *, provenance: Provenance) -> Chart:
    """The true history as a chart: one panel per count, each from 0, with oshs's own totals
    per collection date as the main series and each imported `source` as its own dashed
    series, labelled with its definitions (forks included, pull requests in open issues).

    Totals are over the organisations with a row on each date. Without a `source` column every
    row is oshs's own. Raises `ChartError` with fewer than two dates (see `has_history`).
    """
    if not has_history(organisation_history):
        dates = int(organisation_history["collected_on"].nunique())
        raise ChartError(
            f"history chart: expected at least {MIN_COLLECTIONS} collection dates, got {dates}"
        )
    series = history_series(organisation_history)
    with matplotlib.rc_context(RC):
        return _figure(provenance, series)


def _days(totals: DataFrame) -> np.ndarray:
    """The x values of a series' dates."""
    return mdates.date2num(np.array([parse_day(day) for day in totals.index],
                                    dtype="datetime64[D]"))  # fmt: skip


def _figure(provenance: Provenance, series: list[HistorySeries]) -> Chart:
    """Four panels sharing the date axis, the legend, the header and the `<desc>`."""
    dates = sorted({day for item in series for day in item.totals.index})
    title = f"Repositories, stars, forks and open issues, {dates[0]} to {dates[-1]}"
    subtitle = (
        "Totals over the organisations observed on each date: the true history, not today's "
        "counts by creation date. Every panel starts at 0."
    )
    legend = 0.25 * len(series) if len(series) > 1 else 0.0
    figure, panels, svg_title = new_figure(
        provenance, title, subtitle, height=8.6 + legend, nrows=len(HISTORY_SERIES), left=0.1,
        right=0.95, bottom=0.95 + legend, hspace=0.45, share=True,
    )  # fmt: skip
    for axes, (column, label) in zip(panels, HISTORY_SERIES, strict=True):
        _panel(axes, series, column, label, few=len(dates) <= FEW_DATES)
    _date_axis(panels[-1], dates)
    if legend:
        handles, labels = panels[0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="lower left", frameon=False, fontsize=LABEL_FONTSIZE,
                      bbox_to_anchor=(0.09, 0.3 / figure.get_figheight()))  # fmt: skip
    return render(figure, NAME, svg_title, describe(provenance, *_sentences(series)))


def _panel(
    axes: Any, series: Sequence[HistorySeries], column: str, label: str, *, few: bool
) -> None:
    """One count: each series from 0, the last value of each labelled (every value when few)."""
    style_axes(axes)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    axes.yaxis.set_major_formatter(THOUSANDS)
    panel_title(axes, label)
    own = next((item.totals[column].dropna() for item in series if item.own), None)
    if own is not None and len(own) > 1:
        change = f"{_change(own.iloc[0], own.iloc[-1])} from {own.index[0]} to {own.index[-1]}"
        panel_title(axes, change, right=True, fontsize=LABEL_FONTSIZE, fontweight="normal",
                    color=OWN_STYLE["color"])  # fmt: skip
    highest = 0.0
    for number, item in enumerate(series):
        values = item.totals[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        known = ~np.isnan(values)
        if not known.any():
            continue
        x = _days(item.totals)[known]
        style = OWN_STYLE if item.own else IMPORTED_STYLES[(number - 1) % len(IMPORTED_STYLES)]
        marker = "o" if item.own and len(x) <= MARKER_DATES else None
        axes.plot(x, values[known], marker=marker, markersize=5, label=item.label, **style)
        highest = max(highest, float(values[known].max()))
        points = range(len(x)) if few and item.own else [len(x) - 1]
        shifted = offset_points(axes, 0, 6) if item.own else offset_points(axes, -6, 4)
        for index in points:  # oshs's values above their points, imported ones to the left
            axes.text(x[index], values[known][index], f"{values[known][index]:,.0f}",
                      transform=shifted, ha="center" if item.own else "right",
                      fontsize=LABEL_FONTSIZE - 0.5, color=style["color"])  # fmt: skip
    axes.set_ylim(0, max(highest, 1.0) * 1.25)
    if highest == 0.0 and not any(item.totals[column].notna().any() for item in series):
        axes.text(0.5, 0.5, f"{label}: not collected", transform=axes.transAxes, ha="center",
                  va="center", color="#444444", fontsize=LABEL_FONTSIZE)  # fmt: skip


def _date_axis(axes: Any, dates: list[str]) -> None:
    """Every date labelled when there are few; years (or months) otherwise."""
    x = mdates.date2num(np.array([parse_day(day) for day in dates], dtype="datetime64[D]"))
    span = float(x[-1] - x[0])
    if len(dates) <= FEW_DATES:
        axes.set_xticks(x, [f"{parse_day(day):%d %b %Y}".lstrip("0") for day in dates])
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=9)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    pad = max(span * 0.04, 1.0)
    axes.set_xlim(x[0] - pad, x[-1] + pad)
    axes.tick_params(axis="x", labelsize=LABEL_FONTSIZE)
    axes.set_xlabel("Date observed")


def _sentences(series: Sequence[HistorySeries]) -> list[str]:
    """The `<desc>` sentences: per series, its dates, organisations and the figures shown."""
    sentences = []
    for item in series:
        totals = item.totals
        organisations = totals["organisations"]
        counted = f"{organisations.min():,}" + (
            f" to {organisations.max():,}" if organisations.max() != organisations.min() else ""
        )
        sentences.append(
            f"{'Collected by oshs' if item.own else item.label[0].upper() + item.label[1:]}: "
            f"{plural(len(totals), 'date')} from {totals.index[0]} to {totals.index[-1]}, totals "
            f"over {counted} organisations per date. {_figures(totals)}"
        )
    return sentences


def _figures(totals: DataFrame) -> str:
    """Each date's totals when there are few, else the first, the last and the change."""
    shown = totals if len(totals) <= FEW_DATES else totals.iloc[[0, -1]]
    parts = []
    for day, row in shown.iterrows():
        values = ", ".join(
            f"{label.lower()} {_value(row[column])}" for column, label in HISTORY_SERIES
        )
        parts.append(f"{day}: {values}")
    first, last = totals.iloc[0], totals.iloc[-1]
    changes = ", ".join(
        f"{label.lower()} {_change(first[column], last[column])}"
        for column, label in HISTORY_SERIES
    )
    return "; ".join(parts) + f". Change from first to last date: {changes}."


def _value(value: Any) -> str:
    """A total, or "not collected"."""
    return "not collected" if pd.isna(value) else f"{int(value):,}"


def _change(first: Any, last: Any) -> str:
    """ "+1,416 (+15.4%)", or "not known"."""
    if pd.isna(first) or pd.isna(last):
        return "not known"
    difference = int(last) - int(first)
    share = f" ({'+' if difference >= 0 else '−'}{percent(abs(difference), first, 1)})"
    return f"{difference:+,}" + (share if first else "")
