"""Per organisation: which community files its repositories have, and how recently they were
pushed to. Both show the organisations with the most repositories, the others as one row and
all organisations together as the last row, with every share written in figures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from pandas import DataFrame

from oshs.charts.common import (
    LABEL_FONTSIZE,
    RC,
    Chart,
    describe,
    new_figure,
    render,
    row_labels,
    two_lines,
)
from oshs.figures import (
    ACTIVE_DAYS,
    ACTIVITY,
    COMMUNITY_FILES,
    RECENT_DAYS,
    Figures,
    cutoff,
    figures_of,
    percent,
    top_organisations,
)
from oshs.provenance import Provenance

COMMUNITY_NAME = "community-files"
ACTIVITY_NAME = "activity"
TOP = 20
# One hue from white to dark blue: order is read from lightness alone (colour-blind safe).
SHARE_COLOURS = LinearSegmentedColormap.from_list("share", ["#F7FBFF", "#6BAED6", "#08306B"])
ACTIVITY_LEGEND = ("Pushed in the last 90 days", "91 days to 12 months ago", "Over 12 months ago",
                   "Archived")  # fmt: skip
ACTIVITY_STYLES = (  # colour, hatch, text colour: darker is more recent; archived grey, hatched
    ("#08306B", "", "white"),
    ("#4292C6", "//", "black"),
    ("#C6DBEF", "", "black"),
    ("#BBBBBB", "xx", "black"),
)


def _rows(figures: Figures) -> tuple[DataFrame, int]:
    """The organisations with the most current repositories, the others, all; and how many
    organisations have repositories."""
    stats = figures.stats.loc[figures.stats["repositories"] > 0]
    return top_organisations(stats, TOP, everyone=True), len(stats)


def _row_figure(
    provenance: Provenance, title: str, subtitle: str, rows: DataFrame, offset: float = 0.0
) -> Any:
    """A figure with one row per organisation row (two-line names, the row at `offset` + its
    number), the header drawn."""
    names = [two_lines(name) for name in rows["name"]]
    height = 2.7 + (0.36 if any("\n" in name for name in names) else 0.28) * len(rows)
    figure, axes, svg_title = new_figure(provenance, title, subtitle, height=height, left=0.25,
                                         right=0.97, bottom=0.55)  # fmt: skip
    axes.set_ylim(len(rows) - 0.5 + offset, -0.5 + offset)
    row_labels(axes, np.arange(len(rows)) + offset, names, bold_last=True)
    axes.tick_params(axis="both", length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    return figure, axes, svg_title


def _counted(rows: DataFrame) -> DataFrame:
    """`rows` with each name followed by its repositories in brackets."""
    names = [f"{name} ({count:,})" for name, count in zip(rows["name"], rows["repositories"],
                                                          strict=True)]  # fmt: skip
    return rows.assign(name=names)


def community_files_chart(
    tables: Mapping[str, DataFrame], *, provenance: Provenance, figures: Figures | None = None
) -> Chart:
    """Per organisation, the share of its current repositories with each community file
    (README, LICENSE, CONTRIBUTING, CODE_OF_CONDUCT, SECURITY, CITATION): a grid of shares,
    each written in its cell; "not collected" where the API gave none."""
    rows, organisations = _rows(figures_of(tables, provenance.collected_on, figures))
    with matplotlib.rc_context(RC):
        return _community_figure(provenance, rows, organisations)


def _community_figure(provenance: Provenance, rows: DataFrame, organisations: int) -> Chart:
    """The grid, the header and the `<desc>`."""
    total = rows.iloc[-1]
    title = f"Community files of public repositories, by organisation, {provenance.collected_on}"
    subtitle = (
        "Share of each organisation's public repositories with the file, as GitHub's community "
        "profile reports it (darker is more). Repositories in brackets."
    )
    figure, axes, svg_title = _row_figure(provenance, title, subtitle, _counted(rows), offset=0.5)
    with_ = np.array([rows[f"{column}:with"].to_numpy() for column, _ in COMMUNITY_FILES]).T
    known = np.array([rows[f"{column}:known"].to_numpy() for column, _ in COMMUNITY_FILES]).T
    shares = np.divide(with_, known, out=np.full(with_.shape, np.nan), where=known > 0)
    axes.pcolormesh(np.ma.masked_invalid(shares), cmap=SHARE_COLOURS, vmin=0, vmax=1,
                    edgecolors="white", linewidth=1.5)  # fmt: skip
    axes.set_xlim(0, len(COMMUNITY_FILES))
    axes.xaxis.tick_top()
    axes.set_xticks(np.arange(len(COMMUNITY_FILES)) + 0.5,
                    [name.replace("OF_", "OF_\n") for _, name in COMMUNITY_FILES],
                    fontsize=LABEL_FONTSIZE)  # fmt: skip
    for (row, column), share in np.ndenumerate(shares):
        missing = bool(np.isnan(share))
        text = "not collected" if missing else percent(int(with_[row, column]),
                                                       int(known[row, column]))  # fmt: skip
        ink = "#555555" if missing else ("white" if share > 0.55 else "black")
        axes.text(column + 0.5, row + 0.5, text, ha="center", va="center", color=ink,
                  fontsize=LABEL_FONTSIZE - (1 if missing else 0))  # fmt: skip
    listing = ", ".join(
        f"{name} {percent(total[f'{column}:with'], total[f'{column}:known'], 1)}"
        if total[f"{column}:known"] else f"{name} not collected"
        for column, name in COMMUNITY_FILES
    )  # fmt: skip
    alt = describe(
        provenance,
        f"Share of the {int(total['repositories']):,} public repositories of {organisations:,} "
        f"organisations with each community file, collected on {provenance.collected_on}: "
        f"{listing}.",
    )
    description = f"{alt} {_per_organisation(rows)}"
    return render(figure, COMMUNITY_NAME, svg_title, description, alt)


def _per_organisation(rows: DataFrame) -> str:
    """The shares of each organisation row, in words (`<desc>`)."""
    parts = []
    for row in rows.iloc[:-1].to_dict("records"):
        shares = ", ".join(
            f"{name} {percent(row[f'{column}:with'], row[f'{column}:known'])}"
            for column, name in COMMUNITY_FILES
            if row[f"{column}:known"]
        )
        parts.append(f"{row['name']} ({row['repositories']:,}): {shares or 'not collected'}")
    return "Per organisation: " + "; ".join(parts) + "."


def activity_chart(
    tables: Mapping[str, DataFrame], *, provenance: Provenance, figures: Figures | None = None
) -> Chart:
    """Per organisation, its current repositories by when they were last pushed to, relative
    to the collection date: in the last 90 days, 91 days to 12 months before, earlier, and
    archived; 100% bars with each share written in its segment."""
    rows, organisations = _rows(figures_of(tables, provenance.collected_on, figures))
    with matplotlib.rc_context(RC):
        return _activity_figure(provenance, rows, organisations)


def _activity_figure(provenance: Provenance, rows: DataFrame, organisations: int) -> Chart:
    """The bars, their legend, the header and the `<desc>`."""
    total = rows.iloc[-1]
    day = provenance.collected_on
    title = f"Activity of public repositories, by organisation, to {day}"
    subtitle = (
        f"Share of each organisation's public repositories by last push: since "
        f"{cutoff(day, RECENT_DAYS)} (90 days), since {cutoff(day, ACTIVE_DAYS)} (12 months), "
        "earlier; archived ones apart. Repositories in brackets."
    )
    figure, axes, svg_title = _row_figure(provenance, title, subtitle, _counted(rows))
    _activity_bars(axes, rows)
    listing = ", ".join(
        f"{name.lower()} {int(total[name]):,} ({percent(total[name], total['repositories'], 1)})"
        for name in ACTIVITY
    )
    alt = describe(
        provenance,
        f"Public repositories of {organisations:,} organisations by last push, relative to "
        f"{day}: {listing}.",
    )
    description = (
        f"{alt} Per organisation: "
        + "; ".join(
            f"{row['name']} ({row['repositories']:,}): "
            + ", ".join(
                f"{percent(row[name], row['repositories'])} {name.lower()}" for name in ACTIVITY
            )
            for row in rows.iloc[:-1].to_dict("records")
        )
        + "."
    )
    return render(figure, ACTIVITY_NAME, svg_title, description, alt)


def _activity_bars(axes: Any, rows: DataFrame) -> None:
    """100% stacked bars, a share written in each segment wide enough, a legend above."""
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    sizes = rows["repositories"].to_numpy(dtype=float)
    for name, legend, (colour, hatch, ink) in zip(ACTIVITY, ACTIVITY_LEGEND, ACTIVITY_STYLES,
                                                  strict=True):  # fmt: skip
        share = np.divide(rows[name].to_numpy(dtype=float), sizes, out=np.zeros(len(rows)),
                          where=sizes > 0)  # fmt: skip
        axes.barh(y, share, left=left, height=0.72, color=colour, hatch=hatch or None,
                  edgecolor="white", linewidth=0.6, label=legend)  # fmt: skip
        for row, (start, width) in enumerate(zip(left, share, strict=True)):
            if width >= 0.07:
                axes.text(start + width / 2, row, percent(width, 1), ha="center", va="center",
                          fontsize=LABEL_FONTSIZE - 0.5, color=ink)  # fmt: skip
        left = left + share
    axes.set_xlim(0, 1)
    axes.set_xticks([])
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=4, frameon=False,
                fontsize=LABEL_FONTSIZE, handlelength=1.6, columnspacing=1.2)  # fmt: skip
