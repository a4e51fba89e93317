"""`oshs.background`: a function computed in a forked process while the caller goes on."""

from __future__ import annotations

import os

import pytest

from oshs import background
from oshs.background import in_background
from oshs.errors import PackageError


def pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def fails(message: str) -> None:
    raise ValueError(message)


def refuses(message: str) -> None:
    raise PackageError(message, hint="do this")


def test_forked_the_result_comes_from_another_process_else_from_this_one():
    with in_background(pid_and, 21) as result:
        pid, value = result()
    assert (pid != os.getpid(), value) == (True, 42)
    with in_background(pid_and, 21, fork=False) as result:
        assert result() == (os.getpid(), 42)


@pytest.mark.parametrize("fork", [True, False])
def test_the_function_s_error_is_raised_when_the_result_is_asked_for(fork):
    with in_background(fails, "no good", fork=fork) as result, pytest.raises(ValueError) as raised:
        result()
    assert str(raised.value) == "no good"


def test_an_oshs_error_of_the_forked_process_keeps_its_message_and_hint():
    with in_background(refuses, "bad package") as result, pytest.raises(PackageError) as raised:
        result()
    assert (type(raised.value), raised.value.message, raised.value.hint) == (
        PackageError,
        "bad package",
        "do this",
    )


def test_large_releases_are_worked_on_by_every_core(monkeypatch):
    monkeypatch.delenv("OSHS_PROCESSES", raising=False)
    cores = min(background.MAX_PROCESSES, len(os.sched_getaffinity(0)))
    assert background.processes_for(background.PARALLEL_FROM - 1) == 1
    assert background.processes_for(250_000) == max(1, cores)
    monkeypatch.setenv("OSHS_PROCESSES", "1")
    assert background.processes_for(250_000) == 1
