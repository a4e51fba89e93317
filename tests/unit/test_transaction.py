"""oshs.transaction: all files at once or none, a journal completed by the next start, one build
at a time."""

from __future__ import annotations

import json
import os

import pytest

from oshs.errors import LockError, StateError
from oshs.transaction import (
    Transaction,
    journal_path,
    lock_path,
    package_lock,
    recover,
)


def test_a_transaction_left_without_commit_publishes_nothing(tmp_path):
    (tmp_path / "datapackage.json").write_text("old\n")
    with (
        pytest.raises(RuntimeError),
        Transaction(tmp_path / "datapackage.json", tmp_path / "out") as tx,
    ):
        tx.package_path.write_text("new\n")
        raise RuntimeError("the build failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datapackage.json"]
    assert (tmp_path / "datapackage.json").read_text() == "old\n"


def test_a_commit_moves_every_file_descriptor_last_and_mirrors_charts(tmp_path):
    (tmp_path / "out" / "charts").mkdir(parents=True)
    (tmp_path / "out" / "charts" / "gone.svg").write_text("old chart\n")
    (tmp_path / "out" / "notes.txt").write_text("kept\n")
    with Transaction(tmp_path / "datapackage.json", tmp_path / "out") as tx:
        (tx.out_dir / "charts").mkdir(parents=True)
        (tx.out_dir / "charts" / "a.svg").write_text("chart\n")
        tx.package_path.write_text("descriptor\n")
        tx.commit(mirror=["charts"])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "datapackage.json", "out", "out/charts", "out/charts/a.svg", "out/notes.txt",
    ]  # fmt: skip


def test_recover_completes_a_committed_journal_and_cleans_leftovers(tmp_path):
    package = tmp_path / "datapackage.json"
    package.write_text("old\n")
    staging = tmp_path / ".datapackage.json.staging-abc"
    (staging / "out").mkdir(parents=True)
    (staging / "datapackage.json").write_text("new\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "t.csv").write_text("already moved\n")  # the move done before the kill
    journal = {
        "format": 1,
        "staging": staging.name,
        "moves": [[f"{staging.name}/out/t.csv", "out/t.csv"],
                  [f"{staging.name}/datapackage.json", "datapackage.json"]],
        "deletions": [],
    }  # fmt: skip
    journal_path(package).write_text(json.dumps(journal))
    (tmp_path / ".datapackage.json.staging-old").mkdir()  # a build killed before committing
    (tmp_path / "out" / ".t.csv.x1y2.tmp").write_text("half")
    recover(package, tmp_path / "out")
    assert package.read_text() == "new\n"
    assert (tmp_path / "out" / "t.csv").read_text() == "already moved\n"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "datapackage.json", "out", "out/t.csv",
    ]  # fmt: skip


def test_an_unreadable_journal_is_named_not_guessed(tmp_path):
    journal_path(tmp_path / "datapackage.json").write_text("{not json")
    with pytest.raises(StateError) as caught:
        recover(tmp_path / "datapackage.json")
    assert caught.value.message.startswith(
        f"{journal_path(tmp_path / 'datapackage.json')}: the journal of an interrupted build "
        "cannot be read ("
    )


def test_a_second_build_waits_for_the_lock_then_stops_with_one_line(tmp_path):
    import fcntl

    package = tmp_path / "datapackage.json"
    lock_path(package).parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock_path(package), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        with pytest.raises(LockError) as caught, package_lock(package, wait=0.2):
            pass
    finally:
        os.close(handle)
    assert caught.value.message == f"another oshs build of {package} is still running after 0.2 s"
    with package_lock(package, wait=0.2):
        pass  # released: the next one goes
    assert lock_path(package).parent != tmp_path  # nothing appears beside the package


def opened_file(handle: int) -> tuple[int, int] | None:
    """(device, inode) of the file `handle` is open on, None when it is closed."""
    try:
        status = os.fstat(handle)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def test_a_process_forked_while_the_lock_is_held_does_not_keep_it(tmp_path):
    from oshs import transaction
    from oshs.background import in_background

    with package_lock(tmp_path / "datapackage.json"):
        (handle,) = transaction._HELD
        lock_file = opened_file(handle)
        with in_background(opened_file, handle) as in_the_fork:
            assert in_the_fork() != lock_file  # closed there (its number maybe reused)
        assert opened_file(handle) == lock_file  # still this process's: the lock is held
    assert not transaction._HELD
