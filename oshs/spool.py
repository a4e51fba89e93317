"""Bytes by name that a large build does not keep in memory (`SpooledBytes`): the CSVs of a
release, made one table after another (each hashed for the descriptor as it is added: a value on
disk is not read back for it), and written when the release is published.

A value from `SPILL_BYTES` on is kept in an unnamed temporary file (`tempfile.TemporaryFile`,
in `TMPDIR`: removed by the system as soon as it is closed, even when the process is killed);
a smaller one stays in memory, so a small build writes nothing more. At 250,000 repositories
the CSVs are 177 MB, and at 1,000,000 about 700 MB, that the build would otherwise hold while it
makes its descriptor, changelog and twins.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from oshs.files import storage_error

SPILL_BYTES = 16 * 2**20
COPY_BYTES = 2**20


class SpooledBytes(Mapping[str, bytes]):
    """A read-only mapping of name → bytes whose large values are kept on disk (see the module
    docstring); reading a value reads its file. Equal to any mapping of the same bytes."""

    def __init__(self) -> None:
        self._values: dict[str, bytes | IO[bytes]] = {}
        self._sha256: dict[str, str] = {}

    def add(self, name: str, data: bytes) -> None:
        """Keep `data` as the value of `name` (on disk from `SPILL_BYTES`), and its hash."""
        self._sha256[name] = hashlib.sha256(data).hexdigest()
        if len(data) < SPILL_BYTES:
            self._values[name] = data
            return
        spilled = None
        try:
            spilled = tempfile.TemporaryFile(prefix="oshs-")  # noqa: SIM115 (open: it is the value)
            spilled.write(data)
            spilled.flush()
        except OSError as error:
            if spilled is not None:
                spilled.close()
            raise storage_error(Path(tempfile.gettempdir()), error) from None
        self._values[name] = spilled

    def size_and_sha256(self, name: str) -> tuple[int, str]:
        """(size, sha256 hex digest) of the value of `name`, without reading it."""
        return self._size(name), self._sha256[name]

    def save(self, name: str, path: Path) -> None:
        """Write the value of `name` to `path` (from its file a MiB at a time: never all read)."""
        value = self._values[name]
        if isinstance(value, bytes):
            path.write_bytes(value)
            return
        value.seek(0)
        with path.open("wb") as out:
            shutil.copyfileobj(value, out, COPY_BYTES)

    def __getitem__(self, name: str) -> bytes:
        value = self._values[name]
        if isinstance(value, bytes):
            return value
        value.seek(0)
        return value.read()

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}: {self._size(name)} bytes" for name in self)
        return f"SpooledBytes({sizes})"

    def _size(self, name: str) -> int:
        value = self._values[name]
        return len(value) if isinstance(value, bytes) else os.fstat(value.fileno()).st_size


def save_value(values: Mapping[str, bytes], name: str, path: Path) -> None:
    """Write `values[name]` to `path`: from its file when `values` keeps it on disk."""
    if isinstance(values, SpooledBytes):
        values.save(name, path)
    else:
        path.write_bytes(values[name])


def size_and_sha256(values: Mapping[str, bytes], name: str) -> tuple[int, str]:
    """(size, sha256 hex digest) of `values[name]`: those `SpooledBytes` keeps, else computed."""
    if isinstance(values, SpooledBytes):
        return values.size_and_sha256(name)
    data = values[name]
    return len(data), hashlib.sha256(data).hexdigest()
