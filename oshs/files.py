"""Atomic file writes: nothing already published is ever half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_PUBLISHED_MODE = 0o666


def _umask() -> int:
    """The process umask (reading it means setting it, so set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(
            tmp, _PUBLISHED_MODE & ~_umask()
        )  # mkstemp makes 0600; published files are readable
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` as UTF-8 with `\\n` line endings to `path`, atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))
