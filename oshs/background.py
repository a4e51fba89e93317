"""One function computed in a forked process while this one goes on (`in_background`).

A large build validates its staged package this way while it draws the charts and writes the
website: on two cores the validation then costs no wall time of its own. Forking is used only
where the platform has it; elsewhere the function runs, as before, when its result is asked for.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
PARALLEL_FROM = 20_000
"""Current repositories from which a release is worked on by several processes (below it the
charts take a second or two, and a fork would save little)."""
MAX_PROCESSES = 4


def processes_for(repositories: int) -> int:
    """How many processes work on a release of `repositories` current repositories at once
    (its charts are drawn by all but one, `oshs.charts.parallel`; with two or more its
    snapshots are read and its package validated by a second one): `OSHS_PROCESSES` when
    set, else the available cores (at most `MAX_PROCESSES`) from `PARALLEL_FROM` repositories
    on, else one."""
    configured = os.environ.get("OSHS_PROCESSES", "").strip()
    if configured.isdigit():
        return max(1, int(configured))
    if repositories < PARALLEL_FROM or not sys.platform.startswith("linux"):
        return 1
    return max(1, min(MAX_PROCESSES, len(os.sched_getaffinity(0))))


@contextmanager
def in_background(
    function: Callable[..., T], *args: Any, fork: bool = True
) -> Iterator[Callable[[], T]]:
    """A function returning `function(*args)`. With `fork` (and where fork exists) that is
    computed in a process forked when the block starts, while the block runs: its result, or
    its exception, comes back when asked for; a block left before asking ends the process.
    Without, `function(*args)` runs here when asked for. `function` must be importable by
    name and its result picklable (`multiprocessing`)."""
    if not fork or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: function(*args)
        return
    with multiprocessing.get_context("fork").Pool(1) as pool:
        result = pool.apply_async(function, args)
        pool.close()  # the process ends once the function returns
        yield result.get
