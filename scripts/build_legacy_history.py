#!/usr/bin/env python
"""Write `oshs/data/legacy-history.csv.gz`: the daily totals that nhsengland/open-health-statistics
published for the organisations of the bundled config (its GitLab group gitlab.com/nhsbsa too),
read from the git bundle of its history.

`oshs demo` imports them (through the same code path as `oshs import-history`) before the
sample's own collections, so that its history starts in 2021. Deterministic: the CSV is sorted
and gzip is written with mtime 0, so two runs give byte-identical files. Provenance and licence
(MIT): `oshs/data/legacy-history.md`.

Usage: build_legacy_history.py [--bundle PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

from oshs.config import bundled_config
from oshs.legacy import DEFAULT_SOURCE, LegacyHistory, configured_observations, totals_csv
from oshs.legacy_git import read_git_history

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT.parent / "shared/reference/legacy-history/nhsengland-open-health-statistics.bundle"
OUT = ROOT / "oshs" / "data" / "legacy-history.csv.gz"


def legacy_totals(bundle: Path) -> bytes:
    """The gzip CSV of the bundle's observations of the bundled config's organisations."""
    history = read_git_history(bundle, name=DEFAULT_SOURCE)
    logins = [organisation.key for organisation in bundled_config().organisations]
    kept, _, _ = configured_observations(history, logins)
    return gzip.compress(totals_csv(LegacyHistory(history.source, tuple(kept))), 9, mtime=0)


def main(argv: list[str] | None = None) -> None:
    """Write the totals file (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=BUNDLE, help="the git bundle to read")
    parser.add_argument("--out", type=Path, default=OUT, help="the file to write")
    args = parser.parse_args(argv)
    data = legacy_totals(args.bundle)
    args.out.write_bytes(data)
    sys.stdout.write(f"wrote {args.out} ({len(data):,} bytes)\n")


if __name__ == "__main__":
    main()
