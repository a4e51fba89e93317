"""Kill `oshs build` and `oshs publish` at chosen points, and race four publishers; then check
what the remote and the next start see.

Run by tests/end_to_end/test_kills_and_races.py as
`python tests/fault_runs.py build|build-all|publish|race WORKDIR`; prints one JSON document.
Everything is imported once (frictionless too, which `oshs publish` imports when it validates);
each run of oshs happens in a forked child (which freezes what it inherits, `start_child`), and
a killed one sends itself SIGKILL at its point (nothing in oshs knows about it: this script
wraps `os.replace`, `shutil.rmtree` and `subprocess.run` in the child only).
The parent then does what the next start of oshs does and records the outcome.

Kill points of a build: before each `os.replace` the build makes (render's files in the staging
folder, the journal: the commit point, each move into place, descriptor last), before and after
the staging folder is removed; found by counting the calls of an uninterrupted build (16
replaces here). `build-all` kills at every one of them; `build`, the everyday test,
at five: the first staging write, the journal, a middle move, the descriptor's move, and
before the staging folder is removed. After each kill: what the next start sees (`recover`),
whether it validates, whether it is the old package or the new one byte for byte, what is left
over; and (for every point with `build-all`, for the middle move otherwise) the next build.
Kill points of a publish: after `git commit` (then also with another publisher
pushing a newer day before the next run), after `git tag` (nothing runs between it and the
push), after `git push`, and a git lock file (`index.lock`) left by a run killed inside git.
The race: four clones, each with its own day's collection, publish at the same instant.
Two builds: two days built into one folder at the same instant (`two-builds`).
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "end_to_end"))

import frictionless  # noqa: F401  (`oshs publish` imports it to validate: once, not per child)
from action_runner import bare_remote, checkout, git
from conftest import SMALL_ORG, make_dataset, make_repository

from oshs.collect import ApiSettings
from oshs.config import bundled_config, select_organisations
from oshs.package import validate_package
from oshs.pipeline import run_build, run_collect
from oshs.publish import open_repository, publish_package
from oshs.sandbox import Sandbox
from oshs.transaction import package_lock

CONFIG = select_organisations(bundled_config(), [SMALL_ORG])
ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}


DAYS = 4


def dataset(day: int) -> dict:
    """The small organisation on `day` (1-4): each day adds a repository and stars another."""
    data = make_dataset()
    data["organisations"] = data["organisations"][1:]
    repositories = data["organisations"][0]["repositories"]
    repositories[0]["stargazers_count"] = 10 * day
    for extra in range(2, day + 1):
        repositories.append(make_repository(900 + extra, name=f"new-{extra}", id=700000 + extra))
    return data


def collect_days(root: Path, days: int = 2) -> dict[int, Path]:
    """Raw collections of days 1..`days`, each in its own folder."""
    raws = {}
    with Sandbox(dataset(1)) as sandbox:
        settings = ApiSettings(api_url=sandbox.url, token="t", seconds_between_requests=0)
        for day in range(1, days + 1):
            sandbox.set_dataset(dataset(day))
            raws[day] = root / f"raw-{day}"
            run_collect(CONFIG, settings, raw_dir=raws[day], collected_at=datetime(2025, 10, day))
    return raws


def build(raw: Path, work: Path) -> None:
    run_build(CONFIG, raw_dir=raw, out_dir=work / "outputs", package_path=work / "datapackage.json")


def files(work: Path) -> dict[str, bytes]:
    paths = [work / "datapackage.json", *sorted((work / "outputs").rglob("*"))]
    return {p.relative_to(work).as_posix(): p.read_bytes() for p in paths if p.is_file()}


def start_child(action, kill_when=lambda call: False) -> int:
    """Fork a child that runs `action()` and SIGKILLs itself when `kill_when((when, name, n))`
    says so around its n-th call of `name` (`replace`, `rmtree`, `git-<command>`); its pid."""
    pid = os.fork()
    if pid != 0:
        return pid
    gc.freeze()  # what the child inherited is never traversed, so never copied, by its collector
    calls: dict[str, int] = {}

    def wrap(name, function):
        def wrapper(*args, **kwargs):
            label = name if name != "run" else f"git-{args[0][1]}"
            calls[label] = calls.get(label, 0) + 1
            if kill_when(("before", label, calls[label])):
                os.kill(os.getpid(), signal.SIGKILL)
            result = function(*args, **kwargs)
            if kill_when(("after", label, calls[label])):
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return wrapper

    os.replace = wrap("replace", os.replace)  # type: ignore[assignment]
    shutil.rmtree = wrap("rmtree", shutil.rmtree)  # type: ignore[assignment]
    subprocess.run = wrap("run", subprocess.run)  # type: ignore[assignment]
    try:
        action()
        print(json.dumps(calls), file=sys.stderr)
        os._exit(0)
    except BaseException as error:
        print(f"child failed: {error!r}", file=sys.stderr)
        os._exit(3)


def in_child(action, kill_when=lambda call: False) -> bool:
    """Run `action()` in a child (see `start_child`); True when it was killed."""
    status = os.waitpid(start_child(action, kill_when), 0)[1]
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def build_counting_replaces(raw: Path, work: Path) -> int:
    """Build `raw` on the package in `work`; how many `os.replace` calls the build made there
    (the build record it writes beside the raw files comes after them). The build runs in this
    process, so the children forked after it (the kill runs of the same build) find its charts
    already drawn (`oshs.render`) instead of drawing the same bytes again."""
    count = 0
    original = os.replace

    def counting(*args, **kwargs):
        nonlocal count
        count += str(args[1]).startswith(str(work))
        return original(*args, **kwargs)

    os.replace = counting  # type: ignore[assignment]
    try:
        build(raw, work)
    finally:
        os.replace = original  # type: ignore[assignment]
    return count


def build_matrix(root: Path, every: bool) -> dict:
    raws = collect_days(root)
    base = root / "base"
    build(raws[1], base)
    old = files(base)
    reference = root / "reference"
    shutil.copytree(base, reference)
    replaces = build_counting_replaces(raws[2], reference)
    new = files(reference)
    points = [("before", "replace", n) for n in range(1, replaces + 1)]
    points += [("before", "rmtree", 1), ("after", "rmtree", 1)]
    journal = replaces - len(new)  # the staged writes, then the journal: the commit point
    if not every:  # the first staged write, the journal, a middle move, the descriptor, cleanup
        points = [points[i] for i in (0, journal - 1, journal + 5, replaces - 1, replaces)]
    outcomes = []
    for number, point in enumerate(points):
        work = root / f"kill-{number}"
        shutil.copytree(base, work)
        killed = in_child(lambda w=work: build(raws[2], w), lambda call, p=point: call == p)
        with package_lock(work / "datapackage.json", work / "outputs"):
            pass  # what the next start of oshs does (validate, build, publish)
        valid = validate_package(work / "datapackage.json").valid
        seen = files(work)
        state = "new" if seen == new else "old" if seen == old else "mixed"
        leftovers = sorted(p.name for p in work.iterdir() if p.name.startswith("."))
        outcome = {"point": list(point), "killed": killed, "valid": valid, "state": state,
                   "leftovers": leftovers}  # fmt: skip
        if every or number == 2:  # old or new byte for byte: the next build is the reference's
            build(raws[2], work)  # (determinism); shown once: no second bump, no extra entry
            outcome["next_build_equals_reference"] = files(work) == new
        outcomes.append(outcome)
    return {"replaces": replaces, "journal": journal, "outcomes": outcomes}


PUBLISH_POINTS = [
    ("after", "git-commit", 1),
    ("after", "git-tag", 1),
    ("after", "git-push", 1),
    ("stale-index-lock", "", 0),
    ("after-commit-then-another-publishes", "git-commit", 1),
]


def publish_run(work: Path, raw: Path) -> None:
    """`oshs publish` of `work`, rebuilding from `raw` on a race; the result line in a file."""
    os.chdir(work)
    repo = open_repository(work / "datapackage.json", env=ENV)
    result = publish_package(
        repo, work / "datapackage.json", work / "outputs", rebuild=lambda: build(raw, work),
        pause=lambda attempt: time.sleep(random.uniform(0, 0.2 * attempt)),
    )  # fmt: skip
    (work.parent / f"{work.name}.result").write_text(result.line())


def copy_pair(remote: Path, work: Path, root: Path, number: int) -> tuple[Path, Path]:
    """Copies of a remote and of a clone of it, the clone pointing at the copied remote."""
    new_remote, new_work = root / f"remote-{number}.git", root / f"work-{number}"
    shutil.copytree(remote, new_remote)
    shutil.copytree(work, new_work)
    git("remote", "set-url", "origin", str(new_remote), cwd=new_work)
    return new_remote, new_work


def days_on_main(remote: Path) -> list[str]:
    history = git("show", "main:outputs/data/organisation_history.csv", cwd=remote)
    return sorted({row.split(",")[0] for row in history.splitlines()[1:]})


def publish_matrix(root: Path) -> dict:
    raws = collect_days(root, days=3)
    remote = bare_remote(root / "remote.git")
    seed = checkout(remote, root / "seed")
    build(raws[1], seed)
    in_child(lambda: publish_run(seed, raws[1]))
    base = checkout(remote, root / "base")
    build(raws[2], base)
    outcomes = []
    for number, point in enumerate(PUBLISH_POINTS):
        remote_copy, work = copy_pair(remote, base, root, number)
        killed = False
        if point[0] == "stale-index-lock":
            folder = work / ".git"
            (folder / "oshs-publish.json").write_text(json.dumps({"pid": 1, "started": 0}))
            (folder / "index.lock").write_text("")
            os.utime(folder / "index.lock", (10, 10))
        else:
            when = "after" if point[0].startswith("after") else "before"
            target = (when, point[1], point[2])
            killed = in_child(lambda w=work: publish_run(w, raws[2]), lambda c, t=target: c == t)
        if point[0] == "after-commit-then-another-publishes":
            other = checkout(remote_copy, root / f"other-{number}")
            build(raws[3], other)
            in_child(lambda o=other: publish_run(o, raws[3]))
        tags_after_kill = git("tag", "--list", cwd=remote_copy).split()
        in_child(lambda w=work: publish_run(w, raws[2]))
        outcomes.append(
            {"point": list(point), "killed": killed, "tags_after_kill": tags_after_kill,
             "next_run": (root / f"work-{number}.result").read_text().split(" (")[0],
             "remote_tags": git("tag", "--list", cwd=remote_copy).split(),
             "days": days_on_main(remote_copy),
             "main_is_tagged": git("describe", "--exact-match", "main", cwd=remote_copy).strip()}
        )  # fmt: skip
    return {"outcomes": outcomes}


def race(root: Path) -> dict:
    """Four clones, each with one day, publish at once; the remote's tables against an in-order
    build of the four days."""
    raws = collect_days(root, days=DAYS)
    every = root / "raw-all"
    for raw in raws.values():
        shutil.copytree(raw, every, dirs_exist_ok=True)
    remote = bare_remote(root / "remote.git")
    works = {}
    for day, raw in raws.items():
        works[day] = checkout(remote, root / f"publisher-{day}")
        build(raw, works[day])
    reference = root / "reference"  # built last: the publisher that publishes the fourth day
    build(every, reference)  # finds its charts drawn in this process (`oshs.render`)
    pids = {day: start_child(lambda w=w, r=raws[d]: publish_run(w, r)) for d, w in works.items()
            for day in [d]}  # fmt: skip
    statuses = {day: os.waitpid(pid, 0)[1] for day, pid in pids.items()}
    main = {
        name: git("show", f"main:{name}", cwd=remote)
        for name in files(reference)
        if name != "outputs/CHANGELOG.md" and not name.endswith((".png", ".parquet"))  # as text
    }
    results = {day: (root / f"publisher-{day}.result").read_text() for day in works}
    return {
        "exit_codes": [os.waitstatus_to_exitcode(status) for status in statuses.values()],
        "results": sorted(line.split(" (")[0] for line in results.values()),
        "remote_tags": git("tag", "--list", cwd=remote).split(),
        "days": days_on_main(remote),
        "same_as_in_order": main
        == {k: v.decode() for k, v in files(reference).items() if k in main},
        "changelog_versions": [
            line
            for line in git("show", "main:outputs/CHANGELOG.md", cwd=remote).splitlines()
            if line.startswith("## ")
        ],
    }


def two_builds(root: Path) -> dict:
    """Two builds of different days into one folder at the same instant: both days published."""
    raws = collect_days(root, days=2)
    every = root / "raw-all"
    for raw in raws.values():
        shutil.copytree(raw, every, dirs_exist_ok=True)
    reference = root / "reference"  # built first: the build that comes second finds its
    build(every, reference)  # charts drawn in this process (`oshs.render`)
    work = root / "work"
    pids = [start_child(lambda r=raw: build(r, work)) for raw in raws.values()]
    statuses = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
    same = {k: v for k, v in files(work).items() if k != "outputs/CHANGELOG.md"} == {
        k: v for k, v in files(reference).items() if k != "outputs/CHANGELOG.md"
    }
    return {
        "exit_codes": statuses,
        "valid": validate_package(work / "datapackage.json").valid,
        "same_tables_as_one_build_of_both": same,
        "version": json.loads((work / "datapackage.json").read_text())["version"],
    }


if __name__ == "__main__":
    kind, workdir = sys.argv[1], Path(sys.argv[2])
    os.environ.update(ENV)
    os.environ["HOME"] = str(workdir)
    runs = {
        "build": lambda: build_matrix(workdir, every=False),
        "build-all": lambda: build_matrix(workdir, every=True),
        "publish": lambda: publish_matrix(workdir),
        "race": lambda: race(workdir),
        "two-builds": lambda: two_builds(workdir),
    }
    print(json.dumps(runs[kind]()))
