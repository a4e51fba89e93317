"""Publish: commit the changed package and outputs, tag `data-v<version>`, push (SPEC §3.6).

Git runs as a subprocess with argument lists (`oshs.gitrepo`: the token by environment only).
One publish at a time per repository (`publish_lock`). What the remote already holds decides:

- `no change` only when the remote's branch is this `HEAD` and holds every `data-v` tag of it;
- local commits and `data-v` tags the remote lacks (a publish killed after its commit, before
  its tag or push) are tagged if need be and pushed by the next run;
- when the remote's branch has commits this clone lacks, or a push is rejected for any reason
  git gives (`fetch first`, `non-fast-forward`, `cannot lock ref`, `atomic transaction failed`,
  a tag that already exists), another run published first: fetch, move onto what it pushed,
  rebuild on it (the raw snapshots still hold this run's collection, which is merged in date
  order whatever its day), validate, commit, push; after a jittered, growing pause; up to
  `retries` times.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from oshs.changes import added_and_removed
from oshs.errors import PublishError
from oshs.gitrepo import (
    BOT_EMAIL,
    BOT_NAME,
    Git,
    Runner,
    auth_env,
    auth_header,
    open_repository,
    publish_lock,
    redact,
    run_process,
)
from oshs.package import validate_package
from oshs.refs import (
    TAG_PREFIX,
    RemoteState,
    catch_up,
    contains,
    head_commit,
    push,
    remote_state,
    tags_to_push,
)
from oshs.text import commit_message_line
from oshs.transaction import package_lock

__all__ = [
    "BOT_EMAIL",
    "BOT_NAME",
    "Git",
    "PublishResult",
    "Runner",
    "auth_env",
    "auth_header",
    "commit_message",
    "open_repository",
    "publish_package",
    "redact",
    "run_process",
]

log = logging.getLogger(__name__)

LISTED_NAMES = 50  # repositories named in a commit message, per kind
RETRIES = 5


@dataclass(frozen=True)
class PublishResult:
    """What `publish_package` did (or, in a dry run, would do)."""

    changed: bool
    version: str
    previous_version: str | None = None
    tag: str | None = None
    commit: str | None = None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    attempts: int = 0
    dry_run: bool = False

    def to_json(self) -> str:
        """The result as one JSON document (for `--result-file` and the Action's summary)."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    def line(self) -> str:
        """One line for the terminal: `no change`, or what was (or would be) published."""
        if not self.changed:
            return "no change"
        counts = f"{len(self.added)} repositories added, {len(self.removed)} removed"
        if self.dry_run:
            return f"would publish {TAG_PREFIX}{self.version} ({counts}; dry run)"
        return f"published {self.tag} (commit {(self.commit or '')[:12]}, {counts})"


def commit_message(
    version: str, added: list[str], removed: list[str], subject: str | None = None
) -> str:
    """The commit message: a subject (by default the version and counts), then the names."""
    subject = commit_message_line(subject or "")
    if not subject:
        if added or removed:
            counts = f"{len(added)} repositories added, {len(removed)} removed"
        else:
            counts = "no repository added or removed"
        subject = f"oshs data v{version}: {counts}"
    parts = [subject]
    for title, names in (("Added", added), ("Removed", removed)):
        if names:
            listed = [f"- {commit_message_line(name)}" for name in names[:LISTED_NAMES]]
            if len(names) > LISTED_NAMES:
                listed.append(f"- … and {len(names) - LISTED_NAMES} more")
            parts.append(f"{title}:\n" + "\n".join(listed))
    return "\n\n".join(parts) + "\n"


@dataclass(frozen=True)
class Layout:
    """Where the package lives in the working tree (paths relative to its top, POSIX)."""

    package: str
    out_dir: str
    repositories: str | None

    @property
    def paths(self) -> list[str]:
        """The pathspecs publish stages: the descriptor and the outputs folder."""
        return [self.package, self.out_dir]


def layout_of(git: Git, package_path: Path, out_dir: Path) -> Layout:
    """The descriptor, outputs folder and repositories table, relative to the working tree."""
    package_path, out_dir = Path(package_path).resolve(), Path(out_dir).resolve()
    descriptor = json.loads(package_path.read_text(encoding="utf-8"))
    table = next(
        (
            res.get("path")
            for res in descriptor.get("resources", [])
            if res.get("name") == "repositories"
        ),
        None,
    )
    top = git.cwd.resolve()
    relative = lambda path: Path(os.path.relpath(path, top)).as_posix()  # noqa: E731
    tables = relative(package_path.parent / table) if isinstance(table, str) else None
    return Layout(relative(package_path), relative(out_dir), tables)


def package_version(package_path: Path) -> str:
    """The descriptor's `version`."""
    version = json.loads(Path(package_path).read_text(encoding="utf-8")).get("version")
    if not isinstance(version, str) or not version:
        raise PublishError(f"{package_path}: the descriptor has no version")
    return version


def check_valid(package_path: Path) -> None:
    """Raise unless the package validates: nothing is committed when validation failed."""
    if not validate_package(package_path).valid:
        raise PublishError(
            f"{package_path}: the data package is invalid; nothing was committed",
            hint=f"run `oshs validate {package_path}` for the report",
        )


def at(git: Git, commit: str | None, path: str | None) -> str | None:
    """The text of `path` in `commit`, or None when it (or the commit) does not exist."""
    if path is None or commit is None:
        return None
    done = git.run("show", f"{commit}:{path}")
    return done.stdout if done.returncode == 0 else None


def describe(git: Git, layout: Layout, package_path: Path, dry_run: bool) -> PublishResult:
    """What publishing the working tree now would change relative to HEAD (no network)."""
    version = package_version(package_path)
    head = head_commit(git)
    new_table = None
    if layout.repositories and (git.cwd / layout.repositories).is_file():
        new_table = (git.cwd / layout.repositories).read_text(encoding="utf-8")
    added, removed = added_and_removed(at(git, head, layout.repositories), new_table)
    old = at(git, head, layout.package)
    previous = json.loads(old).get("version") if old else None
    changed = tree_changed(git, layout)
    return PublishResult(changed, version, previous, added=added, removed=removed, dry_run=dry_run)


def tree_changed(git: Git, layout: Layout) -> bool:
    """True when the package paths differ from HEAD (changed, new or deleted files)."""
    status = git.output("status", "--porcelain", "--untracked-files=all", "--", *layout.paths)
    return bool(status.strip())


def current_branch(git: Git) -> str:
    """The checked-out branch; publishing from a detached HEAD is an error."""
    done = git.run("symbolic-ref", "--quiet", "--short", "HEAD")
    if done.returncode != 0:
        raise PublishError(
            "HEAD is detached: there is no branch to publish to",
            hint="check out the branch that holds the published package",
        )
    return done.stdout.strip()


def commit(git: Git, layout: Layout, version: str, base: str | None, subject: str | None) -> None:
    """Stage the package paths and commit them alone (the message names what changed)."""
    new_table = (git.cwd / layout.repositories).read_text(encoding="utf-8") if (
        layout.repositories and (git.cwd / layout.repositories).is_file()
    ) else None  # fmt: skip
    added, removed = added_and_removed(at(git, base, layout.repositories), new_table)
    message = commit_message(version, added, removed, subject)
    git.output("add", "--all", "--", *layout.paths)
    git.output(
        "commit", "--quiet", "--no-verify", "--message", message, "--only", "--", *layout.paths
    )


def backoff(attempt: int) -> None:
    """A jittered pause before the next attempt (full jitter, growing, at most 8 s)."""
    time.sleep(random.uniform(0.0, min(8.0, 0.5 * 2**attempt)))


def publish_package(
    git: Git,
    package_path: Path,
    out_dir: Path,
    *,
    rebuild: Callable[[], Any],
    remote: str = "origin",
    retries: int = RETRIES,
    message: str | None = None,
    dry_run: bool = False,
    pause: Callable[[int], None] = backoff,
) -> PublishResult:
    """Validate, then commit, tag and push what the remote lacks; on a race, rebuild and retry.

    `rebuild` rebuilds the package in place (same raw snapshots) on top of the package another
    run pushed. Returns what was published, or `changed=False` when the remote already holds
    it (see the module docstring).
    """
    with publish_lock(git):
        with package_lock(package_path, out_dir):
            pass  # completes a build that was interrupted, before anything is read
        for attempt in range(1, retries + 2):
            if attempt == 1:  # later attempts publish what `rebuild` staged and validated
                check_valid(package_path)
            result = publish_once(git, package_path, out_dir, remote, message, dry_run)
            if result is not None:
                return PublishResult(
                    **{**asdict(result), "attempts": attempt if result.changed else 0}
                )
            if attempt > retries:
                break
            log.warning("%s moved on (attempt %d): rebuilding on top of it", remote, attempt)
            pause(attempt)
            catch_up(
                git, remote, current_branch(git), remote_state(git, remote, current_branch(git))
            )
            rebuild()
    raise PublishError(
        f"the push to {remote} was rejected {retries + 1} times: other runs kept publishing first",
        hint="run the publication again; the other runs' data is safe, and so is this one's",
    )


def publish_once(
    git: Git, package_path: Path, out_dir: Path, remote: str, subject: str | None, dry_run: bool
) -> PublishResult | None:
    """One attempt: the result, or None when another run published first (a race)."""
    layout = layout_of(git, package_path, out_dir)
    if dry_run:
        return describe(git, layout, package_path, dry_run)
    branch = current_branch(git)
    state = remote_state(git, remote, branch)
    version = package_version(package_path)
    base = head_commit(git)
    behind = not contains(git, base, state.head)
    if tree_changed(git, layout):
        tag = f"{TAG_PREFIX}{version}"
        if not behind and tag in state.tags:
            raise PublishError(
                f"tag {tag} already exists: the package changed but its version did not",
                hint="rebuild on top of the published package so that the version is bumped",
            )
        commit(git, layout, version, base, subject)
    tags = None if behind else tags_to_push(git, layout.package, state)
    if tags is None:
        return None
    head = head_commit(git)
    if head == state.head and not tags:
        return PublishResult(False, version, version)
    outcome = push(git, remote, branch, tags, move_branch=head != state.head)
    if outcome == "rejected":
        return None
    if outcome != "ok":
        raise PublishError(
            f"git push to {remote} failed: {outcome}; the commit stays in this clone and the "
            "next `oshs publish` pushes it"
        )
    return published(git, layout, state, version, head)


def published(
    git: Git, layout: Layout, state: RemoteState, version: str, head: str | None
) -> PublishResult:
    """What a push that succeeded published, relative to what the remote held before."""
    added, removed = added_and_removed(
        at(git, state.head, layout.repositories), at(git, head, layout.repositories)
    )
    old = at(git, state.head, layout.package)
    previous = json.loads(old).get("version") if old else None
    return PublishResult(
        True, version, previous, f"{TAG_PREFIX}{version}", head, added=added, removed=removed
    )
