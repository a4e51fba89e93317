"""Wall time of the website (`oshs.site`: every page, the search index and the assets, written
to disk) for 250,000 repositories (target: 10 s or less), and in Chromium the time its
repositories page takes to load with the search ready, and to filter once (target: under 2 s).

The tables are the sample's replicated up to the size with an imported daily history, as
`render_scale.py` makes them. The site is written three times in this process (fresh `Figures`
each time: nothing cached from a previous run), and the median printed; the browser is Debian's
Chromium through Playwright (`tests/browser.py`), the page opened from `file://`.

    python benchmarks/site_scale.py [SIZE ...]      # default: 250000
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path[:0] = [str(Path(__file__).resolve().parent),
                str(Path(__file__).resolve().parent.parent / "tests")]  # fmt: skip

from browser import chromium  # noqa: E402
from render_scale import imported_history, replicate, sample_tables  # noqa: E402

from oshs.charts import CHART_NAMES  # noqa: E402
from oshs.config import bundled_config  # noqa: E402
from oshs.figures import Figures  # noqa: E402
from oshs.render import release_provenance  # noqa: E402
from oshs.site import site_files, write_site  # noqa: E402
from oshs.site.pages import ChartRef  # noqa: E402

SIZES = (250_000,)
RUNS = 3
COLLECTED_ON = "2025-10-13"
QUERY = "snomed"


def write_once(tables: dict[str, pd.DataFrame], descriptor: dict, root: Path) -> float:
    """Wall seconds to render and write the whole site under `root/outputs/site`."""
    out = root / "outputs"
    shutil.rmtree(out / "site", ignore_errors=True)
    config = bundled_config()
    started = time.monotonic()
    provenance = release_provenance(config, tables, descriptor, collected_on=COLLECTED_ON)
    charts = [ChartRef(name, f"{name} chart", f"{name} chart") for name in CHART_NAMES]
    files = site_files(tables, descriptor, provenance=provenance, charts=charts,
                       site_dir=out / "site", package_path=root / "datapackage.json",
                       charts_dir=out / "charts", figures=Figures(tables, COLLECTED_ON),
                       language_groups=config.language_groups)  # fmt: skip
    write_site(out, files)
    return time.monotonic() - started


def browse(site: Path) -> tuple[float, float, int]:
    """Milliseconds until the repositories page has loaded and run its first search, then
    until typing `QUERY` has filtered it; and the bytes of the search index."""
    with chromium() as browser:
        page = browser.new_page()
        started = time.monotonic()
        page.goto((site / "repositories.html").as_uri())
        page.wait_for_function("document.getElementById('search-status').textContent !== ''")
        loaded = time.monotonic()
        before = page.locator("#search-status").inner_text()
        typed = time.monotonic()
        page.fill("#search-query", QUERY)
        page.wait_for_function("b => document.getElementById('search-status').textContent "
                               "!== b", arg=before, polling=10)  # fmt: skip
        filtered = time.monotonic()
        page.close()
    size = (site / "search-index.js").stat().st_size
    return 1000 * (loaded - started), 1000 * (filtered - typed), size


def main(sizes: tuple[int, ...]) -> None:
    """Print, per size, the site's wall time and the browser's load and filter times."""
    with tempfile.TemporaryDirectory() as tmp:
        tables, descriptor = sample_tables(Path(tmp, "sample"))
        for size in sizes:
            big = replicate(tables, size)
            own = big["organisation_history"].assign(
                source="oshs", includes_forks=False, open_issues_include_pull_requests=False
            )
            big["organisation_history"] = pd.concat(
                [own, imported_history(tables["organisations"]["login"])], ignore_index=True
            )
            root = Path(tmp, f"site-{size}")
            root.mkdir()
            walls = [write_once(big, descriptor, root) for _ in range(RUNS)]
            site = root / "outputs" / "site"
            pages = sum(1 for _ in site.rglob("*.html"))
            megabytes = sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6
            live = int((~big["repositories"]["removed"].astype(bool)).sum())
            print(f"{live:,} repositories, {len(big['organisations']):,} organisations: site "
                  f"({pages:,} pages, {megabytes:.0f} MB) written in "
                  f"{', '.join(f'{w:.2f}' for w in walls)} s; median "
                  f"{statistics.median(walls):.2f} s (target: 10 s; load average "
                  f"{os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
            loaded, filtered, index = browse(site)
            print(f"  repositories page in Chromium: loaded with the search ready in "
                  f"{loaded:.0f} ms, filtered by {QUERY!r} in {filtered:.0f} ms (search index "
                  f"{index / 1e6:.1f} MB; target: under 2,000 ms)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main(tuple(int(arg) for arg in sys.argv[1:]) or SIZES)
