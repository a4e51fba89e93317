"""Publish: commit the changed package and outputs, tag `data-v<version>`, push (SPEC §3.6).

Git runs as a subprocess with argument lists. The token reaches git only as an
`http.<server>/.extraheader` given by environment (`GIT_CONFIG_COUNT`/`_KEY_n`/`_VALUE_n`), never
in a URL, an argument list, a message or a log. A push rejected because another run pushed first
is retried, a bounded number of times, on top of what was pushed (the state): fetch, move onto
it, rebuild, validate, commit, push.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from oshs.changes import added_and_removed
from oshs.errors import PublishError
from oshs.package import validate_package
from oshs.text import commit_message_line

log = logging.getLogger(__name__)

BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
DEFAULT_SERVER_URL = "https://github.com"
TAG_PREFIX = "data-v"
LISTED_NAMES = 50  # repositories named in a commit message, per kind

Runner = Callable[[Sequence[str], Path, Mapping[str, str]], "subprocess.CompletedProcess[str]"]


def run_process(
    args: Sequence[str], cwd: Path, env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run `args` in `cwd` with exactly `env`, capturing text output, never raising on failure."""
    return subprocess.run(
        list(args), cwd=cwd, env=dict(env), capture_output=True, text=True, check=False
    )


def auth_header(token: str) -> str:
    """The `http.extraheader` value GitHub accepts for an installation or personal token."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode("ascii")
    return f"AUTHORIZATION: basic {basic}"


def auth_env(
    token: str, *, server_url: str = DEFAULT_SERVER_URL, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Environment entries that give git the token as an extra header for `server_url` only.

    An empty value first resets any header configured before (actions/checkout persists one),
    so that exactly one `Authorization` header is sent. Entries already counted in
    `GIT_CONFIG_COUNT` of `base` are kept.
    """
    base = os.environ if base is None else base
    start = int(base.get("GIT_CONFIG_COUNT") or 0)
    key = f"http.{server_url.rstrip('/')}/.extraheader"
    values = ["", auth_header(token)]
    env = {"GIT_CONFIG_COUNT": str(start + len(values))}
    for offset, value in enumerate(values):
        env[f"GIT_CONFIG_KEY_{start + offset}"] = key
        env[f"GIT_CONFIG_VALUE_{start + offset}"] = value
    return env


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every non-empty secret replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class Git:
    """Git commands in one working tree, through an injectable runner. No secret in `repr`."""

    def __init__(
        self,
        cwd: Path,
        *,
        env: Mapping[str, str] | None = None,
        runner: Runner = run_process,
        secrets: Iterable[str] = (),
    ) -> None:
        self.cwd = Path(cwd)
        self._env = dict(os.environ if env is None else env)
        self._env["GIT_TERMINAL_PROMPT"] = "0"  # never wait for a password
        self._runner = runner
        self._secrets = tuple(secret for secret in secrets if secret)

    def __repr__(self) -> str:
        return f"Git(cwd={str(self.cwd)!r})"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `git args...`; the completed process, whatever its exit code."""
        return self._runner(["git", *args], self.cwd, self._env)

    def output(self, *args: str) -> str:
        """Run `git args...` and return its stdout; a one-line `PublishError` when it fails."""
        done = self.run(*args)
        if done.returncode != 0:
            raise PublishError(f"git {args[0]} failed: {self.reason(done)}")
        return done.stdout

    def reason(self, done: subprocess.CompletedProcess[str]) -> str:
        """The last meaningful line git printed, with secrets redacted."""
        lines = [line.strip() for line in (done.stderr or done.stdout or "").splitlines()]
        lines = [line for line in lines if line and not line.startswith("hint:")]
        return redact(lines[-1], self._secrets) if lines else f"exit code {done.returncode}"

    def succeeds(self, *args: str) -> bool:
        """True when `git args...` exits 0."""
        return self.run(*args).returncode == 0


def open_repository(
    path: Path,
    *,
    token: str | None = None,
    server_url: str | None = None,
    runner: Runner = run_process,
    env: Mapping[str, str] | None = None,
) -> Git:
    """A `Git` at the top of the working tree holding `path`, with the token and an identity.

    The token is sent to `server_url` only (default `$GITHUB_SERVER_URL`, else github.com).
    """
    env = dict(os.environ if env is None else env)
    server_url = server_url or env.get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL
    secrets: list[str] = []
    if token:
        env.update(auth_env(token, server_url=server_url, base=env))
        secrets = [token, auth_header(token).split()[-1]]
    probe = Git(Path(path).resolve().parent, env=env, runner=runner, secrets=secrets)
    done = probe.run("rev-parse", "--show-toplevel")
    if done.returncode != 0:
        raise PublishError(
            f"{path}: not inside a git working tree",
            hint="publish from a clone of the repository that holds the package",
        )
    env.update(bot_identity(probe, env))
    return Git(Path(done.stdout.strip()), env=env, runner=runner, secrets=secrets)


def bot_identity(git: Git, env: Mapping[str, str]) -> dict[str, str]:
    """The github-actions[bot] identity, for whatever git and its environment leave unset."""
    identity: dict[str, str] = {}
    for config_key, kind, value in (
        ("user.name", "NAME", BOT_NAME),
        ("user.email", "EMAIL", BOT_EMAIL),
    ):
        if git.succeeds("config", "--get", config_key):
            continue
        for role in ("AUTHOR", "COMMITTER"):
            if not env.get(f"GIT_{role}_{kind}"):
                identity[f"GIT_{role}_{kind}"] = value
    return identity


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


def at_head(git: Git, path: str | None) -> str | None:
    """The text of `path` in HEAD, or None when it (or HEAD) does not exist."""
    if path is None:
        return None
    done = git.run("show", f"HEAD:{path}")
    return done.stdout if done.returncode == 0 else None


def describe(git: Git, layout: Layout, package_path: Path, dry_run: bool) -> PublishResult:
    """What publishing the working tree now would change relative to HEAD."""
    version = package_version(package_path)
    status = git.output("status", "--porcelain", "--untracked-files=all", "--", *layout.paths)
    new_table = None
    if layout.repositories and (git.cwd / layout.repositories).is_file():
        new_table = (git.cwd / layout.repositories).read_text(encoding="utf-8")
    added, removed = added_and_removed(at_head(git, layout.repositories), new_table)
    old = at_head(git, layout.package)
    previous = json.loads(old).get("version") if old else None
    return PublishResult(
        bool(status.strip()), version, previous, added=added, removed=removed, dry_run=dry_run
    )


def current_branch(git: Git) -> str:
    """The checked-out branch; publishing from a detached HEAD is an error."""
    done = git.run("symbolic-ref", "--quiet", "--short", "HEAD")
    if done.returncode != 0:
        raise PublishError(
            "HEAD is detached: there is no branch to publish to",
            hint="check out the branch that holds the published package",
        )
    return done.stdout.strip()


def commit_and_tag(git: Git, layout: Layout, change: PublishResult, subject: str | None) -> str:
    """Stage the package paths, commit them alone, tag the commit; the tag name."""
    tag = f"{TAG_PREFIX}{change.version}"
    if git.succeeds("rev-parse", "--quiet", "--verify", f"refs/tags/{tag}"):
        raise PublishError(
            f"tag {tag} already exists: the package changed but its version did not",
            hint="rebuild on top of the published package so that the version is bumped",
        )
    message = commit_message(change.version, change.added, change.removed, subject)
    git.output("add", "--all", "--", *layout.paths)
    git.output(
        "commit", "--quiet", "--no-verify", "--message", message, "--only", "--", *layout.paths
    )
    git.output("tag", "--annotate", tag, "--message", f"oshs data package v{change.version}")
    return tag


def push(git: Git, remote: str, branch: str, tag: str) -> str:
    """Push branch and tag atomically: `ok`, `behind` (another run pushed first) or a reason."""
    done = git.run(
        "push", "--porcelain", "--atomic", remote,
        f"HEAD:refs/heads/{branch}", f"refs/tags/{tag}:refs/tags/{tag}",
    )  # fmt: skip
    if done.returncode == 0:
        return "ok"
    rejected = [line for line in done.stdout.splitlines() if line.startswith("!")]
    if any(
        "refs/heads/" in line and ("(fetch first)" in line or "(non-fast-forward)" in line)
        for line in rejected
    ):
        return "behind"
    if any(f"refs/tags/{tag}" in line and "(already exists)" in line for line in rejected):
        return f"tag {tag} already exists on {remote}"
    return git.reason(done)


def undo_commit(git: Git, tag: str, base: str | None) -> None:
    """Forget the local tag and commit; the working tree keeps the built files."""
    git.run("tag", "--delete", tag)
    if base:
        git.output("reset", "--quiet", "--soft", base)
    else:
        git.output("update-ref", "-d", "HEAD")


def move_onto_remote(git: Git, remote: str, branch: str) -> None:
    """Fetch what the other run pushed and move the branch and working tree onto it."""
    git.output("fetch", "--quiet", "--no-tags", remote, f"refs/heads/{branch}")
    git.output("reset", "--quiet", "--keep", "FETCH_HEAD")


def publish_package(
    git: Git,
    package_path: Path,
    out_dir: Path,
    *,
    rebuild: Callable[[], Any],
    remote: str = "origin",
    retries: int = 3,
    message: str | None = None,
    dry_run: bool = False,
) -> PublishResult:
    """Validate, then commit, tag and push the changed package; retry on a rejected push.

    `rebuild` rebuilds the package in place (same raw snapshots) on top of the package the
    other run pushed. Returns what was published, or `changed=False` when nothing changed.
    """
    for attempt in range(1, retries + 2):
        check_valid(package_path)
        layout = layout_of(git, package_path, out_dir)
        change = describe(git, layout, package_path, dry_run)
        if dry_run or not change.changed:
            return change
        branch = current_branch(git)
        base = git.run("rev-parse", "--quiet", "--verify", "HEAD").stdout.strip() or None
        tag = commit_and_tag(git, layout, change, message)
        outcome = push(git, remote, branch, tag)
        if outcome == "ok":
            commit = git.output("rev-parse", "HEAD").strip()
            return replace(change, tag=tag, commit=commit, attempts=attempt)
        if outcome == "behind" and attempt <= retries:
            git.run("tag", "--delete", tag)
            log.warning("%s moved on (attempt %d): rebuilding on top of it", remote, attempt)
            move_onto_remote(git, remote, branch)
            rebuild()
            continue
        undo_commit(git, tag, base)
        if outcome != "behind":
            raise PublishError(f"git push to {remote} failed: {outcome}; nothing was published")
    raise PublishError(
        f"the push to {remote} was rejected {retries + 1} times: other runs kept publishing first",
        hint="run the publication again; the other runs' data is safe",
    )
