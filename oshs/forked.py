"""Jobs run by processes forked from this one, their results in order (`run_forked`).

The jobs (closures over data made before the fork) are shared with the forked processes, never
pickled; only each job's index goes out and its result comes back. Forking is used only where
the OS has it (Linux); elsewhere, or with one process, the jobs run one after the other here.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

MAX_PROCESSES = 4
_JOBS: list[Callable[[], Any]] = []  # what the forked processes run, by index


def available_processes() -> int:
    """The cores this process may use (at most `MAX_PROCESSES`); 1 where there is no fork."""
    if not sys.platform.startswith("linux"):
        return 1
    return max(1, min(MAX_PROCESSES, len(os.sched_getaffinity(0))))


def _run(index: int) -> Any:
    """Run job `index` (in a forked process)."""
    return _JOBS[index]()


def run_forked(jobs: Sequence[Callable[[], Any]], processes: int) -> list[Any]:
    """The results of `jobs`, in order: run by `processes` forked processes when more than one
    (and fork is available), else one after the other here. An exception a job raises is
    raised here (pickled back)."""
    fork = "fork" in multiprocessing.get_all_start_methods()
    if processes < 2 or len(jobs) < 2 or not fork:
        return [job() for job in jobs]
    _JOBS[:] = jobs
    try:
        with multiprocessing.get_context("fork").Pool(min(processes, len(jobs))) as pool:
            return pool.map(_run, range(len(jobs)), chunksize=1)
    finally:
        _JOBS.clear()
