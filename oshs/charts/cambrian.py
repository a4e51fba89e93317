"""The "cambrian explosion": cumulative public repositories by creation date and language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from pandas import DataFrame

from oshs.charts.common import (
    AXES_BOX,
    FIGSIZE,
    HATCHES,
    LABEL_FONTSIZE,
    LABEL_MAX_CHARS,
    MAX_POINTS,
    NO_LANGUAGE,
    NO_LANGUAGE_COLOUR,
    NO_LANGUAGE_HATCH,
    OTHER,
    OTHER_COLOUR,
    OTHER_HATCH,
    PALETTE,
    RC,
    new_figure,
    parse_day,
    render,
)
from oshs.text import shorten


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
        return render(figure, title)


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
    end = parse_day(collected_on)
    figure, axes = new_figure()
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
