"""The static website of a release (`outputs/site/`): HTML pages from the tables and charts,
a search index, and the vendored design system, all inside the package so the site makes no
request outside itself (no CDN, fonts or analytics) and works from `file://` and GitHub Pages.

`write_site` is the one place that writes it; `oshs.site.pages.render_site` makes the bytes
(the same inputs give the same bytes: no clock, sorted iteration).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from pandas import DataFrame

from oshs.errors import SiteError
from oshs.figures import Figures
from oshs.files import write_bytes_atomic
from oshs.provenance import Provenance
from oshs.site.pages import ChartRef, SiteInput, render_site

SITE_DIR = "site"
ASSETS_DIR = "assets"
SITE_FOLDERS = (SITE_DIR, f"{SITE_DIR}/organisations", f"{SITE_DIR}/{ASSETS_DIR}")
"""The folders of the site (relative to the outputs folder) whose stale files a build
removes: an organisation's page when it is gone."""


def static_files() -> dict[str, bytes]:
    """The vendored assets (`oshs/site/static`: CSS, script, licences) by file name."""
    folder = files("oshs.site").joinpath("static")
    found = {entry.name: entry.read_bytes() for entry in folder.iterdir()
             if entry.is_file() and not entry.name.startswith(".")}  # fmt: skip
    if "nhsuk-frontend.min.css" not in found or "oshs.js" not in found:
        raise SiteError(
            "the website's assets are missing from the installed oshs package",
            hint="reinstall oshs (its package data includes oshs/site/static)",
        )
    return dict(sorted(found.items()))


def site_files(
    tables: Mapping[str, DataFrame],
    descriptor: Mapping[str, Any],
    *,
    provenance: Provenance,
    charts: Sequence[Any],
    site_dir: Path,
    package_path: Path,
    charts_dir: Path,
    figures: Figures | None = None,
    language_groups: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """Every file of the site by path relative to `site_dir`: pages, index and assets.
    `charts` have `name`, `title` and `alt` (`oshs.charts.Chart`)."""
    site = SiteInput(
        tables=tables,
        descriptor=descriptor,
        provenance=provenance,
        figures=figures or Figures(tables, provenance.collected_on),
        charts=[ChartRef(chart.name, chart.title, chart.alt) for chart in charts],
        package_link=Path(os.path.relpath(package_path, site_dir)).as_posix(),
        charts_link=Path(os.path.relpath(charts_dir, site_dir)).as_posix(),
        language_groups=dict(language_groups or {}),
    )
    generated = render_site(site)
    assets = {f"{ASSETS_DIR}/{name}": data for name, data in static_files().items()}
    return dict(sorted({**generated, **assets}.items()))


def write_site(out_dir: Path, site: Mapping[str, bytes]) -> None:
    """Write the files of `site_files` into `out_dir/site/`."""
    for path, data in site.items():
        write_bytes_atomic(out_dir / SITE_DIR / path, data)


__all__ = ["ASSETS_DIR", "SITE_DIR", "SITE_FOLDERS", "site_files", "static_files", "write_site"]
