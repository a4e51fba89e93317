"""The rate-limit budget: wait for a reset only within --max-wait, else stop."""

from __future__ import annotations

import pytest

from oshs.collect.api import Budget
from oshs.collect.rest import rest_cost
from oshs.errors import BudgetExhausted


class FakeClient:
    def __init__(self, **rate_limit):
        self.rate_limit = dict(rate_limit)


class Clock:
    def __init__(self, now: float):
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_enough_left_or_unknown_means_go():
    clock = Clock(1000)
    budget = Budget(max_wait=0, clock=clock, sleep=clock.sleep)
    budget.ensure(FakeClient(remaining=5, reset=2000), 5)
    budget.ensure(FakeClient(), 500)  # nothing known before the first response
    assert clock.slept == []


def test_short_budget_waits_for_the_reset_within_max_wait():
    clock = Clock(1000)
    budget = Budget(max_wait=100, clock=clock, sleep=clock.sleep)
    client = FakeClient(remaining=2, reset=1060)
    budget.ensure(client, 3)
    assert clock.slept == [61.0]
    assert "remaining" not in client.rate_limit  # unknown until the next response


def test_waiting_beyond_max_wait_stops_with_one_line():
    clock = Clock(1000)
    budget = Budget(max_wait=100, waited=50, clock=clock, sleep=clock.sleep)
    with pytest.raises(BudgetExhausted) as caught:
        budget.ensure(FakeClient(remaining=2, reset=1060), 3)
    assert caught.value.message == (
        "rate limit exhausted: 3 needed, 2 left until 1970-01-01T00:17:40Z, beyond --max-wait 100 s"
    )
    assert clock.slept == []


def test_rest_cost_is_pages_of_100_plus_two_per_repository_when_enriched():
    assert rest_cost(0, False) == 1
    assert rest_cost(100, False) == 1
    assert rest_cost(101, False) == 2
    assert rest_cost(250, True) == 3 + 500
