"""Imported history as state: `oshs.imported.merge_imported`, the flags of oshs's own rows, the
upgrade of older packages, and `oshs.release.import_release` (versions, sources, changelog)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
from test_history import D1, D2, METADATA, coll, csv_bytes, repo, rows, step
from test_release import API_URL, OPTIONS, build, publish

from oshs.collection import Collection
from oshs.descriptor import descriptor_bytes
from oshs.history import State, read_state
from oshs.imported import merge_imported
from oshs.release import import_release
from oshs.tables import to_csv_bytes

SOURCE = "nhsengland/open-health-statistics"
D0 = "2025-10-03"
HISTORY_COLUMNS = (
    "collected_on", "organisation", "repositories", "stars", "forks", "open_issues",
    "open_pull_requests", "archived", "removed", "source", "includes_forks",
    "open_issues_include_pull_requests",
)  # fmt: skip
ORGANISATION_COLUMNS = ("login", "name", "id", "html_url", "public_repositories",
                        "collected_on", "stale")  # fmt: skip
NAMES = {"a": "Org A", "B": None}


def imported(*observations: tuple) -> pd.DataFrame:
    """Observations: (day, organisation, repositories, stars, forks, open issues)."""
    columns = ["collected_on", "organisation", "repositories", "stars", "forks", "open_issues"]
    return pd.DataFrame(list(observations), columns=columns)


def history(tables) -> list[tuple]:
    return rows(tables["organisation_history"], *HISTORY_COLUMNS)


def merge(tables, *observations: tuple, source: str = SOURCE):
    return merge_imported(tables or {}, imported(*observations), source=source, names=NAMES)


def test_imported_rows_say_where_they_come_from_and_what_they_counted():
    tables = merge(None, (D0, "a", 3, 4, 1, 5), ("2025-10-02", "b", 2, None, 0, 1))
    assert history(tables) == [
        ("2025-10-02", "b", 2, None, 0, 1, None, None, None, SOURCE, True, True),
        (D0, "a", 3, 4, 1, 5, None, None, None, SOURCE, True, True),
    ]
    # not collected by oshs yet: a row in `organisations` keeps the foreign key (stale)
    assert rows(tables["organisations"], *ORGANISATION_COLUMNS) == [
        ("a", "Org A", None, None, None, D0, True),
        ("b", "b", None, None, None, "2025-10-02", True),
    ]


def test_oshs_rows_say_what_oshs_counted():
    fork = repo(2, fork=True)
    plain = step(None, D1, coll("a", D1, repo(1), fork), coll("b", D1, repo(3, "b")))
    forks = step(None, D1, coll("a", D1, repo(1), fork), coll("b", D1, repo(3, "b")),
                 include_forks=True)  # fmt: skip
    flags = ("organisation", "source", "includes_forks", "open_issues_include_pull_requests")
    assert rows(plain["organisation_history"], *flags) == [
        ("a", "oshs", False, False), ("b", "oshs", False, False),
    ]  # fmt: skip
    assert rows(forks["organisation_history"], *flags) == [
        ("a", "oshs", True, False), ("b", "oshs", True, False),
    ]  # fmt: skip


def test_an_oshs_observation_wins_its_day_whatever_came_first():
    collected = step(None, D1, coll("a", D1, repo(1), repo(2)))
    observations = ((D0, "A", 3, 4, 1, 5), (D1, "A", 9, 9, 9, 9))
    build_then_import = merge(collected, *observations)
    import_then_build = step(merge(None, *observations), D1, coll("a", D1, repo(1), repo(2)))
    assert history(build_then_import) == [
        (D0, "a", 3, 4, 1, 5, None, None, None, SOURCE, True, True),
        (D1, "a", 2, 2, 0, 4, 0, 0, 0, "oshs", False, False),
    ]
    assert csv_bytes(build_then_import) == csv_bytes(import_then_build)


def test_importing_again_changes_nothing_and_a_new_version_of_a_day_replaces_its_row():
    first = merge(None, (D0, "a", 3, 4, 1, 5))
    assert csv_bytes(merge(first, (D0, "a", 3, 4, 1, 5))) == csv_bytes(first)
    again = merge(first, (D0, "a", 3, 4, 1, 6), ("2025-10-04", "a", 3, 4, 1, 7))
    assert [row[5] for row in history(again)] == [6, 7]
    other = merge(again, (D0, "a", 1, 1, 1, 1), source="someone/else")  # first source stays
    assert history(other) == history(again)


def test_an_organisation_collected_later_replaces_its_placeholder_and_keeps_its_history():
    tables = merge(None, (D0, "a", 3, 4, 1, 5), (D0, "b", 2, 2, 2, 2))
    tables = step(tables, D1, coll("a", D1, repo(1)))  # b is not collected (it failed)
    assert rows(tables["organisations"], "login", "id", "collected_on", "stale") == [
        ("a", 11, D1, False), ("b", None, D0, True),
    ]  # fmt: skip
    assert [(r[0], r[1], r[9]) for r in history(tables)] == [
        (D0, "a", SOURCE), (D0, "b", SOURCE), (D1, "a", "oshs"),
    ]  # fmt: skip


def republish_as_before_the_source_column(root: Path, history, repositories) -> None:
    """Rewrite the package at `root` as an oshs without the new columns published it: the two
    tables, and their sizes, hashes and schema in the descriptor (the state check reads them)."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    new_columns = {"source", "includes_forks", "open_issues_include_pull_requests"}
    for resource in descriptor["resources"]:
        frame = {"organisation_history": history, "repositories": repositories}.get(
            resource["name"]
        )
        if frame is None:
            continue
        data = to_csv_bytes(frame)
        (root / resource["path"]).write_bytes(data)
        resource["bytes"] = len(data)
        resource["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
        fields = resource["schema"]["fields"]
        resource["schema"]["fields"] = [f for f in fields if f["name"] not in new_columns]
    (root / "datapackage.json").write_bytes(descriptor_bytes(descriptor))


def test_a_package_published_before_the_source_column_is_read_as_oshs_rows(tmp_path: Path):
    tables = step(None, D1, coll("a", D1, repo(1), repo(2, fork=True)), coll("b", D1, repo(3, "b")),
                  include_forks=True)  # fmt: skip
    state = publish(build(None, Collection(D1, (), (), API_URL)), tmp_path)  # any package
    old = tables["organisation_history"].drop(
        columns=["source", "includes_forks", "open_issues_include_pull_requests"]
    )
    republish_as_before_the_source_column(tmp_path, old, tables["repositories"])
    state = read_state(tmp_path / "datapackage.json", tmp_path / "outputs")
    assert state is not None
    flags = ("organisation", "source", "includes_forks", "open_issues_include_pull_requests")
    assert rows(state.tables["organisation_history"], *flags) == [
        ("a", "oshs", True, False), ("b", "oshs", False, False),
    ]  # fmt: skip


def release_of(state, *observations: tuple):
    return import_release(state, imported(*observations), source=SOURCE, names=NAMES,
                          metadata=METADATA, resource_dir="outputs/data")  # fmt: skip


def test_an_import_is_a_version_with_its_entry_and_source():
    first = build(None, Collection(D1, (coll("a", D1, repo(1)),), (), API_URL))
    state = State(first.tables, first.descriptor, first.changelog)
    release = release_of(state, ("2025-10-02", "a", 2, 1, 0, 3), (D0, "a", 3, 4, 1, 5))
    assert (release.version, release.created) == ("1.1.0", f"{D1}T00:00:00Z")
    assert release.descriptor["sources"] == [
        {"title": "GitHub API", "path": API_URL},
        {"title": f"History published by {SOURCE} (imported with oshs import-history)",
         "path": f"https://github.com/{SOURCE}"},
    ]  # fmt: skip
    entry = release.changelog[release.changelog.index("## 1.1.0") :]
    assert entry[: entry.index("## 1.0.0")] == (
        "## 1.1.0 (2025-10-06)\n\n"
        f"Imported the history published by {SOURCE}: 2 daily observations of 1 organisation "
        "from 2025-10-02 to 2025-10-03 (2 days).\n\n"
        "Their counts include forks and their open issues include pull requests "
        "(`includes_forks`, `open_issues_include_pull_requests`); open pull requests, archived "
        "and removed repositories are left empty. On a day that oshs collected itself, its own "
        "observation is kept.\n\n"
    )
    same = release_of(State(release.tables, release.descriptor, release.changelog),
                      ("2025-10-02", "a", 2, 1, 0, 3), (D0, "a", 3, 4, 1, 5))  # fmt: skip
    assert (same.descriptor, same.changelog) == (release.descriptor, release.changelog)
    more = release_of(State(release.tables, release.descriptor, release.changelog),
                      (D0, "a", 3, 4, 1, 5), ("2025-10-04", "a", 3, 4, 1, 6))  # fmt: skip
    assert more.version == "1.2.0"
    assert "(3 days); 1 of them added or updated by this import.\n" in more.changelog


def test_import_then_build_and_build_then_import_publish_the_same_package():
    observations = (("2025-10-02", "a", 2, 1, 0, 3), (D0, "b", 3, 4, 1, 5))
    days = [Collection(D1, (coll("a", D1, repo(1)),), (), API_URL),
            Collection(D2, (coll("a", D2, repo(1), repo(2)),), (), API_URL)]  # fmt: skip
    imported_first = release_of(None, *observations)
    assert (imported_first.version, imported_first.created) == ("1.0.0", f"{D0}T00:00:00Z")
    state = State(imported_first.tables, imported_first.descriptor, imported_first.changelog)
    assert state.collected_on is None  # nothing collected by oshs yet: every date is replayed
    a = build(state, *days)
    built = build(None, *days)
    b = release_of(State(built.tables, built.descriptor, built.changelog), *observations)
    assert (a.data, a.descriptor) == (b.data, b.descriptor)
    assert a.version == "1.2.0" and a.created == f"{D2}T00:00:00Z"
    assert OPTIONS["include_forks"] is False
