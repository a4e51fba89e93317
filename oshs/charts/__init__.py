"""Deterministic charts of the published tables (SVG with `<title>` and `<desc>`, and a PNG
twin), one module per chart or family; what they share (style, layout, labels of provenance,
rendering) is in `oshs.charts.common`. `draw_charts` draws every chart a release has (`drawing`
of `chart_jobs`: while other work goes on)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from pandas import DataFrame

from oshs.charts.chart import Chart
from oshs.charts.history_series import has_history
from oshs.charts.parallel import draw_all, drawing
from oshs.figures import Figures
from oshs.provenance import Provenance

CHART_NAMES = (
    "cambrian-explosion",
    "repositories-by-organisation",
    "new-repositories-per-year",
    "languages",
    "licenses",
    "topics",
    "organisations",
    "community-files",
    "activity",
    "history",
)
"""Every chart's file stem, in the order of the report."""
CHART_FUNCTIONS = {
    "cambrian_explosion_chart": "cambrian",
    "repositories_by_organisation_chart": "organisations",
    "new_repositories_per_year_chart": "years",
    "languages_chart": "languages",
    "licenses_chart": "licenses",
    "topics_chart": "licenses",
    "organisations_chart": "organisations",
    "community_files_chart": "community",
    "activity_chart": "community",
    "history_chart": "history",
}
"""The module of each chart function, imported when a chart is first drawn: they load
matplotlib, which only the process that draws needs (0.5 s of the start of every build)."""


def __getattr__(name: str) -> Any:
    """A chart function of `CHART_FUNCTIONS` (`oshs.charts.languages_chart`), its module
    imported now."""
    module = CHART_FUNCTIONS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def _drawn_by(function: str, *args: Any, **kwargs: Any) -> Chart:
    """The chart drawn by the chart function named `function`, imported in the process that
    draws it."""
    chart: Chart = __getattr__(function)(*args, **kwargs)
    return chart


def chart_jobs(
    tables: Mapping[str, DataFrame],
    *,
    provenance: Provenance,
    language_groups: Mapping[str, str] | None = None,
    figures: Figures | None = None,
) -> list[Callable[[], Chart]]:
    """A function drawing each chart of `CHART_NAMES` (history only with two dates or more),
    in that order; `figures` (of `tables`) are computed now for all of them when not given."""
    groups = dict(language_groups or {})
    figures = figures or Figures(tables, provenance.collected_on)
    figures.compute()  # before any fork: every process shares them
    shared = {"provenance": provenance, "figures": figures}
    jobs: list[Callable[[], Chart]] = [
        partial(_drawn_by, "cambrian_explosion_chart", tables, language_groups=groups, **shared),
        partial(_drawn_by, "repositories_by_organisation_chart", tables, **shared),
        partial(_drawn_by, "new_repositories_per_year_chart", tables, **shared),
        partial(_drawn_by, "languages_chart", tables, language_groups=groups, **shared),
        partial(_drawn_by, "licenses_chart", tables, **shared),
        partial(_drawn_by, "topics_chart", tables, **shared),
        partial(_drawn_by, "organisations_chart", tables, **shared),
        partial(_drawn_by, "community_files_chart", tables, **shared),
        partial(_drawn_by, "activity_chart", tables, **shared),
    ]
    if has_history(tables["organisation_history"]):
        history = tables["organisation_history"]
        jobs.append(partial(_drawn_by, "history_chart", history, provenance=provenance))
    return jobs


def draw_charts(
    tables: Mapping[str, DataFrame],
    *,
    provenance: Provenance,
    language_groups: Mapping[str, str] | None = None,
    figures: Figures | None = None,
    processes: int = 1,
) -> list[Chart]:
    """Every chart of `chart_jobs`, in that order; `processes` > 1 draws them in that many
    forked processes (`oshs.charts.parallel`), the same bytes."""
    jobs = chart_jobs(tables, provenance=provenance, language_groups=language_groups,
                      figures=figures)  # fmt: skip
    return draw_all(jobs, processes)


__all__ = [  # the chart functions too (`__getattr__`), named once, in `CHART_FUNCTIONS`
    "CHART_NAMES",
    "Chart",
    "chart_jobs",
    "draw_charts",
    "drawing",
    "has_history",
    *CHART_FUNCTIONS,
]
