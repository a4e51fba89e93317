"""One function computed in a forked process while this one goes on (`in_background`).

A large build shares its work this way on a second core: the first half of a date's snapshots
is read (`oshs.collection`), the Parquet twins are made while the CSVs are written
(`oshs.parquet`), and the staged package is validated while the charts and website are made
(`oshs.package.checking_staged`), by a new process rather than a forked one (`in_new_process`:
it reads files, and need not hold this process's memory). Forking is used only where the
platform has it; elsewhere the function runs, as before, when its result is asked for.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import pickle
import platform
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

import pyarrow as pa

from oshs.errors import ForkError

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


_CALLS: dict[int, Callable[[], Any]] = {}
"""The calls of the open `in_background` blocks, by key: a forked process inherits them."""


@contextmanager
def in_background(
    function: Callable[..., T], *args: Any, fork: bool = True
) -> Iterator[Callable[[], T]]:
    """A function returning `function(*args)`. With `fork` (and where fork exists) that is
    computed in a process forked when the block starts, while the block runs: `args` are
    shared with it, not copied; its result (pickled) or its exception comes back when asked
    for, and `ForkError` when it died first (killed, out of memory); a block left before
    asking ends the process. Without, `function(*args)` runs here when asked for."""
    if not fork or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: function(*args)
        return
    return_free_memory()  # the forked process starts as small as this one can be
    key = max(_CALLS, default=0) + 1
    _CALLS[key] = partial(function, *args)  # before the fork: the process inherits it
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_send_call, args=(key, sending))
    try:
        process.start()
        sending.close()  # this end is the child's: EOF here once it is gone
        yield lambda: _received(receiving, process)
    finally:
        del _CALLS[key]
        if process.is_alive():
            process.kill()
        process.join()
        receiving.close()


def _send_call(key: int, sending: Connection) -> None:
    """Make call `key` and send its outcome (in the forked process)."""
    outcome = _outcome(_CALLS[key])
    try:
        sending.send(outcome)
    except Exception as error:  # a result or error that cannot be pickled
        sending.send((False, ForkError(f"a forked process's result cannot be sent ({error})")))


def _outcome(call: Callable[[], Any]) -> tuple[bool, Any]:
    """(True, what `call()` returns) or (False, the exception it raised)."""
    try:
        return True, call()
    except BaseException as error:  # every error goes back to the parent
        return False, error


def _result(ok: bool, value: Any) -> Any:
    """The result of an outcome (`_outcome`), or its exception raised here."""
    if not ok:
        raise value
    return value


def _died(how: str, code: int | None) -> ForkError:
    """The error of a process of the build (`how`: forked, started) that died before sending
    its result."""
    return ForkError(
        f"a process {how} by the build died (exit code {code}) before sending its result",
        hint="the machine may be out of memory; OSHS_PROCESSES=1 builds in one process",
    )


@contextmanager
def in_new_process(
    function: Callable[..., T], *args: Any, nice: int = 0
) -> Iterator[Callable[[], T]]:
    """`in_background`, but in a new Python process rather than a forked one: it holds only
    what it makes, none of this process's memory. `function` (found by its name) and `args`
    are pickled to it with this process's `sys.path` (its `__main__` is not imported again);
    its result or exception comes back pickled, and `ForkError` when it died first. `nice`
    lowers its priority (`os.nice`, where there is one): a result wanted only once the block
    is done leaves the cores to the work of the block."""
    child = subprocess.Popen([sys.executable, "-c", _NEW_PROCESS_MAIN],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    assert child.stdin is not None and child.stdout is not None
    try:
        try:
            with child.stdin:
                pickle.dump(sys.path, child.stdin)
                pickle.dump(partial(_at_lower_priority, nice, function, *args), child.stdin)
        except BrokenPipeError:  # it died before reading its call
            raise _died("started", child.wait()) from None
        yield lambda: _sent_back(child)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()


def _at_lower_priority(nice: int, function: Callable[..., T], *args: Any) -> T:
    """`function(*args)`, this process's priority lowered by `nice` first."""
    if nice and hasattr(os, "nice"):
        os.nice(nice)
    return function(*args)


_NEW_PROCESS_MAIN = "from oshs.background import run_sent_call; run_sent_call()"


def run_sent_call() -> None:
    """The main of a process started by `in_new_process`: the call read from standard input is
    made, and (True, result) or (False, exception) written, pickled, to standard output (what
    the call prints goes to standard error)."""
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.path[:] = pickle.load(sys.stdin.buffer)
    outcome = _outcome(lambda: pickle.load(sys.stdin.buffer)())
    try:
        data = pickle.dumps(outcome)
    except Exception as error:  # a result or error that cannot be pickled
        data = pickle.dumps((False, ForkError(f"a new process's result cannot be sent ({error})")))
    with results:
        results.write(data)
    gc.freeze()  # not collected again at exit, as in `oshs.cli.main`: the parent waits for it


def _sent_back(child: subprocess.Popen[bytes]) -> Any:
    """The result `child` (`in_new_process`) sends, or its exception raised here."""
    assert child.stdout is not None
    data = child.stdout.read()
    code = child.wait()
    if not data:
        raise _died("started", code)
    try:
        ok, value = pickle.loads(data)
    except Exception as error:  # an error the parent cannot unpickle
        raise ForkError(f"a new process's result cannot be read ({error})") from None
    return _result(ok, value)


def _received(receiving: Connection, process: BaseProcess) -> Any:
    """The result the forked `process` sends, or its exception raised here."""
    wait([receiving, process.sentinel])
    try:
        ok, value = receiving.recv()
    except (EOFError, OSError):
        process.join()
        raise _died("forked", process.exitcode) from None
    except Exception as error:  # an error the parent cannot unpickle
        raise ForkError(f"a forked process's result cannot be read ({error})") from None
    return _result(ok, value)


def return_free_memory() -> None:
    """Give memory that was freed but kept by the allocators back to the system: Arrow's pool's
    and, where the C library is glibc, its heap's (`malloc_trim`): at 250,000 repositories
    about 130 MiB after the tables are built."""
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        ctypes.CDLL(None).malloc_trim(0)
