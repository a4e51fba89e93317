"""Render the tables of a release into the outputs folder: the charts (SVG and PNG), the
report and the website (`oshs.site`), all labelled with where the data came from
(`oshs.provenance.Provenance`): sample data, and which organisations the latest collection
missed and why."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from oshs.background import processes_for, return_free_memory
from oshs.charts import CHART_NAMES, Chart, chart_jobs, drawing
from oshs.config import Config
from oshs.figures import Figures
from oshs.files import write_bytes_atomic, write_text_atomic
from oshs.provenance import SAMPLE_LABEL, Provenance, build_provenance
from oshs.report import render_report
from oshs.site import (
    SITE_DIR,
    asset_files,
    chart_files,
    chart_refs,
    chartless_files,
    site_renderer,
    write_site,
)
from oshs.snapshot import failed_organisations

CHART_DIR = "charts"
CACHED_RELEASES = 4
_DRAWN: dict[Hashable, list[Chart]] = {}
"""Charts drawn in this process by the hashes of the tables they were drawn from: a build that
publishes the same tables again (a publish that rebuilds after a rejected push, a re-run on
the same day) reuses them instead of drawing the same bytes again."""


def _charts_key(
    descriptor: Mapping[str, Any], provenance: Provenance, groups: Mapping[str, str]
) -> Hashable | None:
    """What the charts depend on: the tables (their hashes in the descriptor), the provenance
    and the language groups; None when a resource has no hash."""
    hashes = tuple((r.get("name"), r.get("hash")) for r in descriptor.get("resources", []))
    if not hashes or any(not isinstance(digest, str) for _, digest in hashes):
        return None
    return hashes, provenance, tuple(sorted(groups.items()))


def _remember(key: Hashable | None, charts: list[Chart]) -> list[Chart]:
    """Keep the charts of the last `CACHED_RELEASES` releases; returns `charts`."""
    if key is None:
        return charts
    _DRAWN[key] = charts
    while len(_DRAWN) > CACHED_RELEASES:
        del _DRAWN[next(iter(_DRAWN))]
    return charts


def release_provenance(
    config: Config,
    tables: dict[str, Any],
    descriptor: dict[str, Any],
    *,
    collected_on: str,
    raw_dir: Path | None = None,
) -> Provenance:
    """Sample data or not (the descriptor's `sources`), and the organisations not collected on
    `collected_on`: failed in the manifests of that date in `raw_dir` (with their reasons) or
    marked stale in `organisations`."""
    failed = failed_organisations(raw_dir, collected_on) if raw_dir is not None else {}
    return build_provenance(
        collected_on,
        sources=descriptor.get("sources"),
        organisations=tables["organisations"].to_dict("records"),
        failed=failed,
        configured=[organisation.key for organisation in config.organisations],
        names={o.key: o.name for o in config.organisations if o.name},
    )


def _report_chart(chart: Chart) -> tuple[str, str, str]:
    """A chart as the report shows it: path, heading (its visible title) and alt text."""
    return (f"{CHART_DIR}/{chart.name}.svg", chart.title.removeprefix(f"{SAMPLE_LABEL}: "),
            chart.alt)  # fmt: skip


def _write_charts(folder: Path, charts: list[Chart]) -> None:
    """Each chart's SVG and PNG; the files of a chart the release does not have are removed
    (e.g. a history chart of a replaced, sample history)."""
    for chart in charts:
        write_bytes_atomic(folder / f"{chart.name}.svg", chart.svg)
        write_bytes_atomic(folder / f"{chart.name}.png", chart.png)
    drawn = {chart.name for chart in charts}
    for name in CHART_NAMES:
        if name not in drawn:
            for suffix in (".svg", ".png"):
                (folder / f"{name}{suffix}").unlink(missing_ok=True)


@contextmanager
def _charts(
    config: Config, tables: dict[str, Any], descriptor: dict[str, Any], provenance: Provenance,
    figures: Figures,
) -> Iterator[Callable[[], list[Chart]]]:  # fmt: skip
    """The charts of the release (`oshs.charts.drawing`): drawn in forked processes while
    the block goes on, or those drawn already for the same tables (`_DRAWN`). One core of
    `processes_for` is left to this process: it renders the website meanwhile, about as
    long as drawing every chart takes (two processes drawing on two cores would slow it)."""
    key = _charts_key(descriptor, provenance, config.language_groups)
    charts = _DRAWN.get(key) if key is not None else None
    if charts is not None:
        yield lambda: charts
        return
    jobs = chart_jobs(tables, provenance=provenance, language_groups=config.language_groups,
                      figures=figures)  # fmt: skip
    with drawing(jobs, processes_for(len(figures.current)) - 1) as drawn:
        yield lambda: _remember(key, drawn())


def write_charts_and_report(
    config: Config,
    tables: dict[str, Any],
    descriptor: dict[str, Any],
    *,
    out_dir: Path,
    package_path: Path,
    collected_on: str,
    raw_dir: Path | None = None,
) -> Provenance:
    """Write every chart (`charts/<name>.svg` and `.png`), `README.md` and the website
    (`site/`) of the outputs folder; a chart the release does not have (history with one
    date) is removed. The pages that show no chart are written while the charts are drawn.
    Returns the provenance the outputs were labelled with."""
    provenance = release_provenance(
        config, tables, descriptor, collected_on=collected_on, raw_dir=raw_dir
    )
    figures = Figures(tables, collected_on)
    with _charts(config, tables, descriptor, provenance, figures) as drawn:
        site = site_renderer(
            tables, descriptor, provenance=provenance, site_dir=out_dir / SITE_DIR,
            package_path=package_path, charts_dir=out_dir / CHART_DIR, figures=figures,
            language_groups=config.language_groups,
        )  # fmt: skip
        return_free_memory()  # what making the rows freed (1M repositories: about 250 MB)
        write_site(out_dir, chartless_files(site))
        site.release_rows()
        return_free_memory()  # what the pages freed, and the rows (1M repositories: 600 MB)
        charts = drawn()
    _write_charts(out_dir / CHART_DIR, charts)
    link = Path(os.path.relpath(package_path, out_dir)).as_posix()
    text = render_report(
        tables,
        descriptor=descriptor,
        charts=[_report_chart(chart) for chart in charts],
        package_link=link,
        provenance=provenance,
        language_groups=config.language_groups,
        figures=figures,
    )
    write_text_atomic(out_dir / "README.md", text)
    return_free_memory()  # what the report freed, before the pages with charts are made
    site.use_charts(chart_refs(charts))
    write_site(out_dir, chart_files(site))
    write_site(out_dir, asset_files())
    return provenance
