"""The stages wired together: collect, build, demo. The CLI is a thin layer over these."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from oshs.changelog import dates_to_replay, replay
from oshs.charts import cambrian_explosion_chart, has_history, history_chart
from oshs.collect import ApiSettings, CollectionReport, collect, connect
from oshs.config import Config
from oshs.errors import CollectError, PackageError, SnapshotError
from oshs.files import write_bytes_atomic, write_text_atomic
from oshs.history import read_collections, read_state
from oshs.package import format_report, resource_dir_for, validate_package, write_package_data
from oshs.report import render_report
from oshs.shards import manifest_name
from oshs.snapshot import (
    collection_dates,
    read_etag_cache,
    write_etag_cache,
    write_manifest,
    write_snapshot,
)

log = logging.getLogger(__name__)

CAMBRIAN_CHART = "charts/cambrian-explosion.svg"
HISTORY_CHART = "charts/history.svg"


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
    manifest = report.manifest()
    write_manifest(raw_dir, report.collected_at[:10], manifest, manifest_name(shard))
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


SANDBOX_SOURCE = "oshs GitHub API sandbox (bundled sample data, not GitHub)"


def source_of(api_url: str) -> dict[str, str]:
    """The descriptor's source entry for an API URL; a loopback sandbox's port is left out.

    The sandbox listens on a free port, so keeping it would make two identical demo runs differ.
    """
    parts = urlsplit(api_url)
    if parts.hostname in {"127.0.0.1", "localhost", "::1"}:
        host = "127.0.0.1" if parts.hostname != "::1" else "[::1]"
        url = urlunsplit((parts.scheme, host, parts.path, "", ""))
        return {"title": SANDBOX_SOURCE, "path": url}
    return {"title": "GitHub API", "path": api_url.rstrip("/")}


def run_build(config: Config, *, raw_dir: Path, out_dir: Path, package_path: Path) -> BuildResult:
    """Advance the published package (the state) with the collections not yet in it (no network).

    The collection dates of `raw_dir` from the state's own date onwards are replayed in order
    (the state's date is re-applied: a same-day re-collection replaces that day's observation,
    and the same collection changes no byte); older dates are already in the state.
    """
    dates = collection_dates(raw_dir)
    if not dates:
        raise SnapshotError(
            f"{raw_dir}: no collection found (expected folders named YYYY-MM-DD with snapshots)",
            hint="run `oshs collect` first, or point --raw-dir at the snapshots",
        )
    state = read_state(package_path, out_dir)
    configured = [organisation.login for organisation in config.organisations]
    collections = read_collections(
        raw_dir, dates_to_replay(state, dates), configured=configured, source_of=source_of
    )
    if state is not None and sample_state_replaced(state.descriptor, collections):
        log.warning(
            "%s holds sample data from the oshs sandbox: starting a new history", package_path
        )
        state = None
        collections = read_collections(raw_dir, dates, configured=configured, source_of=source_of)
    for collection in collections:
        for login in collection.failed:
            log.warning(
                "%s: %s not collected, carried forward as stale", collection.collected_on, login
            )
    metadata = package_metadata(config)
    release = replay(
        state,
        collections,
        metadata=metadata,
        resource_dir=resource_dir_for(package_path, out_dir),
        include_forks=config.include_forks,
        include_archived=config.include_archived,
    )
    descriptor = release.descriptor
    write_package_data(
        release.data,
        descriptor,
        package_path=package_path,
        out_dir=out_dir,
        changelog=release.changelog,
    )
    collected_on = release.created[:10]
    write_charts_and_report(
        config,
        release.tables,
        descriptor,
        out_dir=out_dir,
        package_path=package_path,
        collected_on=collected_on,
    )
    current = ~release.tables["repositories"]["removed"].astype(bool)
    return BuildResult(
        descriptor,
        package_path,
        out_dir,
        collected_on,
        repositories=int(current.sum()),
        organisations=len(release.tables["organisations"]),
    )


def from_sandbox(sources: Any) -> bool:
    """True when every source of a package or collection is the oshs sandbox."""
    return bool(sources) and all(source.get("title") == SANDBOX_SOURCE for source in sources)


def sample_state_replaced(descriptor: dict[str, Any], collections: list[Any]) -> bool:
    """True when the published package holds sandbox sample data (as this repository ships
    before its first scheduled run) and real data arrives: the sample is not its history."""
    real = [c for c in collections if c.sources and not from_sandbox(c.sources)]
    return from_sandbox(descriptor.get("sources")) and bool(real)


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
    charts = [(CAMBRIAN_CHART, alt)]
    history = tables["organisation_history"]
    if not has_history(history):  # one collection: any earlier chart was of a replaced history
        (out_dir / HISTORY_CHART).unlink(missing_ok=True)
    else:
        write_bytes_atomic(out_dir / HISTORY_CHART, history_chart(history))
        dates = history["collected_on"].nunique()
        charts.append(
            (
                HISTORY_CHART,
                f"Stars, forks and open issues of all organisations on "
                f"each of {dates} collection dates, up to {collected_on}",
            )
        )
    link = Path(os.path.relpath(package_path, out_dir)).as_posix()
    text = render_report(tables, descriptor=descriptor, charts=charts, package_link=link)
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
    """The whole pipeline on the bundled sample, into `target` (`oshs demo`)."""
    from oshs.config import bundled_config

    return run_sample(
        bundled_config(),
        raw_dir=target / "raw",
        out_dir=target / "outputs",
        package_path=target / "datapackage.json",
        on_progress=on_progress,
    )


def run_sample(
    config: Config, *, raw_dir: Path, out_dir: Path, package_path: Path, on_progress: Any = None
) -> BuildResult:
    """Run the real pipeline through PyGithub against the sandbox serving the bundled sample,
    once per sample date (two fixed dates, never the clock), building after each."""
    from oshs.sample import load_sample_at, load_sample_dates
    from oshs.sandbox import Sandbox

    for date in load_sample_dates():
        dataset = load_sample_at(date)
        collected_at = datetime.strptime(dataset["collected_at"], "%Y-%m-%dT%H:%M:%SZ")
        with Sandbox(dataset) as sandbox:
            settings = ApiSettings(
                api_url=sandbox.url, token=DEMO_TOKEN, seconds_between_requests=0
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
        result = run_build(config, raw_dir=raw_dir, out_dir=out_dir, package_path=package_path)
    validation = validate_package(result.package_path)
    if not validation.valid:
        raise PackageError(
            f"{result.package_path}: the sample package is invalid", hint=format_report(validation)
        )
    return result
