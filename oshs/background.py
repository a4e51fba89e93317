"""One function computed in a forked process while this one goes on (`in_background`).

A large build shares its work this way on a second core: the first half of a date's snapshots
is read (`oshs.collection`), the Parquet twins are made while the CSVs are written
(`oshs.parquet`), and the staged package is validated while the charts and website are made
(`oshs.package.checking_staged`), by a process forked from a small server process rather than
from this one (it reads files, and need not count this process's memory as its own). Forking is
used only where the platform has it; elsewhere the function runs, as before, when its result is
asked for.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.forkserver
import os
import platform
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext, ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

import pyarrow as pa

from oshs.errors import ForkError

T = TypeVar("T")
PARALLEL_FROM = 20_000
"""Current repositories from which a release is worked on by several processes (below it the
charts take a second or two, and a fork would save little)."""
MAX_PROCESSES = 4
FRESH_PRELOAD = ["oshs.package"]
"""What the server of `fresh_context` imports before it forks (what a validation needs)."""


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


_CALLS: dict[int, Callable[[], Any]] = {}
"""The calls of the open `in_background` blocks, by key: a forked process inherits them."""


@contextmanager
def in_background(
    function: Callable[..., T], *args: Any, fork: bool = True, fresh: bool = False
) -> Iterator[Callable[[], T]]:
    """A function returning `function(*args)`. With `fork` (and where fork exists) that is
    computed in a process forked when the block starts, while the block runs: `args` are
    shared with it, not copied; its result (pickled) or its exception comes back when asked
    for, and `ForkError` when it died first (killed, out of memory); a block left before
    asking ends the process. Without, `function(*args)` runs here when asked for.

    With `fresh` the process is forked instead from a small server process (`fresh_context`),
    so that it holds only what it makes, none of this process's memory (a validation of files
    on disk needs none of it): `function` and `args` are then pickled to it."""
    methods = multiprocessing.get_all_start_methods()
    if not fork or "fork" not in methods or (fresh and "forkserver" not in methods):
        yield lambda: function(*args)
        return
    call, key = partial(function, *args), 0  # `key`: where a forked process finds `call`
    context: ForkContext | ForkServerContext
    if fresh:
        context = fresh_context()
    else:
        return_free_memory()  # the forked process starts as small as this one can be
        context = multiprocessing.get_context("fork")
        key = max(_CALLS, default=0) + 1
        _CALLS[key] = call  # before the fork: the process inherits it
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_send_call, args=(key or call, sending))
    try:
        process.start()
        sending.close()  # this end is the child's: EOF here once it is gone
        yield lambda: _received(receiving, process)
    finally:
        _CALLS.pop(key, None)
        if process.is_alive():
            process.kill()
        if process.pid is not None:  # started (a call that cannot be pickled never is)
            process.join()
        receiving.close()


def fresh_context() -> ForkServerContext:
    """multiprocessing's `forkserver` context, its server running: a process started once (by
    this process, the first time) that imports `FRESH_PRELOAD` and forks the processes asked
    of it, each as small as a new process that has imported them."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FRESH_PRELOAD)
    multiprocessing.forkserver.ensure_running()
    return context


def _send_call(call: int | Callable[[], Any], sending: Connection) -> None:
    """Make `call` (or the call of that key in `_CALLS`) and send (True, result) or (False,
    exception) (in the forked process)."""
    try:
        outcome: tuple[bool, Any] = (True, (_CALLS[call] if isinstance(call, int) else call)())
    except BaseException as error:  # every error goes back to the parent
        outcome = (False, error)
    try:
        sending.send(outcome)
    except Exception as error:  # a result or error that cannot be pickled
        sending.send((False, ForkError(f"a forked process's result cannot be sent ({error})")))


def _received(receiving: Connection, process: BaseProcess) -> Any:
    """The result the forked `process` sends, or its exception raised here."""
    wait([receiving, process.sentinel])
    try:
        ok, value = receiving.recv()
    except (EOFError, OSError):
        process.join()
        raise ForkError(
            f"a process forked by the build died (exit code {process.exitcode}) before "
            "sending its result",
            hint="the machine may be out of memory; OSHS_PROCESSES=1 builds in one process",
        ) from None
    except Exception as error:  # an error the parent cannot unpickle
        raise ForkError(f"a forked process's result cannot be read ({error})") from None
    if not ok:
        raise value
    return value


def return_free_memory() -> None:
    """Give memory that was freed but kept by the allocators back to the system: Arrow's pool's
    and, where the C library is glibc, its heap's (`malloc_trim`): at 250,000 repositories
    about 130 MiB after the tables are built."""
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        ctypes.CDLL(None).malloc_trim(0)
