"""Deterministic charts of the published tables (SVG with `<title>` and `<desc>`, and a PNG
twin), one module per chart or family; what they share (style, layout, labels of provenance,
rendering) is in `oshs.charts.common`. `draw_charts` draws every chart a release has (`drawing`
of `chart_jobs`: while other work goes on)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from pandas import DataFrame

from oshs.charts.cambrian import cambrian_explosion_chart
from oshs.charts.common import Chart
from oshs.charts.community import activity_chart, community_files_chart
from oshs.charts.history import has_history, history_chart
from oshs.charts.languages import languages_chart
from oshs.charts.licenses import licenses_chart, topics_chart
from oshs.charts.organisations import organisations_chart, repositories_by_organisation_chart
from oshs.charts.parallel import draw_all, drawing
from oshs.charts.years import new_repositories_per_year_chart
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
    jobs: list[Callable[[], Chart]] = [
        partial(
            cambrian_explosion_chart,
            tables,
            language_groups=groups,
            provenance=provenance,
            figures=figures,
        ),
        partial(repositories_by_organisation_chart, tables, provenance=provenance, figures=figures),
        partial(new_repositories_per_year_chart, tables, provenance=provenance, figures=figures),
        partial(
            languages_chart, tables, language_groups=groups, provenance=provenance, figures=figures
        ),
        partial(licenses_chart, tables, provenance=provenance, figures=figures),
        partial(topics_chart, tables, provenance=provenance, figures=figures),
        partial(organisations_chart, tables, provenance=provenance, figures=figures),
        partial(community_files_chart, tables, provenance=provenance, figures=figures),
        partial(activity_chart, tables, provenance=provenance, figures=figures),
    ]
    if has_history(tables["organisation_history"]):
        jobs.append(partial(history_chart, tables["organisation_history"], provenance=provenance))
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


__all__ = [
    "CHART_NAMES",
    "Chart",
    "activity_chart",
    "cambrian_explosion_chart",
    "chart_jobs",
    "community_files_chart",
    "draw_charts",
    "drawing",
    "has_history",
    "history_chart",
    "languages_chart",
    "licenses_chart",
    "new_repositories_per_year_chart",
    "organisations_chart",
    "repositories_by_organisation_chart",
    "topics_chart",
]
