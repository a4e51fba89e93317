"""Render the tables of a release into the outputs folder: the charts and the report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from oshs.charts import cambrian_explosion_chart, has_history, history_chart
from oshs.config import Config
from oshs.files import write_bytes_atomic, write_text_atomic
from oshs.report import render_report

CAMBRIAN_CHART = "charts/cambrian-explosion.svg"
HISTORY_CHART = "charts/history.svg"


def write_charts_and_report(
    config: Config,
    tables: dict[str, Any],
    descriptor: dict[str, Any],
    *,
    out_dir: Path,
    package_path: Path,
    collected_on: str,
) -> None:
    """Write the headline chart and `README.md` of the outputs folder."""
    svg = cambrian_explosion_chart(
        tables["repositories"],
        language_groups=dict(config.language_groups),
        collected_on=collected_on,
    )
    write_bytes_atomic(out_dir / CAMBRIAN_CHART, svg)
    alt = (
        f"Cumulative public repositories of {len(tables['organisations'])} organisations "
        f"by creation date and language, as collected on {collected_on}"
    )
    charts = [(CAMBRIAN_CHART, alt)]
    history = tables["organisation_history"]
    if not has_history(history):  # one collection: any earlier chart was of a replaced history
        (out_dir / HISTORY_CHART).unlink(missing_ok=True)
    else:
        write_bytes_atomic(out_dir / HISTORY_CHART, history_chart(history))
        dates = history["collected_on"].nunique()
        charts.append(
            (
                HISTORY_CHART,
                f"Stars, forks and open issues of all organisations on "
                f"each of {dates} collection dates, up to {collected_on}",
            )
        )
    link = Path(os.path.relpath(package_path, out_dir)).as_posix()
    text = render_report(tables, descriptor=descriptor, charts=charts, package_link=link)
    write_text_atomic(out_dir / "README.md", text)
