"""Drawing several charts at once on the cores of the machine, for large releases.

Each chart is drawn by a process forked from this one: the tables and their figures (computed
before the fork) are shared, never copied or pickled; only each chart's index goes out and its
bytes come back. A chart is the same bytes whichever process draws it, so the outputs do not
depend on the number of processes. `drawing` starts them and lets this process go on with other
work (the website) while they draw. Forking is used only on Linux (elsewhere, or with one core,
charts are drawn one after the other); `OSHS_PROCESSES` sets the number of processes
(`1`: never fork; `oshs.background.processes_for`).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from oshs.charts.common import Chart

_JOBS: list[Callable[[], Chart]] = []  # what the forked processes draw, by index


def _draw(index: int) -> Chart:
    """Draw job `index` (in a forked process)."""
    return _JOBS[index]()


@contextmanager
def drawing(
    jobs: Sequence[Callable[[], Chart]], workers: int = 0
) -> Iterator[Callable[[], list[Chart]]]:
    """A function that returns the charts of `jobs`, in order. With `workers` > 0 (and fork)
    they are being drawn by that many forked processes from the start of the block, while
    this process does other work (each process ends when there is no chart left to draw, and
    any left is ended with the block); else they are drawn here when the function is
    called."""
    fork = "fork" in multiprocessing.get_all_start_methods()
    if workers < 1 or not jobs or not fork:
        yield lambda: [job() for job in jobs]
        return
    _JOBS[:] = jobs
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(jobs))) as pool:
            result = pool.map_async(_draw, range(len(jobs)), chunksize=1)
            pool.close()  # each process ends once the charts are drawn (not with the block)
            yield result.get
    finally:
        _JOBS.clear()


def draw_all(jobs: Sequence[Callable[[], Chart]], processes: int = 1) -> list[Chart]:
    """The charts of `jobs`, in order: drawn by `processes` forked processes when more than one
    (and fork is available), else one after the other here."""
    with drawing(jobs, processes if processes > 1 and len(jobs) > 1 else 0) as charts:
        return charts()
