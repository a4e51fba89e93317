"""Deterministic charts (SVG, with PNG twins) drawn with matplotlib's Agg canvas.

Every chart is drawn on a private `Figure` with its own `FigureCanvasAgg`, never through `pyplot`:
no global figure state, no display needed, and no `matplotlib.use`, which would switch the backend
of a notebook or application that imports oshs. Drawing happens inside `matplotlib.rc_context`
with a fixed size, the DejaVu Sans font that ships with matplotlib, mathtext off (a `$` in a
GitHub string is just a dollar sign), a fixed SVG hash salt and no date or version in the SVG
metadata: the same tables give the same bytes.

Text from GitHub (language names) is made one line by `oshs.text.shorten` and reaches the SVG
only through matplotlib's writer, which escapes it; glyphs are written as paths (`svg.fonttype:
path`), so the file renders the same everywhere. The `<title>` is escaped by `oshs.text.escape_svg`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from pandas import DataFrame

from oshs.errors import ChartError
from oshs.text import escape_svg, shorten

OTHER = "Other"
NO_LANGUAGE = "No language"

# Paul Tol's "muted" qualitative scheme (colour-blind safe), then greys for the catch-alls.
PALETTE = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
           "#DDCC77", "#CC6677", "#882255", "#AA4499")  # fmt: skip
OTHER_COLOUR = "#BBBBBB"
NO_LANGUAGE_COLOUR = "#EEEEEE"
# Line hatches only: dot and circle hatches cost hundreds of kilobytes of SVG paths.
HATCHES = ("", "///", "\\\\\\", "xx", "|||", "---", "++", "//", "\\\\")
OTHER_HATCH = ""
NO_LANGUAGE_HATCH = "||"

FIGSIZE = (10.0, 6.0)  # inches
DPI = 100
LABEL_FONTSIZE = 9.0
LABEL_MAX_CHARS = 24
MAX_POINTS = 240  # time points per band: about 2 pt apart, finer than the eye needs
AXES_BOX = {"left": 0.08, "right": 0.76, "bottom": 0.10, "top": 0.84}

RC: dict[Any, Any] = {  # matplotlib types its keys as literals
    "svg.hashsalt": "oshs",
    "svg.fonttype": "path",
    "svg.id": None,
    "font.family": "DejaVu Sans",
    "font.size": 10.0,
    "text.usetex": False,
    "text.parse_math": False,
    "axes.formatter.use_locale": False,
    "timezone": "UTC",
    "path.simplify": True,
    "hatch.color": "#00000059",
    "hatch.linewidth": 0.6,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "savefig.bbox": None,
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "savefig.transparent": False,
}
SVG_METADATA = {"Creator": "oshs", "Date": None}


def cambrian_explosion_chart(
    repositories: DataFrame,
    *,
    language_groups: Mapping[str, str] | None = None,
    top: int = 7,
    collected_on: str,
) -> bytes:
    """Return the "cambrian explosion" chart as SVG bytes.

    Cumulative public repositories by creation date (`created_at`), stacked by primary language:
    `language_groups` maps raw GitHub language names to display names, the `top` display
    languages by final count get a band each, the rest is "Other", and repositories without a
    language are "No language". Every row given is counted (filter removed repositories first if
    they should not be). `collected_on` (`YYYY-MM-DD`) ends the time axis and dates the title.
    """
    with matplotlib.rc_context(RC):
        figure, title = _cambrian_figure(repositories, language_groups or {}, top, collected_on)
        return _render(figure, title)


def _render(figure: Figure, title: str) -> bytes:
    """Serialise `figure` as SVG without any timestamp or version.

    The SVG gets a `<title>` (escaped) as its first child, which screen readers announce when
    the file is opened or inlined (glyphs are paths, so there is no other text to read).
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata=SVG_METADATA, dpi=DPI)
    svg = buffer.getvalue()
    root_end = svg.index(b">", svg.index(b"<svg ")) + 1
    element = b"\n <title>" + escape_svg(title).encode() + b"</title>"
    return svg[:root_end] + element + svg[root_end:]


def _new_figure() -> tuple[Figure, Any]:
    """A figure on its own Agg canvas, with one axes at a fixed position."""
    figure = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(**AXES_BOX)
    return figure, figure.add_subplot()


def _parse_day(value: str) -> dt.date:
    """Parse a `YYYY-MM-DD` string, or raise `ChartError` naming what was expected."""
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ChartError(f"chart date {value!r}: expected a collection date as YYYY-MM-DD")


def _display_languages(repositories: DataFrame, groups: Mapping[str, str], top: int) -> DataFrame:
    """One row per dated repository: `day` and its display `category` (top, Other, No language)."""
    days = repositories["created_at"].astype("string").str.slice(0, 10)
    raw = repositories["language"].astype("string")
    shown = raw.map(lambda name: NO_LANGUAGE if pd.isna(name) else groups.get(name, name))
    frame = DataFrame({"day": days, "category": shown.astype("string")}).dropna(subset=["day"])
    named = frame.loc[frame["category"] != NO_LANGUAGE, "category"]
    counts = named.value_counts()
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    keep = {name for name, _ in ranked[: max(top, 0)]}
    frame["category"] = frame["category"].where(
        frame["category"].isin(keep) | (frame["category"] == NO_LANGUAGE), OTHER
    )
    return frame


def _category_order(frame: DataFrame) -> list[str]:
    """Bands from the bottom up: languages by final count (then name), Other, No language."""
    counts = frame["category"].value_counts()
    named = [(str(n), c) for n, c in counts.items() if n not in (OTHER, NO_LANGUAGE)]
    order = [name for name, _ in sorted(named, key=lambda item: (-item[1], item[0]))]
    return order + [name for name in (OTHER, NO_LANGUAGE) if name in counts.index]


def _cumulative(frame: DataFrame, order: list[str], end: dt.date) -> tuple[np.ndarray, DataFrame]:
    """Cumulative counts per category on a grid of at most `MAX_POINTS` days.

    The grid runs from the day before the first creation day (all zeros) to `end` (or the last
    creation day, when later), so the last row holds the final counts exactly; with more days
    than points, days are sampled evenly, which is finer than the chart's pixels.
    """
    days = np.array(frame["day"].tolist(), dtype="datetime64[D]")
    start = days.min() - np.timedelta64(1, "D")
    span = int((max(np.datetime64(end, "D"), days.max()) - start).astype(int))
    offsets = np.unique(np.round(np.linspace(0, span, min(MAX_POINTS, span + 1))).astype(int))
    grid = start + offsets.astype("timedelta64[D]")
    categories = frame["category"].to_numpy()
    table = DataFrame(
        {name: np.searchsorted(np.sort(days[categories == name]), grid, side="right")
         for name in order}
    )  # fmt: skip
    return mdates.date2num(grid), table


def _style(category: str, index: int) -> tuple[str, str]:
    """Colour and hatch of a band: palette order for languages, greys for the catch-alls."""
    if category == OTHER:
        return OTHER_COLOUR, OTHER_HATCH
    if category == NO_LANGUAGE:
        return NO_LANGUAGE_COLOUR, NO_LANGUAGE_HATCH
    return PALETTE[index % len(PALETTE)], HATCHES[index % len(HATCHES)]


def _draw_bands(axes: Any, x: np.ndarray, table: DataFrame) -> list[tuple[str, float, int]]:
    """Stack the bands; return (category, centre of its final height, final count) per band."""
    bottom = np.zeros(len(x))
    ends = []
    for index, category in enumerate(table.columns):
        values = table[category].to_numpy(dtype=float)
        colour, hatch = _style(category, index)
        axes.fill_between(
            x, bottom, bottom + values, facecolor=colour, edgecolor="white",
            linewidth=0.6, hatch=hatch or None, label=category,
        )  # fmt: skip
        ends.append((category, bottom[-1] + values[-1] / 2, int(values[-1])))
        bottom = bottom + values
    return ends


def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float] | None:
    """Nudge label positions apart by at least `gap` within [low, high]; None if they can't fit."""
    if gap * len(wanted) > high - low:
        return None
    placed: list[float] = []
    for y in wanted:
        placed.append(max(y, low + gap / 2, placed[-1] + gap if placed else low))
    for i in range(len(placed) - 1, -1, -1):
        ceiling = high - gap / 2 if i == len(placed) - 1 else placed[i + 1] - gap
        placed[i] = min(placed[i], ceiling)
    return placed


def _label_bands(axes: Any, ends: list[tuple[str, float, int]]) -> None:
    """Direct labels at the right end of each band, nudged apart; a compact legend if crowded."""
    low, high = axes.get_ylim()
    height_in = FIGSIZE[1] * (AXES_BOX["top"] - AXES_BOX["bottom"])
    gap = (LABEL_FONTSIZE * 1.35 / 72) / height_in * (high - low)
    placed = _spread([centre for _, centre, _ in ends], gap, low, high)
    texts = [f"{shorten(name, LABEL_MAX_CHARS)} ({count:,})" for name, _, count in ends]
    if placed is None:
        handles, _ = axes.get_legend_handles_labels()
        axes.legend(handles[::-1], texts[::-1], loc="upper left", fontsize=LABEL_FONTSIZE - 1,
                    frameon=False, bbox_to_anchor=(1.01, 1.0))  # fmt: skip
        return
    for (_, centre, _), y, text in zip(ends, placed, texts, strict=True):
        axes.annotate(
            text, xy=(1.0, centre), xytext=(1.03, y), xycoords=axes.get_yaxis_transform(),
            textcoords=axes.get_yaxis_transform(), va="center", ha="left",
            fontsize=LABEL_FONTSIZE, annotation_clip=False,
            arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.6,
                        "shrinkA": 0, "shrinkB": 2},
        )  # fmt: skip


def _title(figure: Figure, organisations: int, collected_on: str, top: int) -> str:
    """Draw the title and subtitle that say what is counted and when; return the title."""
    noun = "organisation" if organisations == 1 else "organisations"
    title = (
        f"Public repositories of {organisations:,} {noun}, cumulative by creation date, "
        f"as collected on {collected_on}"
    )
    figure.text(0.02, 0.955, title, fontsize=12.5, fontweight="bold", va="top")
    figure.text(
        0.02, 0.905, f"Stacked by primary language (the {top} most common; the rest as "
        f"\u201c{OTHER}\u201d). Source: GitHub API.", fontsize=10, color="#444444", va="top",
    )  # fmt: skip
    return title


def _format_axes(axes: Any, x_start: float, x_end: float, total: int) -> None:
    """Date x axis, integer y axis from 0 with thousands separators, light grid."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    axes.set_xlim(x_start, x_end)
    axes.set_ylim(0, max(total, 1) * 1.04)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    axes.set_xlabel("Repository creation date")
    axes.set_ylabel("Public repositories (cumulative)")
    axes.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _cambrian_figure(
    repositories: DataFrame, groups: Mapping[str, str], top: int, collected_on: str
) -> tuple[Figure, str]:
    """Build the cambrian explosion figure and its title (call inside the module's rc_context)."""
    end = _parse_day(collected_on)
    figure, axes = _new_figure()
    organisations = int(repositories["organisation"].nunique()) if len(repositories) else 0
    title = _title(figure, organisations, collected_on, top)
    frame = _display_languages(repositories, groups, top)
    if frame.empty:
        x_end = float(mdates.date2num(np.datetime64(end, "D")))
        _format_axes(axes, x_end - 365, x_end, 0)
        axes.text(0.5, 0.5, "No public repositories", transform=axes.transAxes, ha="center")
        return figure, title
    x, table = _cumulative(frame, _category_order(frame), end)
    ends = _draw_bands(axes, x, table)
    _format_axes(axes, float(x[0]), float(x[-1]), int(table.iloc[-1].sum()))
    _label_bands(axes, ends)
    return figure, title


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
        return _render(figure, title)


def _history_figure(totals: DataFrame, organisations: int) -> tuple[Figure, str]:
    """Three stacked panels sharing a date axis (call inside the module's rc_context)."""
    figure = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(**{**AXES_BOX, "hspace": 0.35})
    axes = figure.subplots(len(HISTORY_SERIES), 1, sharex=True)
    days = np.array([_parse_day(day) for day in totals.index], dtype="datetime64[D]")
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
