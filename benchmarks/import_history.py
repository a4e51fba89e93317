"""Wall time of `oshs import-history` of the predecessor's full history (the git bundle of
nhsengland/open-health-statistics: 1,404 commits, about 350 MB of CSV across its versions)
into an empty folder, and of the same import again (nothing changes), over a few runs.

python benchmarks/import_history.py [RUNS] [BUNDLE]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUNDLE = (
    Path(__file__).resolve().parents[2]
    / "shared/reference/legacy-history/nhsengland-open-health-statistics.bundle"
)


def import_seconds(bundle: Path, folder: str) -> float:
    """One `python -m oshs import-history BUNDLE` in `folder`, interpreter start-up included."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "oshs", "import-history", str(bundle), "-q"],
                   cwd=folder, check=True, capture_output=True)  # fmt: skip
    return time.monotonic() - started


def main(runs: int, bundle: Path) -> None:
    """Print each run's wall time (first import, then the same again), then the medians."""
    first, again = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            first.append(import_seconds(bundle, folder))
            again.append(import_seconds(bundle, folder))
    print("oshs import-history of the full bundle, wall time (s): "
          + ", ".join(f"{t:.1f}" for t in first))  # fmt: skip
    print("the same import again (no change), wall time (s): "
          + ", ".join(f"{t:.1f}" for t in again))  # fmt: skip
    print(f"median {statistics.median(first):.1f} s, again {statistics.median(again):.1f} s, "
          f"over {runs} runs (target: 15 s)")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3,
         Path(sys.argv[2]) if len(sys.argv) > 2 else BUNDLE)  # fmt: skip
