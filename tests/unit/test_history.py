"""oshs.history: the published package as state, advanced one collection date at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import write_tables

from oshs.errors import PackageError
from oshs.history import advance, read_state
from oshs.normalise import OrganisationCollection
from oshs.tables import to_csv_bytes

D1, D2, D3 = "2025-10-06", "2025-10-07", "2025-10-08"
METADATA = {"name": "test-package", "title": "Test package"}


def org(login: str, on: str) -> dict[str, Any]:
    """An `organisations.csv` record (without `stale`)."""
    return {
        "login": login, "name": login.upper(), "id": 10 + len(login), "description": None,
        "html_url": f"https://github.com/{login}", "website": None, "location": None,
        "created_at": "2014-03-05T10:00:00Z", "is_verified": True, "public_repositories": 3,
        "collected_on": on,
    }  # fmt: skip


def repo(repo_id: int, login: str = "a", **fields: Any) -> dict[str, Any]:
    """An internal repository record of organisation `login`."""
    record = {
        "id": repo_id, "organisation": login, "name": f"r{repo_id}",
        "full_name": f"{login}/r{repo_id}", "description": f"Repository {repo_id}",
        "html_url": f"https://github.com/{login}/r{repo_id}", "homepage": None,
        "created_at": f"2020-01-0{1 + repo_id % 5}T12:00:00Z", "updated_at": None,
        "pushed_at": None, "language": "Python", "license": "MIT", "license_name": "MIT License",
        "topics": ["nhs"], "stars": 1, "forks": 0, "open_issues": 2, "open_pull_requests": 0,
        "size_kb": 5, "default_branch": "main", "fork": False, "archived": False,
        "is_template": False, "has_issues": True, "has_wiki": False, "has_readme": True,
        "has_license_file": True, "has_contributing": None, "has_code_of_conduct": None,
        "has_security_policy": None, "has_citation": None, "languages": {"Python": 100},
    }  # fmt: skip
    record.update(fields)
    return record


def coll(login: str, on: str, *repos: dict[str, Any]) -> OrganisationCollection:
    """One organisation's collection of `on`."""
    return OrganisationCollection(org(login, on), list(repos), on, "graphql")


def step(tables, on: str, *collections: OrganisationCollection, **options: Any):
    """`advance` with the default configuration."""
    options = {"include_forks": False, "include_archived": True, **options}
    return advance(tables, collections, collected_on=on, **options)


def rows(frame, *columns: str) -> list[tuple]:
    """Rows of `frame` as tuples of plain values (missing: None). GitHub's repository keys
    (text since 2.0.0: "1") are given as the integers the records here were written with."""
    picked = frame[list(columns)].astype(object)
    keys = [name in ("id", "repository_id") for name in columns]
    return [
        tuple(None if pd.isna(v) else int(v) if key and str(v).isdigit() else v
              for key, v in zip(keys, r, strict=True))
        for r in picked.to_numpy()
    ]  # fmt: skip


def csv_bytes(tables) -> dict[str, bytes]:
    return {name: to_csv_bytes(frame) for name, frame in tables.items()}


def test_first_collection_starts_the_history():
    tables = step(None, D1, coll("a", D1, repo(1), repo(2, stars=4)), coll("b", D1, repo(3, "b")))
    assert rows(tables["repositories"], "id", "first_seen", "last_seen", "removed") == [
        (1, D1, D1, False), (2, D1, D1, False), (3, D1, D1, False),
    ]  # fmt: skip
    assert rows(tables["organisation_history"], "collected_on", "organisation", "repositories",
                "stars", "forks", "open_issues", "archived", "removed") == [
        (D1, "a", 2, 5, 0, 4, 0, 0), (D1, "b", 1, 1, 0, 2, 0, 0),
    ]  # fmt: skip
    assert rows(tables["repository_history"], "collected_on", "repository_id", "stars") == [
        (D1, 1, 1), (D1, 2, 4), (D1, 3, 1),
    ]  # fmt: skip
    assert rows(tables["organisations"], "login", "stale") == [("a", False), ("b", False)]


def test_repeat_of_the_same_collection_changes_no_byte():
    first = step(None, D1, coll("a", D1, repo(1), repo(2)))
    again = step(first, D1, coll("a", D1, repo(1), repo(2)))
    assert csv_bytes(again) == csv_bytes(first)
    later = step(first, D2, coll("a", D2, repo(1), repo(2)))
    assert step(later, D2, coll("a", D2, repo(1), repo(2))).keys() == later.keys()
    assert csv_bytes(step(later, D2, coll("a", D2, repo(1), repo(2)))) == csv_bytes(later)


def test_tables_and_records_handed_over_are_emptied_and_give_the_same_next_tables():
    first = step(None, D1, coll("a", D1, repo(1), repo(2)), coll("b", D1, repo(3, "b")))
    kept = step(first, D2, coll("a", D2, repo(1, stars=9)))
    assert set(first) == set(kept)  # not handed over: the state is left as it was
    handed, organisations = dict(first), [coll("a", D2, repo(1, stars=9))]
    options = {"include_forks": False, "include_archived": True, "hand_over": True}
    after = advance(handed, organisations, collected_on=D2, **options)
    assert csv_bytes(after) == csv_bytes(kept)
    assert (handed, organisations) == ({}, [])  # the day's records too


def test_failed_organisation_is_stale_carried_forward_and_loses_nothing():
    first = step(None, D1, coll("a", D1, repo(1)), coll("b", D1, repo(2, "b"), repo(3, "b")))
    second = step(first, D2, coll("a", D2, repo(1, stars=9)))
    assert rows(second["organisations"], "login", "collected_on", "stale") == [
        ("a", D2, False), ("b", D1, True),
    ]  # fmt: skip
    assert rows(second["repositories"], "id", "organisation", "last_seen", "removed") == [
        (1, "a", D2, False), (2, "b", D1, False), (3, "b", D1, False),
    ]  # fmt: skip
    assert rows(second["organisation_history"], "collected_on", "organisation", "stars") == [
        (D1, "a", 1), (D1, "b", 2), (D2, "a", 9),
    ]  # fmt: skip
    assert rows(second["topics"], "repository_id", "topic") == [(1, "nhs"), (2, "nhs"), (3, "nhs")]
    third = step(second, D3, coll("a", D3, repo(1, stars=9)), coll("b", D3, repo(2, "b")))
    assert rows(third["organisations"], "login", "stale") == [("a", False), ("b", False)]
    assert rows(third["repositories"], "id", "last_seen", "removed") == [
        (1, D3, False), (2, D3, False), (3, D1, True),
    ]  # fmt: skip


def test_repository_removed_and_coming_back():
    first = step(None, D1, coll("a", D1, repo(1), repo(2, stars=3)))
    second = step(first, D2, coll("a", D2, repo(1)))
    assert rows(second["repositories"], "id", "stars", "first_seen", "last_seen", "removed") == [
        (1, 1, D1, D2, False), (2, 3, D1, D1, True),
    ]  # fmt: skip
    assert rows(second["organisation_history"], "collected_on", "repositories", "stars",
                "removed") == [(D1, 2, 4, 0), (D2, 1, 1, 1)]  # fmt: skip
    assert rows(second["languages"], "repository_id") == [(1,), (2,)]
    assert rows(second["timeline"], "date", "new_repositories", "cumulative_repositories") == [
        ("2020-01-02", 1, 1), ("2020-01-03", 1, 2),
    ]  # removed repositories stay counted at their creation date  # fmt: skip
    third = step(second, D3, coll("a", D3, repo(1), repo(2, stars=5)))
    assert rows(third["repositories"], "id", "stars", "first_seen", "last_seen", "removed") == [
        (1, 1, D1, D3, False), (2, 5, D1, D3, False),
    ]  # fmt: skip
    assert rows(third["repository_history"], "collected_on", "repository_id", "stars") == [
        (D1, 1, 1), (D1, 2, 3), (D3, 2, 5),
    ]  # fmt: skip


def test_history_rows_only_when_a_tracked_value_changed():
    first = step(None, D1, coll("a", D1, repo(1), repo(2)))
    second = step(first, D2, coll("a", D2, repo(1, open_issues=None), repo(2, description="x")))
    third = step(second, D3, coll("a", D3, repo(1, open_issues=None), repo(2, archived=True)))
    assert rows(third["repository_history"], "collected_on", "repository_id", "open_issues",
                "archived") == [
        (D1, 1, 2, False), (D1, 2, 2, False), (D2, 1, None, False), (D3, 2, 2, True),
    ]  # fmt: skip
    assert rows(third["organisation_history"], "collected_on", "open_issues", "archived") == [
        (D1, 4, 0), (D2, 2, 0), (D3, 2, 1),
    ]  # fmt: skip


def test_same_day_recollection_replaces_the_days_observation():
    first = step(None, D1, coll("a", D1, repo(1), repo(2)))
    morning = step(first, D2, coll("a", D2, repo(1, stars=5), repo(2), repo(3)))
    evening = step(morning, D2, coll("a", D2, repo(1), repo(4)))
    direct = step(first, D2, coll("a", D2, repo(1), repo(4)))
    assert csv_bytes(evening) == csv_bytes(direct)
    assert rows(evening["repositories"], "id", "first_seen", "last_seen", "removed") == [
        (1, D1, D2, False), (2, D1, D1, True), (4, D2, D2, False),
    ]  # fmt: skip
    assert rows(evening["repository_history"], "collected_on", "repository_id") == [
        (D1, 1), (D1, 2), (D2, 4),
    ]  # fmt: skip


def test_forks_and_archived_enter_as_configured_then_are_tracked():
    first = step(None, D1, coll("a", D1, repo(1), repo(2, fork=True)), include_archived=False)
    assert rows(first["repositories"], "id") == [(1,)]
    second = step(first, D2, coll("a", D2, repo(1, archived=True), repo(5, archived=True)),
                  include_archived=False)  # fmt: skip
    assert rows(second["repositories"], "id", "archived", "removed") == [(1, True, False)]


def test_transfer_and_login_case_change_keep_foreign_keys():
    first = step(None, D1, coll("a", D1, repo(1)), coll("b", D1, repo(2, "b")))
    second = step(first, D2, coll("A", D2), coll("b", D2, repo(2, "b"), repo(1, "b")))
    assert rows(second["organisations"], "login") == [("A",), ("b",)]
    assert rows(second["repositories"], "id", "organisation") == [(1, "b"), (2, "b")]
    assert rows(second["organisation_history"], "collected_on", "organisation", "repositories") == [
        (D1, "A", 1), (D1, "b", 1), (D2, "A", 0), (D2, "b", 2),
    ]  # fmt: skip


def test_read_state_round_trips_the_published_tables(tmp_path: Path):
    assert read_state(tmp_path / "datapackage.json", tmp_path / "outputs") is None
    first = step(None, D1, coll("a", D1, repo(1, description='Line\nbreak, "q" NA'), repo(2)))
    second = step(first, D2, coll("a", D2, repo(1, languages={"R": 3, "Python": 1})))
    write_tables(second, tmp_path, metadata=METADATA, version="1.1.0", created=f"{D2}T00:00:00Z",
                 changelog="# Changelog\n")  # fmt: skip
    state = read_state(tmp_path / "datapackage.json", tmp_path / "outputs")
    assert state is not None and state.collected_on == D2 and state.changelog == "# Changelog\n"
    assert csv_bytes(state.tables) == csv_bytes(second)
    for name, frame in second.items():
        assert list(state.tables[name].dtypes) == list(frame.dtypes), name


def test_unreadable_previous_package_is_refused(tmp_path: Path):
    (tmp_path / "datapackage.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(PackageError, match="previous package cannot be read"):
        read_state(tmp_path / "datapackage.json", tmp_path)
