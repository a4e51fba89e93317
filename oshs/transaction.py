"""A build publishes its whole set of files at once, or not at all, and builds exclude each other.

The published layout is fixed (`datapackage.json` beside `outputs/`, committed to git as plain
files), so no single rename can switch the whole set; a *redo journal* makes it atomic:

1. every file of the new package (CSVs, changelog, descriptor, charts, report) is written into a
   staging folder beside the descriptor (`.<package>.staging-*`), and validated there;
2. the journal `.<package>.journal.json` listing every move (staged file → published path) and
   every deletion is written atomically (temporary file, then rename): **the commit point**;
3. the moves are applied (`os.replace`, descriptor last), then the journal and the staging folder
   are removed.

A process killed before step 2 leaves the old package and a staging folder; killed during step
3, a journal. The next `oshs` start that takes the lock (`build`, `publish`, `validate`, `run`)
calls `recover`: it completes a journal (moves whose staged file is gone were done; redoing the
rest is idempotent), then removes staging folders and temporary files. So after a kill at any
instant, the next start sees the old package or the new one, valid, never a mix.

Builds of one package exclude each other with an advisory lock (`flock` on a file named after
the descriptor's absolute path in the temporary folder, `lock_path`): a second build waits for
the first (then builds on what it published), up to `LOCK_WAIT` seconds, else stops with one
line (`LockError`). Without `fcntl` (Windows) no lock is taken.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from oshs.errors import LockError, StateError
from oshs.files import storage_error, write_bytes_atomic

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)
LOCK_WAIT = 600.0
JOURNAL_FORMAT = 1


def lock_path(package_path: Path) -> Path:
    """The package's lock file: in the temporary folder (so that nothing appears in the working
    tree), named after the descriptor's absolute path."""
    key = hashlib.sha256(str(Path(package_path).resolve()).encode()).hexdigest()[:32]
    user = getattr(os, "getuid", lambda: "user")()
    return Path(tempfile.gettempdir()) / f"oshs-locks-{user}" / f"{key}.lock"


def journal_path(package_path: Path) -> Path:
    """`.<package>.journal.json` beside the descriptor."""
    return Path(package_path).parent / f".{Path(package_path).name}.journal.json"


def staging_prefix(package_path: Path) -> str:
    """The name prefix of staging folders beside the descriptor."""
    return f".{Path(package_path).name}.staging-"


@contextmanager
def package_lock(
    package_path: Path, out_dir: Path | None = None, *, wait: float = LOCK_WAIT
) -> Iterator[None]:
    """Hold the package's lock (waiting up to `wait` s for another build), after `recover`."""
    package_path = Path(package_path)
    handle = _open_lock(package_path)
    try:
        if handle is not None:
            hold(handle, f"another oshs build of {package_path}", wait)
            _HELD.add(handle)
        recover(package_path, out_dir)
        yield
    finally:
        if handle is not None:
            _HELD.discard(handle)
            os.close(handle)  # releases the lock


_HELD: set[int] = set()
"""The descriptors of the package locks this process holds."""


def _close_held_locks() -> None:
    """In a process forked while a lock is held (`oshs.background`): close its copies of the
    lock's descriptor, so that it never keeps the lock once the build that holds it is gone
    (closing, not unlocking: the lock stays the build's)."""
    for handle in _HELD:
        os.close(handle)
    _HELD.clear()


if hasattr(os, "register_at_fork"):  # POSIX only; there is no fork elsewhere
    os.register_at_fork(after_in_child=_close_held_locks)


def _open_lock(package_path: Path) -> int | None:
    """The lock file's descriptor, or None without `fcntl` or where no lock file can be made."""
    if fcntl is None:
        return None
    path = lock_path(package_path)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        if journal_path(package_path).exists():
            raise storage_error(lock_path(package_path), error, "lock") from None
        return None


def hold(handle: int, holder: str, wait: float) -> None:
    """Take the exclusive `flock` of the open file `handle`, waiting up to `wait` seconds for
    `holder` (who else may hold it, for messages) to release it; else `LockError`."""
    if fcntl is None:
        return
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockError(
                    f"{holder} is still running after {wait:g} s",
                    hint="wait for it to finish, then run again",
                ) from None
            if not told:
                log.info("waiting for %s to finish", holder)
                told = True
            time.sleep(0.1)


class Transaction:
    """The files of one build, staged beside the package, published together by `commit`.

    Write into `package_path` and `out_dir` of the transaction (the staged twins of the real
    ones, with the same layout), then `commit()`; leaving the block without committing throws
    the staged files away.
    """

    def __init__(self, package_path: Path, out_dir: Path) -> None:
        self.target_package = Path(package_path)
        self.root = self.target_package.parent
        relative = os.path.relpath(Path(out_dir).resolve(), self.root.resolve())
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            prefix = staging_prefix(self.target_package)
            self.staging = Path(tempfile.mkdtemp(prefix=prefix, dir=self.root))
        except OSError as error:
            raise storage_error(self.root, error) from None
        self.package_path = self.staging / self.target_package.name
        self.out_dir = self.staging / relative
        self.committed = False

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.committed:
            shutil.rmtree(self.staging, ignore_errors=True)

    def commit(self, mirror: Iterable[str] = ()) -> None:
        """Publish every staged file (descriptor last). Files of the `mirror` folders (relative
        to the staged outputs, e.g. `charts`) that this build did not write are deleted."""
        staged = sorted(p for p in self.staging.rglob("*") if p.is_file())
        staged.sort(key=lambda path: path == self.package_path)  # descriptor last
        moves = [self._relative(path) for path in staged]
        deletions = [
            self._published(path)
            for folder in mirror
            for path in sorted((self.root / self._rel(self.out_dir) / folder).glob("*"))
            if path.is_file() and not (self.out_dir / folder / path.name).exists()
        ]
        journal = {
            "format": JOURNAL_FORMAT,
            "staging": self.staging.name,
            "moves": moves,
            "deletions": deletions,
        }
        text = json.dumps(journal, indent=2, sort_keys=True) + "\n"
        write_bytes_atomic(journal_path(self.target_package), text.encode("utf-8"))
        self.committed = True
        apply_journal(self.target_package, journal)

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.staging).as_posix()

    def _relative(self, path: Path) -> list[str]:
        return [f"{self.staging.name}/{self._rel(path)}", self._rel(path)]

    def _published(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def apply_journal(package_path: Path, journal: dict[str, Any]) -> None:
    """Do (or finish) the moves and deletions of a committed journal, then forget it."""
    root = Path(package_path).parent
    published = root
    try:
        for source, target in journal["moves"]:
            staged, published = root / source, root / target
            if staged.exists():
                published.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, published)
        for target in journal["deletions"]:
            published = root / target
            published.unlink(missing_ok=True)
        published = journal_path(package_path)
        published.unlink(missing_ok=True)
    except OSError as error:
        raise storage_error(published, error, "publish") from None
    shutil.rmtree(root / journal["staging"], ignore_errors=True)


def recover(package_path: Path, out_dir: Path | None = None) -> None:
    """Complete a build that was killed after its commit point; remove what killed builds left
    (staging folders, temporary files). Call it holding the lock."""
    package_path = Path(package_path)
    journal = journal_path(package_path)
    if journal.exists():
        try:
            document = json.loads(journal.read_text(encoding="utf-8"))
            moves, deletions = document["moves"], document["deletions"]
            if not (isinstance(moves, list) and isinstance(deletions, list)):
                raise TypeError("moves and deletions must be lists")
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise StateError(
                f"{journal}: the journal of an interrupted build cannot be read ({error})",
                hint="restore the package from git, then delete the journal",
            ) from None
        log.warning("completing the build of %s that was interrupted", package_path)
        apply_journal(package_path, document)
    _clean(package_path, out_dir)


def _clean(package_path: Path, out_dir: Path | None) -> None:
    """Remove staging folders and temporary files (`.<name>.<random>.tmp`) of killed builds."""
    root = package_path.parent
    if not root.is_dir():
        return
    for path in root.glob(staging_prefix(package_path) + "*"):
        shutil.rmtree(path, ignore_errors=True)
    leftovers = [
        *root.glob(f".{package_path.name}.*.tmp"),
        *root.glob(f".{journal_path(package_path).name}.*.tmp"),
    ]
    if out_dir is not None and Path(out_dir).is_dir():
        folders = [Path(out_dir), *(p for p in Path(out_dir).rglob("*") if p.is_dir())]
        leftovers += [path for folder in folders for path in folder.glob(".*.tmp")]
    for path in leftovers:
        with suppress(OSError):
            path.unlink()
