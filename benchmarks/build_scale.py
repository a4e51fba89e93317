"""Wall time and peak memory of `oshs build` at 25,000, 250,000 and 1,000,000 repositories, and of
the incremental build of the next day.

Each size is a dataset in the documented format (docs/architecture.md): the bundled sample's
organisations replicated under new logins and ids up to the size. It is served by `oshs sandbox
--dataset FILE --rate-limit N` and collected by `oshs collect` over GraphQL, the real client
path; then `oshs build` runs in a fresh process; its peak RSS is the largest of its own and of
each process it started. Day 2 is the same dataset a day later with 1% of the repositories
starred once more and 0.1% new ones: its build is incremental (the day before is not replayed:
the line `dates applied` says which days were).

    python benchmarks/build_scale.py [SIZE ...]

With `OSHS_BENCHMARK_DIR=folder`, everything is kept there (to profile a build again).
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from oshs.sample import load_sample

SIZES = (25_000, 250_000, 1_000_000)
FIRST_REPLICA_ID = 1_000_000_000
"""Replicas' repository ids count up from here: above the sample's, within GraphQL's 32-bit Int."""
DAYS = ("2025-10-06", "2025-10-07")


def replicated(size: int) -> dict[str, Any]:
    """The sample's organisations copied under new logins and ids until `size` repositories."""
    sample = load_sample()
    organisations, left, copy_number, next_id = [], size, 0, FIRST_REPLICA_ID
    while left > 0:
        for organisation in sample["organisations"]:
            public = [r for r in organisation["repositories"] if r["visibility"] == "public"]
            if not public or left <= 0:
                continue
            twin = copy.deepcopy({**organisation, "repositories": public[:left]})
            if copy_number:
                twin["login"] = f"{organisation['login'][:30]}-{copy_number}"
                twin["id"] += 1_000_000 * copy_number
                for repository in twin["repositories"]:
                    repository["id"], next_id = next_id, next_id + 1
            left -= len(twin["repositories"])
            organisations.append(twin)
        copy_number += 1
    return {**sample, "organisations": organisations}


def next_day(dataset: dict[str, Any]) -> dict[str, Any]:
    """The dataset a day later: 1% of the repositories starred once more, 0.1% new ones."""
    later = copy.deepcopy(dataset)
    later["collected_at"] = f"{DAYS[1]}T06:00:00Z"
    number = 0
    for organisation in later["organisations"]:
        new = []
        for repository in organisation["repositories"]:
            number += 1
            if number % 100 == 0:
                repository["stargazers_count"] += 1
            if number % 1000 == 0:
                twin = {**repository, "id": repository["id"] + 1_000_000_000}
                new.append({**twin, "name": f"{repository['name']}-next", "topics": []})
        organisation["repositories"] += new
    return later


def collect(dataset: dict[str, Any], day: str, folder: Path, raw: Path) -> None:
    """`oshs collect` over GraphQL from `oshs sandbox --dataset` serving `dataset`."""
    path = folder / f"dataset-{day}.json.gz"
    path.write_bytes(gzip.compress(json.dumps(dataset).encode("utf-8"), compresslevel=1))
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "oshs", "sandbox", "--dataset", str(path), "--rate-limit",
         "10000000", "-q"], stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        url = sandbox.stdout.readline().strip() if sandbox.stdout else ""
        done = subprocess.run(
            [sys.executable, "-m", "oshs", "collect", "--config", str(folder / "oshs.yaml"),
             "--raw-dir", str(raw), "--api-url", url, "--collected-at", f"{day}T06:00:00Z", "-q"],
            env={**os.environ, "GITHUB_TOKEN": "benchmark"}, capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        if done.returncode:
            raise SystemExit(done.stderr)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)


def build_once(folder: Path, raw: Path) -> tuple[float, float, str]:
    """`oshs build` in a fresh process: (wall seconds, peak MiB, the dates it applied). The
    peak is the largest of the build process's and of each process it started (a large build
    reads, makes Parquet twins, validates and draws in other processes, `oshs.background`).

    The build's own peak is its address space's high-water mark (`VmHWM`), not its
    `ru_maxrss`: Linux carries `ru_maxrss` across `exec`, so a build started by this process
    (which holds the dataset: 1,194 MiB at 250,000 repositories) would report this process's
    size rather than its own. Its children's `ru_maxrss` is bounded by the build's size when
    it started them, so theirs is taken as it is."""
    code = (
        "import resource, sys, time; from oshs.cli import main; t = time.monotonic()\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
        "peak = max(int(status), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(time.monotonic() - t, peak / 1024)"
    )
    args = [
        "build",
        "--config",
        str(folder / "oshs.yaml"),
        "--raw-dir",
        str(raw),
        "-v",
        "--out",
        str(folder / "outputs"),
        "--package",
        str(folder / "datapackage.json"),
    ]
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False,
        cwd=folder,
    )  # fmt: skip
    if "Traceback" in done.stderr or not done.stdout.strip():
        raise SystemExit(done.stderr)
    wall, peak = done.stdout.split()[-2:]
    applied = [line for line in done.stderr.splitlines() if "collection dates to apply" in line]
    dates = applied[-1].split(": ", 1)[-1] if applied else "?"
    return float(wall), float(peak), dates


def measure(size: int, folder: Path) -> Iterator[tuple[str, float, float, str]]:
    """Collect and build day 1, then day 2, of a dataset of `size` repositories."""
    folder.mkdir()
    dataset = replicated(size)
    logins = [organisation["login"] for organisation in dataset["organisations"]]
    (folder / "oshs.yaml").write_text(json.dumps({"organisations": logins}), encoding="utf-8")
    raw = folder / "raw"
    for day, data in zip(DAYS, (dataset, next_day(dataset)), strict=True):
        collect(data, day, folder, raw)
        yield (day, *build_once(folder, raw))


def main(sizes: tuple[int, ...]) -> None:
    """Print, per size and day, wall time, peak RSS and the days applied; then the ratios."""
    print(f"{'repositories':>12} {'day':>10} {'wall s':>7} {'peak MiB':>9} {'µs/repo':>8}  applied")
    first: dict[str, float] = {}
    keep = os.environ.get("OSHS_BENCHMARK_DIR")  # keep the datasets, raw files and packages
    with tempfile.TemporaryDirectory() as scratch:
        tmp = tempfile.mkdtemp(dir=keep) if keep else scratch
        for size in sizes:
            for day, wall, peak, dates in measure(size, Path(tmp, str(size))):
                first.setdefault(day, wall / size)
                ratio = wall / size / first[day]
                print(f"{size:>12,} {day:>10} {wall:>7.1f} {peak:>9.0f} {wall / size * 1e6:>8.1f}"
                      f"  {dates}  (time/repo ×{ratio:.2f} of the first)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main(tuple(int(arg) for arg in sys.argv[1:]) or SIZES)
