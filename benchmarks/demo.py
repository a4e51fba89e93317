"""Wall time of `oshs demo` after install, over a few runs in fresh folders.

python benchmarks/demo.py [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time


def demo_seconds() -> float:
    """One `python -m oshs demo` in a fresh folder, interpreter start-up included."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "oshs", "demo", "-q"], cwd=folder, check=True,
                       capture_output=True)  # fmt: skip
        return time.monotonic() - started


def main(runs: int) -> None:
    """Print each run's wall time, then the median."""
    times = [demo_seconds() for _ in range(runs)]
    print("oshs demo wall time (s): " + ", ".join(f"{t:.1f}" for t in times))
    print(f"median {statistics.median(times):.1f} s over {runs} runs (target: 20 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
