"""New public repositories per year of creation (the current ones; the last year is partial)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib
import numpy as np
from pandas import DataFrame, Series

from oshs.charts.common import (
    BAR_COLOUR,
    LABEL_FONTSIZE,
    RC,
    THOUSANDS,
    Chart,
    describe,
    new_figure,
    offset_points,
    parse_day,
    plural,
    render,
    style_axes,
)
from oshs.figures import ACTIVE_DAYS, Figures, created_per_year, cutoff, figures_of
from oshs.provenance import Provenance

NAME = "new-repositories-per-year"
CROWDED = 22  # more years than this: year labels written upwards


def new_repositories_per_year_chart(
    tables: Mapping[str, DataFrame], *, provenance: Provenance, figures: Figures | None = None
) -> Chart:
    """Current public repositories per year of creation, the collection's year marked as
    partial (to the collection date), and the count of the 12 months up to it."""
    figures = figures_of(tables, provenance.collected_on, figures)
    current, created = figures.current, figures.created
    years = created_per_year(figures.created_days)
    since = cutoff(provenance.collected_on, ACTIVE_DAYS)
    last_year = int((created > since).sum())
    with matplotlib.rc_context(RC):
        return _figure(provenance, years, len(current), last_year)


def _figure(provenance: Provenance, years: Series, total: int, last_year: int) -> Chart:
    """The bars, header and `<desc>`."""
    day = parse_day(provenance.collected_on)
    partial = f"{day.year}\n(to {day:%d %b})"
    crowded = len(years) > CROWDED
    title = f"New public repositories per year, to {provenance.collected_on}"
    subtitle = (
        f"{total:,} repositories public on {provenance.collected_on}, by year of creation; "
        f"{day.year} is partial (to {day:%d %B}). {last_year:,} were created in the 12 months "
        f"to {provenance.collected_on}."
    )
    figure, axes, svg_title = new_figure(provenance, title, subtitle, left=0.09, right=0.97,
                                         bottom=1.25 if crowded else 0.95)  # fmt: skip
    style_axes(axes)
    axes.yaxis.set_major_formatter(THOUSANDS)
    axes.set_ylabel("New public repositories")
    axes.set_ylim(0, max(int(years.max()) if len(years) else 0, 1) * 1.12)
    positions = np.arange(len(years))
    above = offset_points(axes, 0, 3)
    for position, (year, count) in zip(positions, years.items(), strict=True):
        unfinished = year == day.year
        axes.bar(position, count, width=0.72, color="#9FB8D4" if unfinished else BAR_COLOUR,
                 hatch="///" if unfinished else None, edgecolor="white", linewidth=0.5)  # fmt: skip
        axes.text(position, count, f"{count:,}", transform=above, ha="center", va="bottom",
                  fontsize=LABEL_FONTSIZE)  # fmt: skip
    labels = [partial if year == day.year else str(year) for year in years.index]
    axes.set_xticks(positions, labels, fontsize=LABEL_FONTSIZE, rotation=90 if crowded else 0)
    axes.set_xlabel("Year of creation")
    listing = ", ".join(f"{year} {count:,}" for year, count in years.items())
    description = describe(
        provenance,
        f"New public repositories per year of creation, of the "
        f"{plural(total, 'repository', 'repositories')} public on {provenance.collected_on} "
        f"({day.year} to {day:%d %B} only): {listing or 'none'}. "
        f"{last_year:,} were created in the 12 months to {provenance.collected_on}.",
    )
    return render(figure, NAME, svg_title, description)
