"""Wall time of the charts and the report (`oshs.render.write_charts_and_report`: every chart as
SVG and PNG, and `outputs/README.md`) for 250,000 repositories (target: 5 s or less).

The tables are those of the bundled sample (collected through the sandbox on its two dates and
built once, as `oshs demo` does), replicated under new organisation logins and repository ids
up to each size, as `build_scale.py` replicates the snapshots; `organisation_history` also gets
an imported daily history (2021 to 2025, `source` of the predecessor) so that the history chart
draws its long form. Each render runs in a fresh process (no warm cache helps it), three times
per size; the machine's load average is printed beside, as other work on it slows it down.
Charts of 20,000 repositories or more are drawn on every core (`OSHS_PROCESSES=1` to
draw them one after the other).

    python benchmarks/render_scale.py [SIZE ...]      # default: 250000
"""

from __future__ import annotations

import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from oshs.background import processes_for
from oshs.config import bundled_config
from oshs.demo import run_sample
from oshs.schema import TABLES
from oshs.tables import read_table

SIZES = (250_000,)
RUNS = 3
COLLECTED_ON = "2025-10-13"
IMPORTED_SOURCE = "nhsengland/open-health-statistics"


def sample_tables(root: Path) -> tuple[dict[str, pd.DataFrame], dict]:
    """The tables and descriptor of the sample, built as `oshs demo` builds them."""
    result = run_sample(bundled_config(), raw_dir=root / "raw", out_dir=root / "outputs",
                        package_path=root / "datapackage.json")  # fmt: skip
    data = root / "outputs" / "data"
    tables = {name: read_table(data / f"{name}.csv", table) for name, table in TABLES.items()}
    return tables, result.descriptor


def _suffix(values: pd.Series, number: int) -> pd.Series:
    """Logins (or `login/name` full names) of replica `number` (the original for 0)."""
    if number == 0:
        return values
    parts = values.astype(str).str.extract(r"^([^/]*)(.*)$")  # login, then "/name" or ""
    return (parts[0].str.slice(0, 32) + f"-{number}" + parts[1]).astype(values.dtype)


def replicate(tables: dict[str, pd.DataFrame], size: int) -> dict[str, pd.DataFrame]:
    """Copies of every table, new logins and ids per copy, `size` current repositories in all
    (the last copy cut short)."""
    current = int((~tables["repositories"]["removed"].astype(bool)).sum())
    copies = -(-size // current)
    result = {}
    for name, frame in tables.items():
        parts = []
        for number in range(copies):
            part = frame.copy()
            for column in ("login", "organisation", "full_name"):
                if column in part.columns:
                    part[column] = _suffix(part[column], number)
            for column in ("id", "repository_id"):
                if column in part.columns and name != "organisations":
                    part[column] = part[column] + 100_000_000 * number
            if name == "organisations":
                part["id"] = part["id"] + 10_000_000 * number
                part["name"] = part["name"].astype(str) + (f" ({number})" if number else "")
            parts.append(part)
        result[name] = pd.concat(parts, ignore_index=True)
    repositories = result["repositories"]
    live = np.flatnonzero(~repositories["removed"].astype(bool).to_numpy())
    result["repositories"] = repositories.drop(repositories.index[live[size:]])
    return result


def imported_history(organisations: pd.Series) -> pd.DataFrame:
    """A daily imported history, 2021-03-01 to 2025-09-30, for every organisation."""
    days = pd.date_range("2021-03-01", "2025-09-30", freq="D").strftime("%Y-%m-%d")
    frame = pd.MultiIndex.from_product([days, organisations]).to_frame(
        index=False, name=["collected_on", "organisation"]
    )
    step = np.repeat(np.arange(len(days)), len(organisations))
    for column, scale in (("repositories", 60), ("stars", 20), ("forks", 50), ("open_issues", 90)):
        frame[column] = pd.array(10 + step // scale, dtype="Int64")
    frame["source"] = IMPORTED_SOURCE
    frame["includes_forks"] = True
    frame["open_issues_include_pull_requests"] = True
    return frame


CHILD = """
import pickle, sys, time
from pathlib import Path
tables, descriptor, out = pickle.loads(Path(sys.argv[1]).read_bytes())
from oshs.config import bundled_config
from oshs.render import write_charts_and_report
started = time.monotonic()
write_charts_and_report(bundled_config(), tables, descriptor, out_dir=Path(out),
                        package_path=Path(out).parent / "datapackage.json",
                        collected_on="2025-10-13")
print(time.monotonic() - started)
"""


def render_once(tables: dict[str, pd.DataFrame], descriptor: dict, root: Path) -> float:
    """Wall seconds of `write_charts_and_report` in a fresh process (its imports done first:
    matplotlib's fonts and caches are loaded inside the call, as in a build)."""
    payload = root / "tables.pickle"
    payload.write_bytes(pickle.dumps((tables, descriptor, str(root / "outputs"))))
    done = subprocess.run([sys.executable, "-c", CHILD, str(payload)], capture_output=True,
                          text=True, check=False)  # fmt: skip
    if done.returncode:
        raise SystemExit(done.stderr)
    return float(done.stdout.split()[-1])


def main(sizes: tuple[int, ...]) -> None:
    """Print, per size, the repositories, organisations and wall time of charts + report."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        tables, descriptor = sample_tables(Path(tmp, "sample"))
        print(f"sample built in {time.monotonic() - started:.1f} s", flush=True)
        print(f"{'repositories':>12} {'organisations':>13} {'history rows':>12} "
              f"{'processes':>9}  wall s (each run; load average)")  # fmt: skip
        for size in sizes:
            big = replicate(tables, size)
            own = big["organisation_history"].assign(
                source="oshs", includes_forks=False, open_issues_include_pull_requests=False
            )
            big["organisation_history"] = pd.concat(
                [own, imported_history(tables["organisations"]["login"])], ignore_index=True
            )
            root = Path(tmp, f"render-{size}")
            root.mkdir()
            runs = []
            for _ in range(RUNS):
                runs.append(f"{render_once(big, descriptor, root):.2f} ({os.getloadavg()[0]:.1f})")
            live = int((~big["repositories"]["removed"].astype(bool)).sum())
            walls = [float(run.split()[0]) for run in runs]
            print(f"{live:>12,} {len(big['organisations']):>13,} "
                  f"{len(big['organisation_history']):>12,} {processes_for(live):>9}  "
                  f"{', '.join(runs)}; median {statistics.median(walls):.2f} s (target: 5 s)",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main(tuple(int(arg) for arg in sys.argv[1:]) or SIZES)
