"""The "cambrian explosion": current public repositories, cumulative by creation date and
primary language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
from matplotlib.ticker import MaxNLocator
from pandas import DataFrame

from oshs.charts.common import (
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
    THOUSANDS,
    Chart,
    describe,
    label_right,
    new_figure,
    organisation_count,
    parse_day,
    plural,
    render,
    style_axes,
)
from oshs.figures import Figures, display_languages, figures_of, percent
from oshs.provenance import Provenance
from oshs.text import shorten

NAME = "cambrian-explosion"


def cambrian_explosion_chart(
    tables: Mapping[str, DataFrame],
    *,
    provenance: Provenance,
    language_groups: Mapping[str, str] | None = None,
    top: int = 9,
    figures: Figures | None = None,
) -> Chart:
    """The "cambrian explosion": current public repositories, cumulative by creation date.

    From `tables["repositories"]` (and the count of `tables["organisations"]`), stacked by
    primary language: `language_groups` maps raw GitHub language names to display
    names, the `top` display languages by final count get a band each, the rest is "Other",
    and repositories without a language are "No language". Removed repositories are left out
    (the final height is the headline count) and their number is stated. The time axis ends at
    the collection date of `provenance`, which dates the title.
    """
    with matplotlib.rc_context(RC):
        figures = figures_of(tables, provenance.collected_on, figures)
        return _cambrian_figure(figures, language_groups or {}, top, provenance)


def _display_languages(figures: Figures, groups: Mapping[str, str], top: int) -> DataFrame:
    """One row per dated repository: `day` and its display `category` (top, Other, No language)."""
    repositories, days = figures.current, figures.created_days
    shown = display_languages(repositories["language"], groups).fillna(NO_LANGUAGE)
    frame = DataFrame({"day": days, "category": shown.to_numpy()}).dropna(subset=["day"])
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
    days = frame["day"].to_numpy(dtype="datetime64[D]")
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


def _label_bands(axes: Any, ends: list[tuple[str, float, int]]) -> None:
    """Direct labels at the right end of each band, nudged apart; a compact legend if crowded."""
    texts = [f"{shorten(name, LABEL_MAX_CHARS)} ({count:,})" for name, _, count in ends]
    wanted = [(centre, text) for (_, centre, _), text in zip(ends, texts, strict=True)]
    if label_right(axes, wanted):
        return
    handles, _ = axes.get_legend_handles_labels()
    axes.legend(handles[::-1], texts[::-1], loc="upper left", fontsize=LABEL_FONTSIZE - 1,
                frameon=False, bbox_to_anchor=(1.01, 1.0))  # fmt: skip


def _headline(provenance: Provenance, counts: tuple[int, int, int], top: int) -> tuple[str, str]:
    """The title and subtitle that say what is counted and when.

    `counts`: current repositories, organisations, removed repositories left out."""
    total, organisations, removed = counts
    title = (
        f"{plural(total, 'public repository', 'public repositories')} of "
        f"{plural(organisations, 'organisation')} by creation date, {provenance.collected_on}"
    )
    subtitle = (
        f"Cumulative, stacked by primary language (the {top} most common; the rest as "
        f"\u201c{OTHER}\u201d). Repositories public on {provenance.collected_on}"
        + (f"; {removed:,} seen earlier and since removed are not counted." if removed else ".")
    )
    return title, subtitle


def _description(
    provenance: Provenance, ends: list[tuple[str, float, int]], counts: tuple[int, int, int],
    first_day: str | None,
) -> str:  # fmt: skip
    """The `<desc>`: what is counted, the span, the total and each band's final count."""
    total, organisations, removed = counts
    bands = ", ".join(f"{name} {count:,} ({percent(count, total, 1)})" for name, _, count in ends)
    span = f"from {first_day} to {provenance.collected_on}" if first_day else "no repositories"
    return describe(
        provenance,
        f"Cumulative public repositories of {plural(organisations, 'organisation')} by "
        f"creation date, {span}: {total:,} repositories public on {provenance.collected_on}"
        + (f" ({removed:,} seen earlier and since removed are not counted)." if removed else ".")
        + (f" By primary language: {bands}." if bands else ""),
    )


def _format_axes(axes: Any, x_start: float, x_end: float, total: int) -> None:
    """Date x axis, integer y axis from 0 with thousands separators, light grid."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    axes.set_xlim(x_start, x_end)
    axes.set_ylim(0, max(total, 1) * 1.04)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(THOUSANDS)
    axes.set_xlabel("Repository creation date")
    axes.set_ylabel("Public repositories (cumulative)")
    style_axes(axes)


def _cambrian_figure(
    figures: Figures, groups: Mapping[str, str], top: int, provenance: Provenance
) -> Chart:
    """Build and render the chart (call inside the module's rc_context)."""
    end = parse_day(provenance.collected_on)
    counts = (len(figures.current), organisation_count(figures.tables), figures.removed)
    figure, axes, title = new_figure(provenance, *_headline(provenance, counts, top))
    frame = _display_languages(figures, groups, top)
    if frame.empty:
        x_end = float(mdates.date2num(np.datetime64(end, "D")))
        _format_axes(axes, x_end - 365, x_end, 0)
        axes.text(0.5, 0.5, "No public repositories", transform=axes.transAxes, ha="center")
        return render(figure, NAME, title, _description(provenance, [], counts, None))
    x, table = _cumulative(frame, _category_order(frame), end)
    ends = _draw_bands(axes, x, table)
    _format_axes(axes, float(x[0]), float(x[-1]), int(table.iloc[-1].sum()))
    _label_bands(axes, ends)
    first = str(frame["day"].min().date())
    description = _description(provenance, ends, counts, first)
    return render(figure, NAME, title, description)
