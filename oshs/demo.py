"""`oshs demo`: the real pipeline, through PyGithub, against the sandbox serving the bundled
sample, on the sample's fixed dates (never the clock), after importing the real daily history
that nhsengland/open-health-statistics published for the sample's organisations (2021-2025,
shipped in `oshs/data/legacy-history.csv.gz`)."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from oshs.collect import ApiSettings
from oshs.config import Config, bundled_config
from oshs.errors import CollectError
from oshs.legacy import LegacyHistory
from oshs.legacy_git import read_history
from oshs.pipeline import BuildResult, run_build, run_collect, run_import
from oshs.sample import load_sample_at, load_sample_dates
from oshs.sandbox import Sandbox

DEMO_TOKEN = "oshs-demo"  # the sandbox accepts any token; this one belongs to no organisation
LEGACY_TOTALS = "legacy-history.csv.gz"
"""The predecessor's daily totals of the sample's organisations, in the package's `data`."""


def legacy_totals() -> LegacyHistory:
    """The shipped daily totals published by nhsengland/open-health-statistics (2021-2025),
    read as `oshs import-history` reads a totals file."""
    with resources.as_file(resources.files("oshs").joinpath("data", LEGACY_TOTALS)) as path:
        return read_history(path)


def run_demo(target: Path, *, on_progress: Any = None) -> BuildResult:
    """The whole pipeline on the bundled sample, into `target` (`oshs demo`): the real history
    of the sample's organisations imported first, then the sample's own collections."""
    config = bundled_config()
    package_path, out_dir = target / "datapackage.json", target / "outputs"
    run_import(config, legacy_totals(), out_dir=out_dir, package_path=package_path)
    return run_sample(
        config,
        raw_dir=target / "raw",
        out_dir=out_dir,
        package_path=package_path,
        on_progress=on_progress,
    )


def run_sample(
    config: Config, *, raw_dir: Path, out_dir: Path, package_path: Path, on_progress: Any = None
) -> BuildResult:
    """Run the real pipeline through PyGithub against the sandbox serving the bundled sample:
    a collection on each sample date (two fixed dates, never the clock), then one build that
    applies them in order (the same bytes as a build after each, in half the time)."""
    for date in load_sample_dates():
        dataset = load_sample_at(date)
        collected_at = datetime.strptime(dataset["collected_at"], "%Y-%m-%dT%H:%M:%SZ")
        with Sandbox(dataset) as sandbox:
            settings = ApiSettings(
                api_url=sandbox.url,
                token=DEMO_TOKEN,
                seconds_between_requests=0,
                gitlab_url=sandbox.gitlab_url,
                gitlab_token=DEMO_TOKEN,
            )
            report = run_collect(
                config,
                settings,
                raw_dir=raw_dir,
                collected_at=collected_at,
                on_progress=on_progress,
            )
        if report.failed:
            raise CollectError(f"the sandbox failed for {', '.join(sorted(report.failed))}")
    # run_build validates the staged package before it publishes anything
    return run_build(config, raw_dir=raw_dir, out_dir=out_dir, package_path=package_path)
