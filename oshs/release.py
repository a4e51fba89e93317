"""Releases: replaying collections on top of the published state, versions and `CHANGELOG.md`.

`replay` folds `oshs.history.advance` over collection dates, oldest first, computing after each
the package's descriptor (`oshs.descriptor`), semantic version (`next_version`) and, for a new
version, a changelog entry: three dates replayed at once and three builds of one date each on
the previous package end with the same tables, version and changelog, byte for byte.

`CHANGELOG.md` is state too: the previous text is kept and each new version's entry
(`oshs.changelog`) is inserted above the older ones (newest first)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from pandas import DataFrame

from oshs.backfill import merge_day
from oshs.background import return_free_memory
from oshs.changelog import changelog_entry, import_changelog_entry, merged_note, prepend_entry
from oshs.changes import compared_tables
from oshs.collection import Collection
from oshs.descriptor import package_descriptor
from oshs.errors import PackageError
from oshs.history import OSHS, State, advance
from oshs.imported import merge_imported
from oshs.parquet import published_bytes
from oshs.provenance import from_sandbox, source_entry, with_history_sources
from oshs.tables import empty_tables
from oshs.versions import data_changed, next_version, schema_changes


@dataclass(frozen=True)
class Release:
    """What a build publishes: the tables, the descriptor (version, created) and the changelog."""

    tables: dict[str, DataFrame]
    descriptor: dict[str, Any]
    changelog: str
    data: Mapping[str, bytes] = field(default_factory=dict)  # CSVs (`oshs.spool`); none at first
    twins: dict[str, bytes] = field(default_factory=dict)  # Parquet bytes of the same tables
    provisional: bool = False  # a replayed step no one publishes: its descriptor lists no twins

    @property
    def version(self) -> str:
        """The semantic version of the release."""
        return str(self.descriptor["version"])

    @property
    def created(self) -> str:
        """`created` of the descriptor: the newest collection date, `T00:00:00Z`."""
        return str(self.descriptor["created"])


def dates_to_replay(state: State | None, dates: Sequence[str]) -> list[str]:
    """The collection dates to apply on top of `state`: its own date (replaced), newer ones, and
    older ones its history lacks (merged in date order by `oshs.backfill.merge_day`).

    An older date the history already holds from oshs is published and is not replayed; one
    held only by imported history is (oshs's own observation wins a shared day).
    """
    newest = state.collected_on if state is not None else None
    if state is None or newest is None:
        return sorted(set(dates))
    history = state.tables["organisation_history"]
    held = set(history.loc[history["source"].eq(OSHS), "collected_on"].dropna())  # not imported
    return sorted(d for d in set(dates) if d >= newest or d not in held)


def replay(
    state: State | None,
    collections: list[Collection],
    *,
    metadata: Mapping[str, Any],
    resource_dir: str,
    include_forks: bool,
    include_archived: bool,
) -> Release:
    """The release of `collections` applied, oldest first, on top of `state`. Both are handed
    over (the list and `state.tables` emptied): what each step no longer needs is freed.

    With no collection, the state is republished (PATCH when the metadata changed). Raises
    `PackageError` when there is neither a state nor a collection.
    """
    if state is None and not collections:
        raise PackageError("nothing to build: no previous package and no collection")
    release = None
    if state is not None:
        release = Release(dict(state.tables), dict(state.descriptor), state.changelog)
        state.tables.clear()
    ordered = sorted(collections, key=lambda c: c.collected_on)
    collections.clear()
    for index in range(len(ordered)):  # not `enumerate`: its reused result tuple would keep
        collection = ordered[index]  # the day's records alive until the next day
        day = f"{collection.collected_on}T00:00:00Z"
        late = release is not None and day < release.created
        step = merge_day if late else partial(advance, hand_over=True)
        compared = compared_tables(release.tables) if release else {}  # before `advance` empties
        organisations = list(collection.organisations)  # handed over: freed once read
        collection = ordered[index] = replace(collection, organisations=())
        tables = step(
            release.tables if release else None,  # type: ignore[arg-type]
            organisations,
            collected_on=collection.collected_on,
            include_forks=include_forks,
            include_archived=include_archived,
        )
        release = release and replace(release, tables=compared)
        return_free_memory()  # what the step freed and the allocators kept (250k, day 2: 170 MB)
        created = release.created if late and release is not None else day
        provisional = index < len(ordered) - 1 and (release is None or bool(release.data))
        release = _release(release, tables, created, collection, metadata, resource_dir,
                           provisional=provisional)  # fmt: skip
    if not ordered and release is not None:
        collection = Collection(release.created[:10], ())
        release = _release(release, release.tables, release.created, collection, metadata,
                           resource_dir)  # fmt: skip
    assert release is not None and release.data  # every path ends in `_release`
    return release


def _release(
    previous: Release | None,
    tables: dict[str, DataFrame],
    created: str,
    collection: Collection,
    metadata: Mapping[str, Any],
    resource_dir: str,
    make_entry: Callable[[str], str] | None = None,
    *,
    provisional: bool = False,
) -> Release:
    """The release of `tables` after `previous`: descriptor, version, changelog entry (made by
    `make_entry(version)` when given, else `changelog_entry`).

    A `provisional` release (a replayed step that a later one follows) has no Parquet twins
    (see `comparable`).
    """
    old = previous.descriptor if previous and previous.descriptor else None
    sources = _sources(collection, old, tables)
    data, twins = published_bytes(tables, twins=not provisional)
    return_free_memory()  # freed while the bytes were made (250k, day 2: the next peak 30 MB lower)
    descriptor = package_descriptor(
        data,
        metadata=dict(metadata),
        version=(old or {}).get("version") or "1.0.0",
        created=created,
        sources=sources,
        resource_dir=resource_dir,
        twins=twins,
    )
    compared = comparable(descriptor, previous)
    version = next_version(old, compared)
    descriptor["version"] = version
    text = previous.changelog if previous else ""
    if make_entry is not None and (old is None or version != old.get("version")):
        text = prepend_entry(text, make_entry(version))
    elif old is None or version != old.get("version"):
        before = previous.tables if previous else empty_tables()
        breaking = schema_changes(old, compared) if old else []
        same = old is not None and not data_changed(old, compared)
        entry = changelog_entry(
            version, created[:10], before, tables, breaking=breaking, same_data=same,
            sample=from_sandbox(sources),
        )  # fmt: skip
        text = prepend_entry(text, merged_note(entry, collection.collected_on, created[:10]))
    return Release(tables, descriptor, text, data, twins, provisional)


def _sources(
    collection: Collection, old: dict[str, Any] | None, tables: dict[str, DataFrame]
) -> list[dict[str, Any]]:
    """`sources`: the collection's APIs (else the previous ones), then imported predecessors."""
    if collection.api_url:
        urls = collection.api_urls or (("github", collection.api_url),)
        sources = [source_entry(url, platform) for platform, url in urls]
    else:
        sources = list((old or {}).get("sources") or [])
    imported = set(tables["organisation_history"]["source"].dropna()) - {OSHS}
    return with_history_sources(sources, sorted(imported))


def comparable(descriptor: dict[str, Any], previous: Release | None) -> dict[str, Any]:
    """`descriptor` without its Parquet twins when `previous` is provisional: a twin is a
    function of its CSV bytes, so the version and changelog are those with them. A step after the
    published state is never provisional: that state's twins (or their absence) are compared."""
    if previous is None or not previous.provisional:
        return descriptor
    resources = [item for item in descriptor["resources"] if item.get("type") != "file"]
    return {**descriptor, "resources": resources}


def import_release(
    state: State | None,
    imported: DataFrame,
    *,
    source: str,
    names: Mapping[str, str | None],
    metadata: Mapping[str, Any],
    resource_dir: str,
) -> Release:
    """The release after importing the observations `imported` of predecessor `source` on top
    of `state` (`oshs.imported.merge_imported`), with its changelog entry
    (`import_changelog_entry`). `created` stays the state's newest oshs collection; for a state
    without one, it is the newest observed day. The same import twice changes nothing.
    """
    previous = None
    if state is not None:
        previous = Release(dict(state.tables), dict(state.descriptor), state.changelog)
    before = previous.tables if previous else empty_tables()
    tables = merge_imported(before, imported, source=source, names=names)
    history = tables["organisation_history"]
    if state is not None and state.collected_on is not None:
        created = str(state.descriptor["created"])
    else:
        created = f"{history['collected_on'].max()}T00:00:00Z"
    return _release(
        previous,
        tables,
        created,
        Collection(created[:10], ()),
        metadata,
        resource_dir,
        make_entry=lambda version: import_changelog_entry(
            version, created[:10], source, before["organisation_history"], history
        ),
    )
