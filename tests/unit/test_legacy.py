"""oshs.legacy: one version of the predecessor's file → totals; versions → daily observations."""

from __future__ import annotations

import gzip
from datetime import datetime

import pytest

from oshs.errors import HistoryImportError
from oshs.legacy import (
    LegacyHistory,
    Observation,
    Version,
    configured_observations,
    history_of,
    parse_version,
    read_totals,
    select_days,
    totals_csv,
)

HEADER = (
    "Organisation,Org Short,Date,Open Repositories,Stargazers,Forks,Open Issues,Top License,"
    "Top Language\n"
)


def anchor(url: str, name: str) -> str:
    return f"<a href='{url}'>{name}</a>"


def row(url: str, day: str, counts: str, rest: str = ",,Python", name: str = "Org") -> str:
    """One line of the file: organisation, short name, date, counts, top licence and language."""
    cell = anchor(url, name)
    return f"{cell},{cell},{day},{counts}{rest}\n"


NHSX = "https://github.com/nhsx"
BSA = "https://gitlab.com/nhsbsa"
FILE = (
    HEADER
    + row(NHSX, "2019-01-01", "1,1.0,0.0,2.0")
    + row(NHSX, "2020-05-01", "3,4.0,1.0,5.0", ',"BSD 3-Clause ""New"" or ""Revised"" License",R')
    + row(BSA, "2018-01-01", "7,2.0,3.0,1.0")
    + row("https://github.com/NHSDigital", "2021-01-01", "10,12.0,4.0,0.0")
)


def test_the_last_row_of_each_organisation_holds_its_totals():
    assert parse_version(FILE.encode(), "v1") == {
        ("github", "nhsx"): ("nhsx", (3, 4, 1, 5)),
        ("gitlab", "nhsbsa"): ("nhsbsa", (7, 2, 3, 1)),
        ("github", "nhsdigital"): ("NHSDigital", (10, 12, 4, 0)),
    }


@pytest.mark.parametrize(
    "text",
    [
        # a quoted cell over two lines: every row goes through csv
        FILE + row(NHSX, "2021-02-02", "4,5.0,1.0,6.0", ',"MIT\nLicense",Python'),
        # a quoted organisation cell with a comma
        FILE.replace(anchor(NHSX, "Org"), '"' + anchor(NHSX, "NHSX, the unit") + '"').replace(
            "2020-05-01,3,4.0,1.0,5.0", "2020-05-01,4,5.0,1.0,6.0"
        ),
        # CRLF line endings and a byte order mark
        "\ufeff"
        + FILE.replace("2020-05-01,3,4.0,1.0,5.0", "2020-05-01,4,5.0,1.0,6.0").replace(
            "\n", "\r\n"
        ),
    ],
    ids=["multi-line-cell", "quoted-organisation", "crlf-bom"],
)
def test_quoted_cells_and_line_endings_read_the_same(text):
    assert parse_version(text.encode(), "v")[("github", "nhsx")] == ("nhsx", (4, 5, 1, 6))


def test_an_organisation_whose_rows_are_split_keeps_its_last_row_and_any_spelling():
    text = (
        HEADER
        + row("https://github.com/NHSX", "2019-01-01", "1,1.0,0.0,2.0")
        + row(BSA, "2018-01-01", "7,2.0,3.0,1.0")
        + row("http://www.github.com/nhsx/", "2020-01-01", "2,2.0,0.0,2.0", name="NHSX unit")
    )
    assert parse_version(text.encode(), "v")[("github", "nhsx")] == ("nhsx", (2, 2, 0, 2))


@pytest.mark.parametrize("text", ["", "\n", HEADER, HEADER + "\n\n"])
def test_a_file_without_data_rows_is_empty(text):
    assert parse_version(text.encode(), "v") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEADER.replace("Stargazers", "Stars") + row(NHSX, "2019-01-01", "1,1.0,0.0,2.0"),
            "c1: no column 'Stargazers' (expected the columns of "
            "nhsengland/open-health-statistics's file: Organisation, Open Repositories, "
            "Stargazers, Forks, Open Issues)",
        ),
        (
            HEADER + row(NHSX, "2019-01-01", "1,1.5,0.0,2.0"),
            "c1, row 2: Stargazers '1.5' is not a count (expected a whole number such as 12.0)",
        ),
        (
            HEADER + row(NHSX, "2019-01-01", ",1.0,0.0,2.0"),
            "c1, row 2: 'Open Repositories' is empty",
        ),
        (
            HEADER + "NHS X,NHS X,2019-01-01,1,1.0,0.0,2.0,,Python\n",
            "c1, row 2: the organisation 'NHS X' has no github.com or gitlab.com link "
            "(expected <a href='https://github.com/<login>'>...</a>)",
        ),
        (HEADER + row(NHSX, "2019-01-01", "1,1.0,0.0"), "c1, row 2: 8 cells, expected 9"),
        (b"\xff\xfe".decode("latin-1"), "c1: not UTF-8 text"),
    ],
    ids=["column", "fraction", "empty-count", "no-link", "cells", "encoding"],
)
def test_a_file_not_of_the_predecessors_format_is_named(text, message):
    data = text.encode("latin-1" if message.endswith("UTF-8 text") else "utf-8")
    with pytest.raises(HistoryImportError) as error:
        parse_version(data, "c1")
    assert error.value.message == message


def at(moment: str) -> int:
    """Seconds since the epoch of an ISO 8601 time with its zone."""
    return int(datetime.fromisoformat(moment).timestamp())


def test_days_are_utc_the_last_version_wins_and_empty_versions_and_replays_are_skipped():
    versions = [
        Version("c0", at("2021-06-28T08:37:23+01:00"), "empty", 0),
        Version("c1", at("2021-06-28T08:44:43+01:00"), "a", 1),
        Version("c2", at("2021-06-28T13:00:01+01:00"), "b", 2),  # the later one of the day
        Version("c3", at("2021-06-29T00:02:17+00:00"), "c", 3),
        Version("c4", at("2021-06-30T00:30:00+02:00"), "d", 4),  # 2021-06-29 in UTC
        Version("c5", at("2021-06-30T12:00:00+00:00"), "d", 5),  # unchanged: no new version
        Version("c6", at("2021-07-01T00:02:00+00:00"), None, 6),  # the file is missing
        Version("c7", at("2021-07-02T00:02:00+00:00"), "e", 7),
        Version("c8", at("2021-07-02T12:34:18+02:00"), "c", 8),  # a revert republishing c3
    ]
    has_rows = {"empty": False, "a": True, "b": True, "c": True, "d": True, "e": True}
    chosen, counts = select_days(versions, has_rows)
    assert {day: v.commit for day, v in chosen.items()} == {
        "2021-06-28": "c2",
        "2021-06-29": "c4",
        "2021-07-02": "c7",
    }
    assert counts == {"versions": 7, "empty": 1, "replays": 1, "superseded": 2}


def test_equal_times_follow_history_order():
    versions = [Version("late", 100, "b", 1), Version("early", 100, "a", 0)]
    chosen, _ = select_days(versions, {"a": True, "b": True})
    assert chosen["1970-01-01"].commit == "late"


def test_history_of_gives_one_observation_per_organisation_and_day():
    versions = [Version("c1", at("2021-06-28T09:00:00+00:00"), "a", 0)]
    history = history_of("owner/name", versions, {"a": parse_version(FILE.encode(), "a")})
    assert history == LegacyHistory(
        "owner/name",
        (
            Observation("2021-06-28", "github", "NHSDigital", 10, 12, 4, 0),
            Observation("2021-06-28", "github", "nhsx", 3, 4, 1, 5),
            Observation("2021-06-28", "gitlab", "nhsbsa", 7, 2, 3, 1),
        ),
        versions=1,
    )


def test_configured_observations_match_github_logins_case_insensitively():
    history = LegacyHistory(
        "owner/name",
        (
            Observation("2021-06-28", "github", "nhsdigital", 10, 12, 4, 0),
            Observation("2021-06-28", "github", "ghost", 1, 0, 0, 0),
            Observation("2021-06-28", "gitlab", "nhsbsa", 7, 2, 3, 1),
            Observation("2021-06-29", "github", "NHSDigital", 11, 12, 4, 0),
        ),
    )
    kept, others, gitlab = configured_observations(history, ["NHSDigital", "nhsbsa"])
    assert kept == [
        Observation("2021-06-28", "github", "NHSDigital", 10, 12, 4, 0),
        Observation("2021-06-29", "github", "NHSDigital", 11, 12, 4, 0),
    ]
    assert (others, gitlab) == (["ghost"], ["nhsbsa"])


def test_totals_round_trip_through_their_csv_gzip_or_not():
    history = LegacyHistory(
        "owner/name",
        (
            Observation("2021-06-29", "github", "b", 2, None, 0, 1),
            Observation("2021-06-28", "github", "a", 1, 3, 0, 0),
        ),
    )
    data = totals_csv(history)
    assert data == (
        b"source,collected_on,platform,organisation,repositories,stars,forks,open_issues\n"
        b"owner/name,2021-06-28,github,a,1,3,0,0\n"
        b"owner/name,2021-06-29,github,b,2,,0,1\n"
    )
    expected = LegacyHistory("owner/name", tuple(reversed(history.observations)))
    assert read_totals(data, "t") == read_totals(gzip.compress(data), "t") == expected


@pytest.mark.parametrize("data", [b"a,b\n1,2\n", b"\x1f\x8bnot gzip", b"\xff\xfe"])
def test_a_file_that_is_not_totals_is_named(data):
    with pytest.raises(HistoryImportError) as error:
        read_totals(data, "t")
    assert error.value.message == (
        "t: not a totals file (expected a CSV, gzip or not, with the columns source, "
        "collected_on, platform, organisation, repositories, stars, forks, open_issues)"
    )
