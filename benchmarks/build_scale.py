"""Wall time and peak memory of `oshs build` on synthetic collections of 2,500, 25,000 and
250,000 repositories (growth should be close to linear).

The collections are real GraphQL snapshots of the bundled sample (collected through the sandbox
once), replicated under new organisation logins and repository ids up to each size. Each build
runs in its own process, so its peak memory is its own.

    python benchmarks/build_scale.py [SIZE ...]
"""

from __future__ import annotations

import copy
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from oshs.collect import ApiSettings
from oshs.collect.graphql import page_repositories
from oshs.config import bundled_config
from oshs.pipeline import run_collect
from oshs.sample import load_sample
from oshs.sandbox import Sandbox
from oshs.snapshot import read_collection, write_manifest, write_snapshot

SIZES = (2_500, 25_000, 250_000)
DATE = "2025-10-06"


def sample_snapshots(raw: Path) -> list[dict]:
    """The GraphQL snapshots of the bundled sample, collected through the sandbox."""
    with Sandbox(load_sample()) as sandbox:
        settings = ApiSettings(api_url=sandbox.url, token="t", seconds_between_requests=0)
        run_collect(
            bundled_config(), settings, raw_dir=raw, collected_at=datetime(2025, 10, 6, 6, 0, 0)
        )
    return read_collection(raw, DATE)


def replica(doc: dict, copy_number: int, keep: int) -> dict:
    """Copy `copy_number` of an organisation's snapshot: new login and ids, `keep` repositories."""
    doc = copy.deepcopy(doc)
    login = doc["login"] if copy_number == 0 else f"{doc['login'][:32]}-{copy_number}"
    doc["login"] = doc["organisation"]["body"]["login"] = login
    doc["organisation"]["body"]["databaseId"] += 10_000_000 * copy_number
    for page in doc["pages"]:
        nodes = page_repositories(page)[:keep]
        keep -= len(nodes)
        for node in nodes:
            node["databaseId"] += 100_000_000 * copy_number
            node["nameWithOwner"] = f"{login}/{node['name']}"
            node["url"] = f"https://github.com/{login}/{node['name']}"
        page["body"]["organization"]["repositories"]["nodes"] = nodes
    return doc


def write_collection(snapshots: list[dict], size: int, raw: Path) -> int:
    """Replicas of `snapshots` holding `size` repositories in all, written to `raw`."""
    left, copy_number = size, 0
    while left > 0:
        for doc in snapshots:
            count = min(left, sum(len(page_repositories(p)) for p in doc["pages"]))
            if count:
                write_snapshot(raw, replica(doc, copy_number, count))
                left -= count
        copy_number += 1
    write_manifest(raw, DATE, {"organisations": {"failed": {}}})
    return size


def build_once(raw: Path, out: Path) -> tuple[float, float]:
    """Run `oshs build` in a child process; (wall seconds, peak MiB of that child)."""
    code = (
        "import resource, sys, time; from oshs.cli import main; t = time.monotonic()\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(time.monotonic() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    args = [
        "build",
        "--raw-dir",
        str(raw),
        "--out",
        str(out / "outputs"),
        "--package",
        str(out / "datapackage.json"),
        "-q",
    ]
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False, cwd=out
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    wall, peak = done.stdout.split()[-2:]
    return float(wall), float(peak)


def main(sizes: tuple[int, ...]) -> None:
    """Print wall time and peak memory per size, and the growth from one size to the next."""
    with tempfile.TemporaryDirectory() as tmp:
        snapshots = sample_snapshots(Path(tmp, "sample"))
        print(f"{'repositories':>12} {'wall s':>8} {'peak MiB':>9} {'µs/repo':>8}")
        for size in sizes:
            raw, out = Path(tmp, f"raw-{size}"), Path(tmp, f"out-{size}")
            out.mkdir()
            write_collection(snapshots, size, raw)
            wall, peak = build_once(raw, out)
            print(f"{size:>12,} {wall:>8.1f} {peak:>9.0f} {wall / size * 1e6:>8.0f}", flush=True)


if __name__ == "__main__":
    main(tuple(int(arg) for arg in sys.argv[1:]) or SIZES)
