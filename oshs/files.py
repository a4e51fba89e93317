"""Atomic file writes: nothing already published is ever half-written.

A write that fails (disk full, read-only folder, no permission) raises `StorageError` naming the
path and the cause, never a bare `OSError`.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from oshs.errors import StorageError

_PUBLISHED_MODE = 0o666
_CAUSES = {
    errno.ENOSPC: "no space left on the device (disk full)",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a parent is not a folder",
    errno.EISDIR: "it is a folder",
    errno.EFBIG: "file too large (a size limit)",
}


def describe_os_error(error: OSError, path: Path | str | None = None) -> str:
    """`<file>: <cause>` of an `OSError` (disk full, read-only, permission denied, ...); `path`,
    when given, is named instead of the error's own file."""
    target = path or error.filename
    cause = _CAUSES.get(error.errno or 0) or error.strerror or type(error).__name__
    return f"{target}: {cause}" if target else cause


def storage_error(path: Path | str, error: OSError, doing: str = "write") -> StorageError:
    """One line naming what could not be done to `path` and why (`error`'s errno)."""
    return StorageError(
        f"cannot {doing} {describe_os_error(error, path)}",
        hint="free some space or choose a writable folder, then run again"
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)
        else None,
    )


def _umask() -> int:
    """The process umask (reading it means setting it, so set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise storage_error(path, error) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(
            tmp, _PUBLISHED_MODE & ~_umask()
        )  # mkstemp makes 0600; published files are readable
        os.replace(tmp, path)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise storage_error(path, error) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` as UTF-8 with `\\n` line endings to `path`, atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))
