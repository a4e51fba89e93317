"""CSV bytes in a process forked after polars wrote some: the same bytes, and no hang (polars'
thread pool does not exist in such a child; `oshs.csvbytes` writes there with pandas)."""

from __future__ import annotations

import os
import select
import signal
import sys

import pandas as pd
import pytest

from oshs.csvbytes import to_csv_bytes
from oshs.tables import TEXT_DTYPE

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux")


def table(rows: int) -> pd.DataFrame:
    text = pd.array([f"repo,{n}" if n % 3 else "" for n in range(rows)], dtype=TEXT_DTYPE)
    return pd.DataFrame({"name": text, "stars": pd.array(range(rows), dtype="Int64")})


def bytes_from_child(frame: pd.DataFrame, seconds: float = 60) -> bytes | None:
    """`to_csv_bytes(frame)` computed in a forked child; None when it took over `seconds`."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        data = to_csv_bytes(frame)
        os.write(write, len(data).to_bytes(8, "big") + data)
        os._exit(0)
    os.close(write)
    received = b""
    while True:
        ready, _, _ = select.select([read], [], [], seconds)
        chunk = os.read(read, 1 << 20) if ready else None
        if not chunk:
            break
        received += chunk
    os.close(read)
    if chunk is None:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None if chunk is None else received[8:]


def test_a_child_forked_after_polars_wrote_gets_the_same_bytes():
    frame = table(20_000)
    here = to_csv_bytes(frame)  # polars' thread pool runs in this process now
    assert here.startswith(b'name,stars\n,0\n"repo,1",1\n"repo,2",2\n,3\n')
    assert bytes_from_child(frame) == here
