"""The stages wired together: collect, build, demo. The CLI is a thin layer over these."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from oshs.charts import cambrian_explosion_chart
from oshs.collect import ApiSettings, CollectionReport, collect, connect
from oshs.config import Config
from oshs.errors import CollectError, PackageError, SnapshotError
from oshs.files import write_bytes_atomic, write_text_atomic
from oshs.normalise import normalise_snapshot
from oshs.package import format_report, validate_package, write_package
from oshs.report import render_report
from oshs.shards import manifest_name
from oshs.snapshot import (
    collection_dates,
    read_collection,
    read_etag_cache,
    write_etag_cache,
    write_manifest,
    write_snapshot,
)
from oshs.tables import build_tables

log = logging.getLogger(__name__)

CAMBRIAN_CHART = "charts/cambrian-explosion.svg"
FIRST_VERSION = "1.0.0"


@dataclass(frozen=True)
class BuildResult:
    """What a build published."""

    descriptor: dict[str, Any]
    package_path: Path
    out_dir: Path
    collected_on: str
    repositories: int
    organisations: int


def run_collect(
    config: Config,
    settings: ApiSettings,
    *,
    raw_dir: Path,
    collected_at: datetime,
    on_progress: Any = None,
    shard: tuple[int, int] | None = None,
) -> CollectionReport:
    """Collect every organisation of `config` and write the raw snapshots and manifest.

    With `shard` (K, N), `config` holds that slice already and the manifest is named after it.
    """
    if settings.token is None:
        log.warning(
            "no token: unauthenticated requests are limited to 60 an hour, and only the "
            "repository listing is collected (set GITHUB_TOKEN or use --token-env NAME)"
        )
    etags = read_etag_cache(raw_dir)
    report = collect(
        config,
        connect(settings),
        settings,
        collected_at=collected_at,
        on_progress=on_progress,
        etags=etags,
    )
    write_etag_cache(raw_dir, etags)
    for doc in report.snapshots:
        write_snapshot(raw_dir, doc)
    write_manifest(raw_dir, report.collected_at[:10], report.manifest(), manifest_name(shard))
    manifest = report.manifest()
    log.info(
        "collected %d of %d organisations, %d repositories, in %d requests (rate limit: %s left)",
        len(report.snapshots),
        len(config.organisations),
        sum(manifest["repositories"].values()),
        report.requests,
        report.rate_limit.get("remaining", "unknown"),
    )
    for login, reason in report.failed.items():
        log.error("organisation %s failed: %s", login, reason)
    return report


def source_of(api_url: str) -> dict[str, str]:
    """The descriptor's source entry for an API URL; a loopback sandbox's port is left out.

    The sandbox listens on a free port, so keeping it would make two identical demo runs differ.
    """
    parts = urlsplit(api_url)
    if parts.hostname in {"127.0.0.1", "localhost", "::1"}:
        host = "127.0.0.1" if parts.hostname != "::1" else "[::1]"
        url = urlunsplit((parts.scheme, host, parts.path, "", ""))
        return {"title": "oshs GitHub API sandbox (bundled sample data, not GitHub)", "path": url}
    return {"title": "GitHub API", "path": api_url.rstrip("/")}


def latest_collection(raw_dir: Path) -> tuple[str, list[dict[str, Any]]]:
    """The newest collection date in `raw_dir` and its snapshot documents."""
    dates = collection_dates(raw_dir)
    if not dates:
        raise SnapshotError(
            f"{raw_dir}: no collection found (expected folders named YYYY-MM-DD with snapshots)",
            hint="run `oshs collect` first, or point --raw-dir at the snapshots",
        )
    return dates[-1], read_collection(raw_dir, dates[-1])


def run_build(config: Config, *, raw_dir: Path, out_dir: Path, package_path: Path) -> BuildResult:
    """Build tables, package, chart and report from the newest collection (no network)."""
    collected_on, docs = latest_collection(raw_dir)
    collections = [normalise_snapshot(doc) for doc in docs]
    tables = build_tables(
        collections, include_forks=config.include_forks, include_archived=config.include_archived
    )
    descriptor = write_package(
        tables,
        package_path=package_path,
        out_dir=out_dir,
        metadata=package_metadata(config),
        version=FIRST_VERSION,
        created=f"{collected_on}T00:00:00Z",
        sources=[source_of(docs[0]["api_url"])],
    )
    write_charts_and_report(
        config,
        tables,
        descriptor,
        out_dir=out_dir,
        package_path=package_path,
        collected_on=collected_on,
    )
    return BuildResult(
        descriptor,
        package_path,
        out_dir,
        collected_on,
        repositories=len(tables["repositories"]),
        organisations=len(tables["organisations"]),
    )


def package_metadata(config: Config) -> dict[str, Any]:
    """The descriptor metadata of the config's `package` section."""
    return config.package.to_descriptor()


def write_charts_and_report(
    config: Config,
    tables: dict[str, Any],
    descriptor: dict[str, Any],
    *,
    out_dir: Path,
    package_path: Path,
    collected_on: str,
) -> None:
    """Write the headline chart and `README.md` of the outputs folder."""
    svg = cambrian_explosion_chart(
        tables["repositories"],
        language_groups=dict(config.language_groups),
        collected_on=collected_on,
    )
    write_bytes_atomic(out_dir / CAMBRIAN_CHART, svg)
    alt = (
        f"Cumulative public repositories of {len(tables['organisations'])} organisations "
        f"by creation date and language, as collected on {collected_on}"
    )
    link = Path(os.path.relpath(package_path, out_dir)).as_posix()
    text = render_report(
        tables, descriptor=descriptor, charts=[(CAMBRIAN_CHART, alt)], package_link=link
    )
    write_text_atomic(out_dir / "README.md", text)


def run_all(
    config: Config,
    settings: ApiSettings,
    *,
    raw_dir: Path,
    out_dir: Path,
    package_path: Path,
    collected_at: datetime,
    on_progress: Any = None,
) -> bool:
    """Collect, build and validate; True when every organisation was collected.

    Whatever could be collected is built and published even when some organisations failed.
    """
    report = run_collect(
        config, settings, raw_dir=raw_dir, collected_at=collected_at, on_progress=on_progress
    )
    if not report.snapshots:
        raise CollectError(
            "no organisation could be collected; nothing was built",
            hint="check the logins, the API URL and the token",
        )
    result = run_build(config, raw_dir=raw_dir, out_dir=out_dir, package_path=package_path)
    log.info(
        "published %s version %s: %d repositories of %d organisations",
        result.package_path,
        result.descriptor["version"],
        result.repositories,
        result.organisations,
    )
    return not report.failed


DEMO_TOKEN = "oshs-demo"  # the sandbox accepts any token; this one belongs to no organisation


def run_demo(target: Path, *, on_progress: Any = None) -> BuildResult:
    """Start the sandbox with the bundled sample and run the real pipeline through PyGithub."""
    from oshs.config import bundled_config
    from oshs.sample import SAMPLE_COLLECTED_AT, load_sample
    from oshs.sandbox import Sandbox

    config = bundled_config()
    raw_dir = target / "raw"
    collected_at = datetime.strptime(SAMPLE_COLLECTED_AT, "%Y-%m-%dT%H:%M:%SZ")
    with Sandbox(load_sample()) as sandbox:
        settings = ApiSettings(api_url=sandbox.url, token=DEMO_TOKEN, seconds_between_requests=0)
        report = run_collect(
            config, settings, raw_dir=raw_dir, collected_at=collected_at, on_progress=on_progress
        )
    if report.failed:
        raise CollectError(f"the sandbox failed for {', '.join(sorted(report.failed))}")
    result = run_build(
        config,
        raw_dir=raw_dir,
        out_dir=target / "outputs",
        package_path=target / "datapackage.json",
    )
    validation = validate_package(result.package_path)
    if not validation.valid:
        raise PackageError(
            f"{result.package_path}: the demo package is invalid", hint=format_report(validation)
        )
    return result
