"""Drawing several charts at once on the cores of the machine, for large releases.

The charts are drawn by processes forked from this one (`oshs.background.in_background`), each
every n-th of them: the tables and their figures (computed before the fork) are shared, never
copied or pickled; only the charts' bytes come back, and a process that dies is a `ForkError`,
never a wait without end. A chart is the same bytes whichever process draws it, so the outputs
do not depend on the number of processes. `drawing` starts them and lets this process go on
with other work (the website) while they draw. Forking is used only on Linux (elsewhere, or
with one core, charts are drawn one after the other); `OSHS_PROCESSES` sets the number of
processes (`1`: never fork; `oshs.background.processes_for`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager

from oshs.background import in_background
from oshs.charts.chart import Chart


def _draw_each(jobs: Sequence[Callable[[], Chart]]) -> list[Chart]:
    """Draw `jobs` one after the other (in a forked process)."""
    return [job() for job in jobs]


@contextmanager
def drawing(
    jobs: Sequence[Callable[[], Chart]], workers: int = 0
) -> Iterator[Callable[[], list[Chart]]]:
    """A function that returns the charts of `jobs`, in order. With `workers` > 0 (and fork)
    they are being drawn by that many forked processes from the start of the block
    (`oshs.background.in_background`: each draws every `workers`-th chart), while this
    process does other work; else they are drawn here when the function is called."""
    if workers < 1 or not jobs:
        yield lambda: _draw_each(jobs)
        return
    count = min(workers, len(jobs))
    with ExitStack() as stack:
        shares = [stack.enter_context(in_background(_draw_each, jobs[at::count]))
                  for at in range(count)]  # fmt: skip
        yield lambda: _in_order([share() for share in shares], len(jobs))


def _in_order(shares: list[list[Chart]], total: int) -> list[Chart]:
    """The `total` charts in job order, from each process's share (every `len(shares)`-th)."""
    return [shares[at % len(shares)][at // len(shares)] for at in range(total)]


def draw_all(jobs: Sequence[Callable[[], Chart]], processes: int = 1) -> list[Chart]:
    """The charts of `jobs`, in order: drawn by `processes` forked processes when more than one
    (and fork is available), else one after the other here."""
    with drawing(jobs, processes if processes > 1 and len(jobs) > 1 else 0) as charts:
        return charts()
