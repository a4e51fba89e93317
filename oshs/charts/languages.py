"""Languages: current repositories by primary language, and all bytes of code by language."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib
import pandas as pd
from pandas import DataFrame, Series

from oshs.charts.bars import Bar, hbars, not_collected
from oshs.charts.common import (
    LABEL_MAX_CHARS,
    RC,
    Chart,
    describe,
    new_figure,
    panel_title,
    plural,
    render,
)
from oshs.figures import (
    NO_LANGUAGE,
    OTHER,
    Figures,
    figures_of,
    language_bytes,
    language_counts,
    percent,
    top_with_other,
)
from oshs.provenance import Provenance
from oshs.text import shorten

NAME = "languages"
TOP = 10
NOT_COLLECTED = "Bytes of code per language were not collected\n(plain REST without enrichment)"


def languages_chart(
    tables: Mapping[str, DataFrame],
    *,
    provenance: Provenance,
    language_groups: Mapping[str, str] | None = None,
    top: int = TOP,
    figures: Figures | None = None,
) -> Chart:
    """Two rankings of the current repositories' languages (display groups applied): by
    repositories (primary language; the `top`, "Other" and "No language") and by bytes of
    code (every language of every repository, from `languages`; the `top` and "Other")."""
    groups = language_groups or {}
    current = figures_of(tables, provenance.collected_on, figures).current
    counts, without = language_counts(current, groups)
    by_repos = top_with_other(counts, top, _other(counts, top))
    if without:
        by_repos = pd.concat([by_repos, Series([without], index=[NO_LANGUAGE], dtype="int64")])
    sizes = language_bytes(tables["languages"], current, groups)
    by_bytes = top_with_other(sizes, top, _other(sizes, top))
    with matplotlib.rc_context(RC):
        return _figure(provenance, len(current), by_repos, by_bytes)


def _other(counts: Series, top: int) -> str:
    """The label of the languages after the `top`: "Other (34 languages)"."""
    return f"{OTHER} ({plural(len(counts) - top, 'language')})"


def _bars(counts: Series, total: int, *, with_count: bool) -> list[Bar]:
    """One bar per language: "931 (36%)" or the share alone."""
    return [
        Bar(
            shorten(name, LABEL_MAX_CHARS),
            float(value),
            f"{value:,} ({percent(value, total)})" if with_count else percent(value, total),
            special=name == NO_LANGUAGE or name.startswith(f"{OTHER} ("),
        )
        for name, value in counts.items()
    ]


def _figure(provenance: Provenance, total: int, by_repos: Series, by_bytes: Series) -> Chart:
    """Both panels, the header and the `<desc>`."""
    title = f"Languages of {plural(total, 'public repository', 'public repositories')}, " + (
        provenance.collected_on
    )
    subtitle = (
        "Left: repositories by primary language (the largest language of each, as GitHub "
        "detects it). Right: share of all bytes of code, every language of every repository."
    )
    figure, (left, right), svg_title = new_figure(
        provenance, title, subtitle, ncols=2, left=0.17, right=0.97, wspace=0.62, bottom=0.75
    )
    hbars(left, _bars(by_repos, total, with_count=True), xlabel="Repositories")
    panel_title(left, "By repositories")
    bytes_total = int(by_bytes.sum())
    if bytes_total:
        hbars(right, _bars(by_bytes, bytes_total, with_count=False), xlabel="Bytes of code")
        right.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_megabytes))
        right.set_xlabel("Bytes of code (MB)", fontsize=9)
        panel_title(right, "By bytes of code")
    else:
        not_collected(right, NOT_COLLECTED)
    description = describe(
        provenance,
        f"Languages of {plural(total, 'public repository', 'public repositories')} collected "
        f"on {provenance.collected_on}. By primary language: {_listing(by_repos, total, True)}."
        + (
            f" By bytes of code ({bytes_total:,} bytes in all): "
            f"{_listing(by_bytes, bytes_total, False)}."
            if bytes_total
            else " Bytes of code per language were not collected."
        ),
    )
    return render(figure, NAME, svg_title, description)


def _megabytes(value: float, _: object) -> str:
    """An x tick of bytes as megabytes."""
    return f"{value / 1e6:,.0f}"


def _listing(counts: Series, total: int, with_count: bool) -> str:
    """ "Python 931 (35.8%), R 315 (12.1%)…" or with shares only."""
    return ", ".join(
        f"{name} {value:,} ({percent(value, total, 1)})"
        if with_count
        else f"{name} {percent(value, total, 1)}"
        for name, value in counts.items()
    )
