"""`oshs.background`: a function computed in a forked process while the caller goes on."""

from __future__ import annotations

import os
import signal
from functools import partial

import pytest

from oshs import background
from oshs.background import in_background, in_new_process
from oshs.errors import ForkError, PackageError


def pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def fails(message: str) -> None:
    raise ValueError(message)


def dies() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class Unreadable(Exception):
    def __init__(self, first: str, second: str) -> None:  # pickles as Unreadable(message)
        super().__init__(f"{first} {second}")


def raises_unreadable() -> None:
    raise Unreadable("not", "readable")


def refuses(message: str) -> None:
    raise PackageError(message, hint="do this")


RUNNERS = {
    "forked": in_background,
    "here": partial(in_background, fork=False),
    "new": in_new_process,
}
SEEN = ["as imported"]


def seen_and_pid() -> tuple[str, int]:
    return SEEN[0], os.getpid()


def test_forked_the_result_comes_from_another_process_else_from_this_one():
    with in_background(pid_and, 21) as result:
        pid, value = result()
    assert (pid != os.getpid(), value) == (True, 42)
    with in_background(pid_and, 21, fork=False) as result:
        assert result() == (os.getpid(), 42)


def test_a_new_process_holds_nothing_of_this_one_s_memory(monkeypatch):
    monkeypatch.setattr(f"{__name__}.SEEN", ["changed here"])
    with in_background(seen_and_pid) as forked, in_new_process(seen_and_pid) as new:
        results = [forked(), new()]
    assert [seen for seen, _ in results] == ["changed here", "as imported"]
    assert os.getpid() not in {pid for _, pid in results}


def niceness() -> int:
    return os.nice(0)


def test_a_new_process_runs_at_the_priority_asked_for():
    with in_new_process(niceness, nice=5) as lower, in_new_process(niceness) as same:
        assert (lower(), same()) == (min(19, os.nice(0) + 5), os.nice(0))  # 19: the lowest


@pytest.mark.parametrize("runner", RUNNERS)
def test_the_function_s_error_is_raised_when_the_result_is_asked_for(runner):
    with RUNNERS[runner](fails, "no good") as result, pytest.raises(ValueError) as raised:
        result()
    assert str(raised.value) == "no good"


@pytest.mark.parametrize("runner", ["forked", "new"])
def test_an_oshs_error_of_another_process_keeps_its_message_and_hint(runner):
    with RUNNERS[runner](refuses, "bad package") as result, pytest.raises(PackageError) as raised:
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


@pytest.mark.parametrize("runner", ["forked", "new"])
def test_a_process_that_dies_is_a_fork_error_not_a_hang(runner):
    with RUNNERS[runner](dies) as result, pytest.raises(ForkError) as raised:
        result()
    how = "forked" if runner == "forked" else "started"
    assert raised.value.message == (
        f"a process {how} by the build died (exit code -9) before sending its result"
    )


@pytest.mark.parametrize("runner", ["forked", "new"])
def test_an_error_the_parent_cannot_rebuild_is_a_fork_error(runner):
    with RUNNERS[runner](raises_unreadable) as result, pytest.raises(ForkError) as raised:
        result()
    how = "forked" if runner == "forked" else "new"
    assert raised.value.message.startswith(f"a {how} process's result cannot be read (")
