"""The stages wired together: collect, build, collect + build. Wiring only: each stage is its
own module, and the CLI is a thin layer over these functions."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oshs.background import processes_for
from oshs.build_record import (
    RECORD_NAME,
    applied_day,
    config_digest,
    raw_digest,
    record_entry,
    records_bytes,
)
from oshs.collection import Collection, read_collections, thaw
from oshs.config import Config
from oshs.errors import CollectError, HistoryImportError, SnapshotError
from oshs.files import write_bytes_atomic
from oshs.history import State, read_state
from oshs.legacy import LegacyHistory, configured_observations, observations_frame
from oshs.package import checking_staged, resource_dir_for, write_staged
from oshs.provenance import sample_state_replaced
from oshs.release import Release, dates_to_replay, import_release, replay
from oshs.render import write_charts_and_report
from oshs.shards import manifest_name
from oshs.site import SITE_FOLDERS
from oshs.snapshot import (
    collection_dates,
    future_dates,
    read_etag_cache,
    write_etag_cache,
    write_manifest,
    write_snapshot,
)
from oshs.state_check import present_repositories
from oshs.tables import current_repository_count
from oshs.transaction import Transaction, package_lock

if TYPE_CHECKING:
    from oshs.api_settings import ApiSettings
    from oshs.collect import CollectionReport

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


@dataclass(frozen=True)
class ImportResult:
    """What an import published: the package, and the observations read for it."""

    build: BuildResult
    source: str
    observations: int  # of configured organisations, as read (before oshs's own days win)
    organisations: int
    first: str
    last: str
    changed: bool  # False when the package already held all of it (nothing rewritten)

    def line(self) -> str:
        """One line saying what was imported, and the package's version."""
        done = "imported" if self.changed else "already imported, nothing changed:"
        return (
            f"{done} {self.observations:,} daily observations of {self.organisations} "
            f"organisations published by {self.source}, {self.first} to {self.last}; "
            f"{self.build.package_path} version {self.build.descriptor['version']}"
        )


def run_collect(
    config: Config,
    settings: ApiSettings,
    *,
    raw_dir: Path,
    collected_at: datetime,
    on_progress: Any = None,
    shard: tuple[int, int] | None = None,
    package_path: Path | None = None,
) -> CollectionReport:
    """Collect every organisation of `config` and write the raw snapshots and manifest.

    With `shard` (K, N), `config` holds that slice already and the manifest is named after it.
    The repositories the package at `package_path` publishes as present are what a REST
    listing must confirm before it is taken to say they were removed.
    """
    if config.on("gitlab") and settings.gitlab_token is None:
        log.info("no GITLAB_TOKEN: public GitLab groups are read at the anonymous rate limit")
    if settings.token is None and config.on("github"):
        log.warning(
            "no token: unauthenticated requests are limited to 60 an hour, and only the "
            "repository listing is collected (set GITHUB_TOKEN or use --token-env NAME)"
        )
    from oshs.collect import collect_all  # here: `oshs build` never loads the HTTP clients

    etags = read_etag_cache(raw_dir)
    report = collect_all(
        config,
        settings,
        collected_at=collected_at,
        on_progress=on_progress,
        etags=etags,
        expected=present_repositories(package_path),
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


def publish_release(
    config: Config,
    release: Release,
    *,
    out_dir: Path,
    package_path: Path,
    raw_dir: Path | None = None,
) -> BuildResult:
    """Write a release at once (`oshs.transaction`): the validated package, its charts and
    report are staged, then moved into place together. The caller holds the package's lock."""
    with Transaction(package_path, out_dir) as staged:
        write_staged(
            release.data,
            release.descriptor,
            package_path=staged.package_path,
            out_dir=staged.out_dir,
            changelog=release.changelog,
            name=package_path,
            twins=release.twins,
        )
        release = replace(release, data={}, twins={})  # written: the bytes need not stay in
        # memory while they are validated and the charts and website are made (a caller that
        # passes the release straight in, as `build_locked` does, frees them here)
        fork = processes_for(current_repository_count(release.tables)) > 1  # cores to spare
        with checking_staged(staged.package_path, release.descriptor, package_path, fork=fork):
            write_charts_and_report(
                config,
                release.tables,
                release.descriptor,
                out_dir=staged.out_dir,
                package_path=staged.package_path,
                collected_on=release.created[:10],
                raw_dir=raw_dir,
            )
        staged.commit(mirror=["charts", *SITE_FOLDERS])
    if raw_dir is not None:
        _write_build_record(config, package_path, release, raw_dir)
    return build_result(release, package_path=package_path, out_dir=out_dir)


def _config_digest(config: Config) -> str:
    keys = [organisation.key for organisation in config.organisations]
    return config_digest(keys, config.include_forks, config.include_archived)


def _write_build_record(
    config: Config, package_path: Path, release: Release, raw_dir: Path
) -> None:
    """Record which day the published package applied, from which raw files, beside the raw
    files (`oshs.build_record`); a raw folder that cannot be written only costs the next build
    a replayed day."""
    day = release.created[:10]
    try:
        raw = raw_digest(raw_dir, day)
        if raw is not None:
            entry = record_entry(package_path.read_bytes(), day, raw, _config_digest(config))
            file = Path(raw_dir) / RECORD_NAME
            write_bytes_atomic(
                file, records_bytes(file.read_bytes() if file.is_file() else None, entry)
            )
    except OSError as error:
        log.debug("%s: build record not written (%s)", raw_dir, error)


def build_result(release: Release, *, package_path: Path, out_dir: Path) -> BuildResult:
    """What `release` publishes at `package_path`, in figures."""
    return BuildResult(
        release.descriptor,
        package_path,
        out_dir,
        release.created[:10],
        repositories=current_repository_count(release.tables),
        organisations=len(release.tables["organisations"]),
    )


def run_build(config: Config, *, raw_dir: Path, out_dir: Path, package_path: Path) -> BuildResult:
    """Advance the published package (the state) with the collections not yet in it (no network).

    The collection dates of `raw_dir` from the state's own date onwards are replayed in order
    (the state's date is re-applied, unless `oshs.build_record` shows the package already holds
    it from the same raw files: a same-day re-collection replaces that day's observation, and
    the same collection changes no byte); older dates the state lacks are merged into its
    history in date order. The whole build holds the package's lock and publishes every file
    at once (`oshs.transaction`).
    """
    dates = collection_dates(raw_dir)
    if not dates:
        raise SnapshotError(
            f"{raw_dir}: no collection found (expected folders named YYYY-MM-DD with snapshots)",
            hint="run `oshs collect` first, or point --raw-dir at the snapshots",
        )
    future = future_dates(dates, datetime.now(UTC).strftime("%Y-%m-%d"))
    if future:
        raise SnapshotError(
            f"{Path(raw_dir) / future[0]}: a collection dated in the future",
            hint="remove it: collections are dated by when they were made",
        )
    with package_lock(package_path, out_dir):
        try:
            return build_locked(config, raw_dir, out_dir, package_path, dates)
        finally:
            thaw()


def build_locked(
    config: Config, raw_dir: Path, out_dir: Path, package_path: Path, dates: list[str]
) -> BuildResult:
    """`run_build` once the package's lock is held."""
    return publish_release(  # the release passed straight in: its bytes are freed once staged
        config,
        build_release(config, raw_dir, package_path, out_dir, dates),
        out_dir=out_dir,
        package_path=package_path,
        raw_dir=raw_dir,
    )


def build_release(
    config: Config, raw_dir: Path, package_path: Path, out_dir: Path, dates: list[str]
) -> Release:
    """The release of the collections of `dates` not yet in the package (none of what it was
    made from stays referenced once it is returned: records, old tables)."""
    state, collections = read_build_input(config, raw_dir, package_path, out_dir, dates)
    return replay(
        state,
        collections,
        metadata=package_metadata(config),
        resource_dir=resource_dir_for(package_path, out_dir),
        include_forks=config.include_forks,
        include_archived=config.include_archived,
    )


def read_build_input(
    config: Config, raw_dir: Path, package_path: Path, out_dir: Path, dates: list[str]
) -> tuple[State | None, list[Collection]]:
    """The state and the collections to apply to it; sample data is never real data's history."""
    state = read_state(package_path, out_dir)
    configured = [organisation.key for organisation in config.organisations]
    applied = applied_day(raw_dir, package_path, _config_digest(config))
    done = state.collected_on if state is not None and applied == state.collected_on else None
    replayed = [d for d in dates_to_replay(state, dates) if d != done]
    log.debug("collection dates to apply: %s", ", ".join(replayed) or "none")
    collections = read_collections(raw_dir, replayed, configured=configured)
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


def run_import(
    config: Config, history: LegacyHistory, *, out_dir: Path, package_path: Path
) -> ImportResult:
    """Import the observations of `history` of the configured organisations into the package
    (created when there is none): its `organisation_history`, changelog, charts and report.

    Organisations and GitLab groups of the history that are not configured are named in one
    warning each and skipped. Raises `HistoryImportError` when no
    observation is of a configured organisation.
    """
    logins = [organisation.key for organisation in config.organisations]
    kept, others, gitlab = configured_observations(history, logins)
    if others:
        log.warning("%s: organisations not configured, skipped: %s", history.source,
                    ", ".join(others))  # fmt: skip
    if gitlab:
        log.warning("%s: GitLab groups not configured, skipped: %s",
                    history.source, ", ".join(f"gitlab.com/{g}" for g in gitlab))  # fmt: skip
    if not kept:
        raise HistoryImportError(
            f"{history.source}: none of its {len(history.observations):,} observations is of a "
            f"configured organisation (expected one of: {', '.join(logins[:5])}"
            f"{', ...' if len(logins) > 5 else ''})",
            hint="add its organisations to the config (or --orgs)",
        )
    with package_lock(package_path, out_dir):
        build, changed = import_locked(config, history, kept, out_dir, package_path)
    days = sorted({o.collected_on for o in kept})
    organisations = len({o.organisation for o in kept})
    return ImportResult(build, history.source, len(kept), organisations, days[0], days[-1], changed)


def import_locked(
    config: Config, history: LegacyHistory, kept: list[Any], out_dir: Path, package_path: Path
) -> tuple[BuildResult, bool]:
    """`run_import` once the package's lock is held: the build, and whether anything changed."""
    state = read_state(package_path, out_dir)
    release = import_release(
        state,
        observations_frame(kept),
        source=history.source,
        names={organisation.key: organisation.name for organisation in config.organisations},
        metadata=package_metadata(config),
        resource_dir=resource_dir_for(package_path, out_dir),
    )
    if state is not None and release.descriptor == state.descriptor:  # already imported
        return build_result(release, package_path=package_path, out_dir=out_dir), False
    return publish_release(config, release, out_dir=out_dir, package_path=package_path), True


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
        config,
        settings,
        raw_dir=raw_dir,
        collected_at=collected_at,
        on_progress=on_progress,
        package_path=package_path,
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
