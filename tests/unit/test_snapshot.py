"""Raw snapshot files: deterministic bytes, layout, and clear errors."""

from __future__ import annotations

import gc
import gzip
import json
from dataclasses import replace

import pytest

from oshs.collection import Collection, read_collections
from oshs.errors import SnapshotError
from oshs.normalise import normalise_snapshot
from oshs.records import records_table
from oshs.snapshot import (
    collection_dates,
    encode_snapshot,
    read_collection,
    read_manifest,
    read_snapshot,
    snapshot_path,
    write_manifest,
    write_snapshot,
)


def snapshot(login: str = "NHSDigital", collected_at: str = "2025-10-06T06:00:00Z") -> dict:
    return {
        "format": 1,
        "api": "rest",
        "api_url": "https://api.github.com",
        "login": login,
        "display_name": None,
        "collected_at": collected_at,
        "organisation": {"url": "https://api.github.com/orgs/x", "body": {"login": login}},
        "pages": [{"url": "https://api.github.com/orgs/x/repos", "body": []}],
    }


def test_snapshot_path_is_dated_and_lower_case(tmp_path):
    path = snapshot_path(tmp_path, "2025-10-06", "NHSDigital")
    assert path == tmp_path / "2025-10-06" / "nhsdigital.json.gz"


def test_encoding_is_deterministic_gzip_with_sorted_keys():
    doc = snapshot()
    first, second = encode_snapshot(doc), encode_snapshot(dict(reversed(list(doc.items()))))
    assert first == second
    assert first[4:8] == b"\x00\x00\x00\x00"  # gzip mtime is zero
    assert json.loads(gzip.decompress(first)) == doc


def test_write_then_read_round_trips(tmp_path):
    path = write_snapshot(tmp_path, snapshot())
    assert path == tmp_path / "2025-10-06" / "nhsdigital.json.gz"
    assert read_snapshot(path) == snapshot()
    assert not list(tmp_path.rglob("*.tmp"))


def test_collection_dates_are_sorted_and_ignore_other_folders(tmp_path):
    for date in ("2025-10-13", "2025-10-06"):
        write_snapshot(tmp_path, snapshot(collected_at=f"{date}T06:00:00Z"))
    (tmp_path / "notes").mkdir()
    assert collection_dates(tmp_path) == ["2025-10-06", "2025-10-13"]
    assert collection_dates(tmp_path / "missing") == []


def test_read_collection_returns_every_organisation_sorted(tmp_path):
    write_snapshot(tmp_path, snapshot("nhsx"))
    write_snapshot(tmp_path, snapshot("BHFDSC"))
    logins = [doc["login"] for doc in read_collection(tmp_path, "2025-10-06")]
    assert logins == ["BHFDSC", "nhsx"]


def test_read_collection_of_an_empty_date_says_so(tmp_path):
    (tmp_path / "2025-10-06").mkdir()
    with pytest.raises(SnapshotError) as caught:
        read_collection(tmp_path, "2025-10-06")
    assert caught.value.message == (
        f"{tmp_path / '2025-10-06'}: no snapshots (*.json.gz) for 2025-10-06"
    )


def test_a_corrupt_snapshot_is_a_snapshot_error(tmp_path):
    path = tmp_path / "broken.json.gz"
    path.write_bytes(b"not gzip")
    with pytest.raises(SnapshotError, match="not a readable gzip JSON snapshot"):
        read_snapshot(path)
    path.write_bytes(gzip.compress(b'{"format": 99}'))
    with pytest.raises(SnapshotError, match="not an oshs snapshot of format 1"):
        read_snapshot(path)


def test_manifest_round_trips(tmp_path):
    assert read_manifest(tmp_path, "2025-10-06") is None
    write_manifest(tmp_path, "2025-10-06", {"requests": 3})
    assert read_manifest(tmp_path, "2025-10-06") == {"requests": 3}


def test_read_collections_normalises_each_snapshot_and_restores_the_collector(tmp_path):
    write_snapshot(tmp_path, snapshot("nhsx"))
    write_snapshot(tmp_path, snapshot("BHFDSC") | {"api_url": "https://ghe.example/api"})
    assert gc.isenabled()
    (collection,) = read_collections(tmp_path, ["2025-10-06"], configured=["nhsx", "gone"])
    assert gc.isenabled()
    expected = tuple(
        replace(organisation, repositories=records_table(organisation.repositories))
        for organisation in map(normalise_snapshot, read_collection(tmp_path, "2025-10-06"))
    )  # the records of a date become one Arrow table
    assert collection == Collection(
        "2025-10-06",
        expected,
        ("gone",),
        "https://api.github.com",
        (("github", "https://api.github.com"), ("github", "https://ghe.example/api")),
    )
    gc.disable()
    try:
        read_collections(tmp_path, ["2025-10-06"])
        assert not gc.isenabled()  # a caller's own setting is left as it was
    finally:
        gc.enable()


def repository_body(number: int, login: str) -> dict:
    return {
        "id": number,
        "name": f"r{number}",
        "full_name": f"{login}/r{number}",
        "html_url": f"https://github.com/{login}/r{number}",
        "created_at": "2020-01-01T12:00:00Z",
        "private": False,
        "fork": False,
        "archived": False,
        "topics": ["nhs"],
    }


def test_a_date_read_in_two_halves_by_two_processes_is_the_date_read_here(tmp_path, monkeypatch):
    for number, login in enumerate(["a", "b", "c", "d", "e"]):
        body = [repository_body(number * 10 + at, login) for at in range(number)]
        doc = snapshot(login)
        doc["pages"] = [{"url": "https://api.github.com/orgs/x/repos", "body": body}]
        write_snapshot(tmp_path, doc)
    monkeypatch.setenv("OSHS_PROCESSES", "1")
    here = read_collections(tmp_path, ["2025-10-06"])
    monkeypatch.setenv("OSHS_PROCESSES", "2")
    monkeypatch.setattr("oshs.collection.PARALLEL_READ_BYTES", 0)
    halves = read_collections(tmp_path, ["2025-10-06"])
    assert [len(o.repositories) for o in halves[0].organisations] == [0, 1, 2, 3, 4]
    assert halves == here


def test_a_date_read_in_two_halves_names_the_first_bad_snapshot(tmp_path, monkeypatch):
    for login in ["a", "b", "c", "d"]:
        doc = snapshot(login)
        if login in ("b", "d"):  # one bad snapshot in each half
            body = [repository_body(1, login) | {"stargazers_count": "many"}]
            doc["pages"] = [{"url": "https://api.github.com/orgs/x/repos", "body": body}]
        write_snapshot(tmp_path, doc)
    messages = []
    for processes in ("1", "2"):
        monkeypatch.setenv("OSHS_PROCESSES", processes)
        monkeypatch.setattr("oshs.collection.PARALLEL_READ_BYTES", 0)
        with pytest.raises(SnapshotError) as raised:
            read_collections(tmp_path, ["2025-10-06"])
        messages.append(raised.value.message)
    assert messages[0] == messages[1]
    assert messages[0].startswith(f"{tmp_path / '2025-10-06' / 'b.json.gz'}: ")
