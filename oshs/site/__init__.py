"""The static website of a release (`outputs/site/`): HTML pages from the tables and charts,
a search index, and the vendored design system, all inside the package so the site makes no
request outside itself (no CDN, fonts or analytics) and works from `file://` and GitHub Pages.

`write_site` is the one place that writes it; `oshs.site.pages` makes the bytes (the same
inputs give the same bytes: no clock, sorted iteration): `site_files` all at once, or a
`site_renderer`'s `chartless_files` (while the charts are drawn), `chart_files` and
`asset_files`, each written as it is made.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from pandas import DataFrame

from oshs.errors import SiteError
from oshs.figures import Figures
from oshs.files import write_bytes_atomic
from oshs.provenance import Provenance
from oshs.site.pages import ChartRef, Renderer, SiteInput, chart_files, chartless_files

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


def asset_files() -> dict[str, bytes]:
    """The assets of the site (`static_files`) by path relative to the site's folder."""
    return {f"{ASSETS_DIR}/{name}": data for name, data in static_files().items()}


def chart_refs(charts: Sequence[Any]) -> list[ChartRef]:
    """`charts` (with `name`, `title` and `alt`: `oshs.charts.Chart`) as the site shows them."""
    return [ChartRef(chart.name, chart.title, chart.alt) for chart in charts]


def site_renderer(
    tables: Mapping[str, DataFrame],
    descriptor: Mapping[str, Any],
    *,
    provenance: Provenance,
    site_dir: Path,
    package_path: Path,
    charts_dir: Path,
    figures: Figures | None = None,
    language_groups: Mapping[str, str] | None = None,
    charts: Sequence[Any] = (),
) -> Renderer:
    """The renderer of the site's pages (`chartless_files`, `chart_files`); `charts` have
    `name`, `title` and `alt` (`oshs.charts.Chart`), or are given later (`use_charts`)."""
    site = SiteInput(
        tables=tables,
        descriptor=descriptor,
        provenance=provenance,
        figures=figures or Figures(tables, provenance.collected_on),
        charts=chart_refs(charts),
        package_link=Path(os.path.relpath(package_path, site_dir)).as_posix(),
        charts_link=Path(os.path.relpath(charts_dir, site_dir)).as_posix(),
        language_groups=dict(language_groups or {}),
    )
    return Renderer(site)


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
    renderer = site_renderer(
        tables, descriptor, provenance=provenance, site_dir=site_dir, charts=charts,
        package_path=package_path, charts_dir=charts_dir, figures=figures,
        language_groups=language_groups,
    )  # fmt: skip
    generated = [*chartless_files(renderer), *chart_files(renderer)]
    return dict(sorted({**dict(generated), **asset_files()}.items()))


def write_site(out_dir: Path, site: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> None:
    """Write files into `out_dir/site/`: those of `site_files`, or (path, bytes) pairs as they
    are made (`chartless_files`, ...: only one held at a time)."""
    for path, data in site.items() if isinstance(site, Mapping) else site:
        write_bytes_atomic(out_dir / SITE_DIR / path, data)
        del data  # not held while the next file is made (the search index: 94 MB at 1M)


__all__ = [
    "ASSETS_DIR",
    "SITE_DIR",
    "SITE_FOLDERS",
    "asset_files",
    "chart_files",
    "chart_refs",
    "chartless_files",
    "site_files",
    "site_renderer",
    "static_files",
    "write_site",
]
