"""Build this repository's own `datapackage.json` and `outputs/` from the bundled sample,
labelled as sample data, until the scheduled workflow (`.github/workflows/publish.yml`)
replaces them with real data. The first real build starts a new history: a package whose
only source is the oshs sandbox is never taken as the state of real collections.

    python scripts/build_flagship_sample.py            # writes ./datapackage.json, ./outputs/

`tests/end_to_end/test_flagship.py` checks that the committed files are what this writes.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from oshs.config import Config, bundled_config
from oshs.demo import run_sample
from oshs.pipeline import BuildResult

ROOT = Path(__file__).resolve().parents[1]
LABEL = "SAMPLE DATA"
NOTE = (
    "This is SAMPLE DATA, not real figures: the bundled oshs sample (generated from the counts "
    "the earlier NHS projects published, with invented repositories) collected through the oshs "
    "GitHub API sandbox. The scheduled workflow replaces it with data collected from GitHub. "
)


def sample_config() -> Config:
    """The bundled config with its package metadata labelled as sample data."""
    config = bundled_config()
    package = replace(
        config.package,
        title=f"{LABEL}: {config.package.title}",
        description=NOTE + config.package.description,
    )
    return replace(config, package=package)


def build_flagship_sample(root: Path) -> BuildResult:
    """Write `root/datapackage.json` and `root/outputs/` from the sample (raw files discarded)."""
    with tempfile.TemporaryDirectory() as raw:
        return run_sample(
            sample_config(),
            raw_dir=Path(raw),
            out_dir=root / "outputs",
            package_path=root / "datapackage.json",
        )


if __name__ == "__main__":
    result = build_flagship_sample(ROOT)
    sys.stdout.write(f"wrote {result.package_path} version {result.descriptor['version']}\n")
