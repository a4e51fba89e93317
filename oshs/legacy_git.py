"""Reading a predecessor's published history: a clone, a git bundle, or a totals file (I/O).

`read_history` takes any of the three: a totals file (written by `oshs.legacy.totals_csv`, gzip
or not, as `oshs demo` ships one) is read as it is; a git source goes to `read_git_history`.

`read_git_history` lists the commits of the source's HEAD with their author times (one
`git log`), finds the file's blob in each (one `git cat-file --batch-check`), streams every
distinct blob once (one `git cat-file --batch`) through `oshs.legacy.parse_version`, and hands
the rest to the pure `oshs.legacy.history_of`. A bundle is first cloned (bare) into a temporary
folder. Git runs without the caller's `GIT_*` environment, so it reads SOURCE and nothing else.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from oshs.errors import HistoryImportError
from oshs.legacy import (
    DEFAULT_SOURCE,
    LEGACY_FILE,
    TOTALS_HEADER,
    LegacyHistory,
    Totals,
    Version,
    history_of,
    parse_version,
    read_totals,
)

log = logging.getLogger(__name__)

BUNDLE_SIGNATURES = (b"# v2 git bundle", b"# v3 git bundle")
TOTALS_SIGNATURES = (b"\x1f\x8b", ",".join(TOTALS_HEADER).encode("ascii"))
EXPECTED = f"expected a git repository or git bundle of {DEFAULT_SOURCE}, or an oshs totals file"
_GITHUB_REMOTE = re.compile(r"github\.com[:/]+([A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?/*$")


def read_history(source: Path, *, name: str | None = None) -> LegacyHistory:
    """The observations of `source`: an oshs totals file, a git bundle or a git repository
    (`read_git_history`); `name` replaces the predecessor's owner/name when given."""
    source = Path(source)
    if source.is_file():
        with source.open("rb") as file:
            start = file.read(len(TOTALS_SIGNATURES[1]))
        if start.startswith(TOTALS_SIGNATURES):
            history = read_totals(source.read_bytes(), str(source))
            return replace(history, source=name) if name else history
    return read_git_history(source, name=name)


def read_git_history(
    source: Path, *, path: str = LEGACY_FILE, name: str | None = None
) -> LegacyHistory:
    """Every published version of `path` in the git repository or bundle `source`, as
    observations. `name` is the predecessor's owner/name (default: the GitHub repository of the
    clone's `origin` remote, else nhsengland/open-health-statistics).

    Raises `HistoryImportError` when `source` is not a git repository or bundle, has no commit,
    or holds no version of `path`, or when a version is not in the expected format.
    """
    with _repository(Path(source)) as git_dir:
        if _git(git_dir, "rev-parse", "--is-shallow-repository").strip() == "true":
            log.warning(
                "%s is a shallow clone: only the history it holds is imported (clone it "
                "whole, e.g. actions/checkout with fetch-depth: 0)",
                source,
            )
        versions = _versions(git_dir, _head(git_dir, source), path)
        where = {}
        for version in reversed(versions):  # each blob named after its first commit
            if version.blob is not None:
                where[version.blob] = f"{source}: {path} of commit {version.commit[:12]}"
        if not where:
            commits = f"{len(versions):,} commit{'' if len(versions) == 1 else 's'}"
            raise HistoryImportError(f"{source}: {path} is in none of its {commits} ({EXPECTED})")
        parsed = _parse_blobs(git_dir, where)
        origin = name or _origin_name(git_dir) or DEFAULT_SOURCE
    return history_of(origin, versions, parsed)


def _environment() -> dict[str, str]:
    """The environment git runs in: the caller's without `GIT_*`, never prompting."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    return {**env, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def _git(git_dir: Path | None, *args: str, stdin: bytes | None = None, cwd: Path | None = None
         ) -> str:  # fmt: skip
    """Run git (on `git_dir` when given) and return its output; `HistoryImportError` on failure."""
    command = ["git", *([f"--git-dir={git_dir}"] if git_dir else []), *args]
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, cwd=cwd,
                              env=_environment(), check=False)  # fmt: skip
    except FileNotFoundError:
        raise HistoryImportError("git is not installed (expected `git` on the PATH)") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise HistoryImportError(f"git {args[0]} failed: {message[-1] if message else '?'}")
    return done.stdout.decode("utf-8", "replace")


@contextmanager
def _repository(source: Path) -> Iterator[Path]:
    """The git folder of `source`: a repository's own, or a bare clone of a bundle."""
    if source.is_file():
        with source.open("rb") as file:
            if not file.read(16).startswith(BUNDLE_SIGNATURES):
                raise HistoryImportError(f"{source}: not a git bundle or totals file ({EXPECTED})")
        with tempfile.TemporaryDirectory(prefix="oshs-history-") as folder:
            clone = Path(folder) / "source.git"
            _git(None, "clone", "--quiet", "--bare", "--", str(source.resolve()), str(clone))
            yield clone
        return
    if not source.is_dir():
        raise HistoryImportError(f"{source}: no such file or folder ({EXPECTED})")
    yield _git_dir_of(source)


def _git_dir_of(folder: Path) -> Path:
    """The git folder of the repository whose top (or bare git folder) is `folder`."""
    try:
        git_dir = _git(None, "rev-parse", "--absolute-git-dir", cwd=folder).strip()
        bare = _git(None, "rev-parse", "--is-bare-repository", cwd=folder).strip() == "true"
        top = git_dir if bare else _git(None, "rev-parse", "--show-toplevel", cwd=folder).strip()
    except HistoryImportError:
        raise HistoryImportError(f"{folder}: not a git repository ({EXPECTED})") from None
    if Path(folder).resolve() not in {Path(top).resolve(), Path(git_dir).resolve()}:
        raise HistoryImportError(
            f"{folder}: not the top of a git repository (it lies inside {top}; {EXPECTED})"
        )
    return Path(git_dir)


def _head(git_dir: Path, source: Path) -> str:
    """The commit to read from: HEAD, else the only branch, else `main` or `master`."""
    try:
        return _git(git_dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").strip()
    except HistoryImportError:
        pass
    branches = _git(git_dir, "for-each-ref", "--format=%(refname)", "refs/heads").split()
    for candidate in branches if len(branches) == 1 else ["refs/heads/main", "refs/heads/master"]:
        if candidate in branches:
            return _git(git_dir, "rev-parse", "--verify", f"{candidate}^{{commit}}").strip()
    raise HistoryImportError(f"{source}: no commit to read (no HEAD, main or master; {EXPECTED})")


def _versions(git_dir: Path, head: str, path: str) -> list[Version]:
    """Every commit of `head`'s history (parents first) with its author time and blob of `path`."""
    lines = _git(git_dir, "log", "--topo-order", "--reverse", "--format=%H %at", head).split("\n")
    commits = [line.split() for line in lines if line.strip()]
    request = "".join(f"{commit}:{path}\n" for commit, _ in commits).encode("utf-8")
    found = _git(git_dir, "cat-file", "--batch-check", stdin=request).split("\n")
    versions = []
    for order, ((commit, timestamp), answer) in enumerate(zip(commits, found, strict=False)):
        parts = answer.split()
        blob = parts[0] if len(parts) == 3 and parts[1] == "blob" else None
        versions.append(Version(commit, int(timestamp), blob, order))
    return versions


def _parse_blobs(
    git_dir: Path, where: Mapping[str, str]
) -> dict[str, dict[tuple[str, str], tuple[str, Totals]]]:
    """Each blob of `where` read once through one `git cat-file --batch`, parsed as it streams."""
    parsed = {}
    with tempfile.TemporaryFile() as request:
        request.write("".join(f"{blob}\n" for blob in where).encode("ascii"))
        request.seek(0)
        command = ["git", f"--git-dir={git_dir}", "cat-file", "--batch"]
        process = subprocess.Popen(command, stdin=request, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, env=_environment())  # fmt: skip
        assert process.stdout is not None
        try:
            for blob, name in where.items():
                header = process.stdout.readline().split()
                if len(header) != 3 or header[1] != b"blob":
                    raise HistoryImportError(f"{name}: git cannot read blob {blob}")
                content = process.stdout.read(int(header[2]) + 1)[:-1]
                parsed[blob] = parse_version(content, name)
        finally:
            process.stdout.close()
            process.kill()
            process.wait()
    return parsed


def _origin_name(git_dir: Path) -> str | None:
    """owner/name of the repository's `origin` remote when it is on github.com."""
    try:
        url = _git(git_dir, "config", "--get", "remote.origin.url").strip()
    except HistoryImportError:
        return None
    match = _GITHUB_REMOTE.search(url)
    return match.group(1) if match else None
