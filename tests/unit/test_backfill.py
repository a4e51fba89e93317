"""oshs.backfill: a day older than the state's newest is merged into the history in date order,
whatever order the days arrive in."""

from __future__ import annotations

import pandas as pd
import pytest
from test_history import coll, repo, rows, step

from oshs.backfill import merge_day
from oshs.schema import ORGANISATION_HISTORY
from oshs.tables import to_csv_bytes, typed

DAYS = ["2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04"]


def day(index: int):
    """Four days of two organisations: values change, repositories come and go (none comes back
    after a gap), `b` is not collected on the second and fourth days, and once with nothing."""
    on = DAYS[index]
    a = [repo(1, stars=[1, 2, 3, 3][index]), repo(5, stars=[1, 5, 1, 1][index])]
    if index >= 1:
        a.append(repo(2, stars=4, open_issues=None))
    if index <= 1:
        a.append(repo(3))
    if index == 2:
        a.append(repo(4, archived=True, languages={"R": 9}, topics=["x"]))
    found = [coll("a", on, *a)]
    if index == 0:
        found.append(coll("b", on, repo(9, "b", stars=7), repo(8, "b")))
    if index == 2:
        found.append(coll("b", on, repo(9, "b", stars=8)))
    return on, found


def build(order) -> dict[str, bytes]:
    """The tables after the days in `order`: newer days advance, older ones are merged."""
    tables, newest = None, None
    for index in order:
        on, collections = day(index)
        if newest is None or on > newest:
            tables, newest = step(tables, on, *collections), on
        else:
            tables = merge_day(
                tables, collections, collected_on=on, include_forks=False, include_archived=True
            )
    assert tables is not None
    return {name: to_csv_bytes(frame) for name, frame in tables.items()}


@pytest.fixture(scope="module")
def in_order() -> dict[str, bytes]:
    """The tables after the four days in date order: built when a test of this module first
    needs them (not when the module is collected, by every pytest-xdist worker)."""
    return build(range(4))


ORDERS = [(3, 2, 1, 0), (1, 3, 0, 2), (2, 0, 3, 1), (0, 2, 1, 3)]
"""Four of the 23 other orders (all 23 pass; each costs about a second): every day arrives last
once, and each before and after its neighbours."""


@pytest.mark.parametrize("order", ORDERS)
def test_any_arrival_order_publishes_the_in_order_tables(order, in_order):
    assert build(order) == in_order


def test_the_in_order_history_is_what_it_should_be(in_order):
    text = in_order["organisation_history"].decode()
    assert text.splitlines()[1:] == [
        "2025-10-01,a,3,3,0,6,0,0,0,oshs,false,false",
        "2025-10-01,b,2,8,0,4,0,0,0,oshs,false,false",
        "2025-10-02,a,4,12,0,6,0,0,0,oshs,false,false",
        "2025-10-03,a,4,9,0,6,0,1,1,oshs,false,false",
        "2025-10-03,b,1,8,0,2,0,0,1,oshs,false,false",
        "2025-10-04,a,3,8,0,4,0,0,2,oshs,false,false",
    ]


def test_an_older_oshs_day_replaces_the_imported_observation_of_that_day():
    tables = step(None, DAYS[2], *day(2)[1])
    history = tables["organisation_history"]
    imported = history.iloc[[0]].assign(
        collected_on=DAYS[1], source="nhsengland/open-health-statistics", stars=99,
        includes_forks=True, open_issues_include_pull_requests=True,
        archived=pd.NA, removed=pd.NA, open_pull_requests=pd.NA,
    )  # fmt: skip
    tables["organisation_history"] = typed(pd.concat([imported, history]), ORGANISATION_HISTORY)
    merged = merge_day(
        tables, day(1)[1], collected_on=DAYS[1], include_forks=False, include_archived=True
    )
    rows = to_csv_bytes(merged["organisation_history"]).decode().splitlines()[1:]
    assert rows[0] == "2025-10-02,a,4,12,0,6,0,0,0,oshs,false,false"
    assert [row[:12] for row in rows] == ["2025-10-02,a", "2025-10-03,a", "2025-10-03,b"]


def test_a_day_already_held_changes_nothing():
    tables = step(step(None, DAYS[0], *day(0)[1]), DAYS[2], *day(2)[1])
    again = merge_day(
        tables, day(0)[1], collected_on=DAYS[0], include_forks=False, include_archived=True
    )
    assert {k: to_csv_bytes(v) for k, v in again.items()} == {
        k: to_csv_bytes(v) for k, v in tables.items()
    }


def test_an_organisation_last_seen_before_the_day_is_advanced_and_stays_stale():
    tables = step(step(None, DAYS[0], *day(0)[1]), DAYS[2], coll("a", DAYS[2], repo(1)))
    merged = merge_day(
        tables,
        [coll("b", DAYS[1], repo(9, "b", stars=3))],
        collected_on=DAYS[1],
        include_forks=False,
        include_archived=True,
    )
    assert rows(merged["organisations"], "login", "collected_on", "stale") == [
        ("a", DAYS[2], False),
        ("b", DAYS[1], True),
    ]
    assert rows(merged["repositories"], "id", "stars", "last_seen", "removed") == [
        (1, 1, DAYS[2], False),
        (3, 1, DAYS[0], True),
        (5, 1, DAYS[0], True),
        (8, 1, DAYS[0], True),
        (9, 3, DAYS[1], False),
    ]
    assert rows(merged["organisation_history"], "collected_on", "organisation", "removed") == [
        (DAYS[0], "a", 0), (DAYS[0], "b", 0), (DAYS[1], "b", 1), (DAYS[2], "a", 2),
    ]  # fmt: skip
