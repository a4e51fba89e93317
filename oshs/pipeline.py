"""The stages wired together: collect, build, collect + build. Wiring only: each stage is its
own module, and the CLI is a thin layer over these functions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from oshs.collect import ApiSettings, CollectionReport, collect, connect
from oshs.config import Config
from oshs.errors import CollectError, SnapshotError
from oshs.history import Collection, State, read_collections, read_state
from oshs.package import resource_dir_for, write_package_data
from oshs.provenance import sample_state_replaced
from oshs.release import dates_to_replay, replay
from oshs.render import write_charts_and_report
from oshs.shards import manifest_name
from oshs.snapshot import (
    collection_dates,
    read_etag_cache,
    write_etag_cache,
    write_manifest,
    write_snapshot,
)

log = logging.getLogger(__name__)


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
    state, collections = read_build_input(config, raw_dir, package_path, out_dir, dates)
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
        raw_dir=raw_dir,
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


def read_build_input(
    config: Config, raw_dir: Path, package_path: Path, out_dir: Path, dates: list[str]
) -> tuple[State | None, list[Collection]]:
    """The state and the collections to apply to it; sample data is never real data's history."""
    state = read_state(package_path, out_dir)
    configured = [organisation.login for organisation in config.organisations]
    collections = read_collections(raw_dir, dates_to_replay(state, dates), configured=configured)
    api_urls = [collection.api_url for collection in collections]
    if state is not None and sample_state_replaced(state.descriptor, api_urls):
        log.warning(
            "%s holds sample data from the oshs sandbox: starting a new history", package_path
        )
        state = None
        collections = read_collections(raw_dir, dates, configured=configured)
    for collection in collections:
        for login in collection.failed:
            log.warning(
                "%s: %s not collected, carried forward as stale", collection.collected_on, login
            )
    return state, collections


def package_metadata(config: Config) -> dict[str, Any]:
    """The descriptor metadata of the config's `package` section."""
    return config.package.to_descriptor()


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
