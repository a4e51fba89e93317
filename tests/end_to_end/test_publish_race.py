"""Two publishers racing on one remote: both finish, and nothing either published is lost."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from action_runner import bare_remote, checkout, git
from conftest import BIG_ORG, SMALL_ORG, make_dataset, make_repository

from oshs.collect import ApiSettings
from oshs.config import bundled_config, select_organisations
from oshs.errors import PublishError
from oshs.package import descriptor_bytes
from oshs.pipeline import run_build, run_collect
from oshs.publish import open_repository, publish_package, run_process

CONFIG = select_organisations(bundled_config(), [BIG_ORG, SMALL_ORG])
ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}


def dataset(day: int):
    """Day 1: the test dataset; day 2 adds `new-a`; day 3 also adds `new-b` and drops repo-001."""
    data = make_dataset()
    small, big = data["organisations"][1], data["organisations"][0]
    if day >= 2:
        small["repositories"].append(make_repository(904, name="new-a", id=700004))
    if day >= 3:
        small["repositories"].append(make_repository(905, name="new-b", id=700005))
        big["repositories"] = big["repositories"][1:]
    return data


@pytest.fixture(scope="module")
def raw_dirs(tmp_path_factory):
    """Raw collections of days 1, 2 and 3, each in its own folder."""
    from oshs.sandbox import Sandbox

    root = tmp_path_factory.mktemp("raw")
    with Sandbox(dataset(1)) as sandbox:
        settings = ApiSettings(api_url=sandbox.url, token="t", seconds_between_requests=0)
        for day in (1, 2, 3):
            sandbox.set_dataset(dataset(day))
            moment = datetime(2025, 10, day, 6)
            run_collect(CONFIG, settings, raw_dir=root / f"day{day}", collected_at=moment)
    return {day: root / f"day{day}" for day in (1, 2, 3)}


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def build(raw_dir: Path, work: Path) -> None:
    """`oshs build` on top of the package in `work` (the state), bumping MINOR on new data.

    Stands in for the state-aware build until it lands: it only bumps when the build did not.
    """
    package = work / "datapackage.json"
    before = json.loads(package.read_text()) if package.exists() else None
    run_build(CONFIG, raw_dir=raw_dir, out_dir=work / "outputs", package_path=package)
    after = json.loads(package.read_text())
    hashes = lambda d: [r.get("hash") for r in d["resources"]]  # noqa: E731
    if before and hashes(before) != hashes(after):
        major, minor, _ = version_tuple(before["version"])
        if version_tuple(after["version"]) <= version_tuple(before["version"]):
            after["version"] = f"{major}.{minor + 1}.0"
            package.write_bytes(descriptor_bytes(after))


def publisher(remote: Path, work: Path, raw_dir: Path, runner=run_process):
    """A clone that built `raw_dir`, and the call that publishes it (rebuilding on a race)."""
    checkout(remote, work)
    build(raw_dir, work)
    repo = open_repository(work / "datapackage.json", runner=runner, env=ENV)
    return lambda: publish_package(
        repo, work / "datapackage.json", work / "outputs", rebuild=lambda: build(raw_dir, work)
    )


def subjects(remote: Path) -> list[str]:
    return git("log", "--format=%s", "main", cwd=remote).splitlines()


def full_names(remote: Path, ref: str) -> set[str]:
    text = git("show", f"{ref}:outputs/data/repositories.csv", cwd=remote)
    return {line.split(",")[4] for line in text.splitlines()[1:]}


@pytest.fixture(scope="module")
def published_day_1(tmp_path_factory, raw_dirs):
    """A remote holding the day-1 publication (data-v1.0.0), built and published once."""
    root = tmp_path_factory.mktemp("published")
    remote = bare_remote(root / "remote.git")
    publisher(remote, root / "seed", raw_dirs[1])()
    return remote


@pytest.fixture
def remote(tmp_path, published_day_1):
    """A copy of the remote holding the day-1 publication (data-v1.0.0), for a test to change."""
    return Path(shutil.copytree(published_day_1, tmp_path / "remote.git"))


def test_two_racing_publishers_both_finish_and_nothing_is_lost(tmp_path, remote, raw_dirs):
    publish_a = publisher(remote, tmp_path / "a", raw_dirs[2])
    results = {}

    def runner(args, cwd, env):
        """Publisher B's git: just before B's first push, A publishes."""
        if args[1] == "push" and "a" not in results:
            results["a"] = publish_a()
        return run_process(args, cwd, env)

    publish_b = publisher(remote, tmp_path / "b", raw_dirs[3], runner)
    results["b"] = publish_b()
    a, b = results["a"], results["b"]
    assert (a.tag, a.attempts, a.added, a.removed) == ("data-v1.1.0", 1, [f"{SMALL_ORG}/new-a"], [])
    assert (b.tag, b.attempts, b.previous_version) == ("data-v1.2.0", 2, "1.1.0")
    assert (b.added, b.removed) == ([f"{SMALL_ORG}/new-b"], [f"{BIG_ORG}/repo-001"])
    assert git("tag", "--list", cwd=remote).split() == ["data-v1.0.0", "data-v1.1.0", "data-v1.2.0"]
    assert subjects(remote) == [
        "oshs data v1.2.0: 1 repositories added, 1 removed",
        "oshs data v1.1.0: 1 repositories added, 0 removed",
        "oshs data v1.0.0: 248 repositories added, 0 removed",
        "initial commit",
    ]
    assert git("rev-parse", "main~1", cwd=remote) == git("rev-parse", "data-v1.1.0^{}", cwd=remote)
    assert git("rev-parse", "main", cwd=remote) == git("rev-parse", "data-v1.2.0^{}", cwd=remote)
    head = json.loads(git("show", "main:datapackage.json", cwd=remote))
    assert head["version"] == "1.2.0"
    assert f"{SMALL_ORG}/new-a" in full_names(remote, "data-v1.1.0")
    assert {f"{SMALL_ORG}/new-a", f"{SMALL_ORG}/new-b"} <= full_names(remote, "main")


def test_a_publisher_that_keeps_losing_the_race_gives_up_and_the_next_run_publishes(
    tmp_path, remote, raw_dirs
):
    others = iter(range(1, 10))

    def runner(args, cwd, env):
        """Before every push of this publisher, another run pushes a commit first."""
        if args[1] == "push":
            other = tmp_path / f"other-{next(others)}"
            checkout(remote, other)
            git("-c", "user.name=o", "-c", "user.email=o@o", "commit", "--allow-empty",
                "-qm", "other", cwd=other)  # fmt: skip
            git("push", "-q", "origin", "HEAD:main", cwd=other)
        return run_process(args, cwd, env)

    work = tmp_path / "loser"
    checkout(remote, work)
    build(raw_dirs[2], work)
    repo = open_repository(work / "datapackage.json", runner=runner, env=ENV)
    with pytest.raises(PublishError) as caught:
        publish_package(
            repo,
            work / "datapackage.json",
            work / "outputs",
            rebuild=lambda: build(raw_dirs[2], work),
            retries=2,
            pause=lambda attempt: None,
        )
    assert caught.value.message == (
        "the push to origin was rejected 3 times: other runs kept publishing first"
    )
    assert subjects(remote)[:3] == ["other", "other", "other"]
    assert git("tag", "--list", cwd=remote).split() == ["data-v1.0.0"]
    assert git("log", "-1", "--format=%s", cwd=work).startswith("oshs data v1.1.0: ")  # kept
    again = open_repository(work / "datapackage.json", env=ENV)
    result = publish_package(
        again, work / "datapackage.json", work / "outputs", rebuild=lambda: build(raw_dirs[2], work)
    )
    assert (result.tag, result.attempts, result.added) == ("data-v1.1.0", 2, [f"{SMALL_ORG}/new-a"])
    assert git("tag", "--list", cwd=remote).split() == ["data-v1.0.0", "data-v1.1.0"]
    assert subjects(remote)[:2] == ["oshs data v1.1.0: 1 repositories added, 0 removed", "other"]
