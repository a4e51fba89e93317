"""Git in one working tree, through subprocess argument lists, the token by environment only.

The token reaches git only as an `http.<server>/.extraheader` given by environment
(`GIT_CONFIG_COUNT`/`_KEY_n`/`_VALUE_n`), never in a URL, an argument list, a message or a log;
`Git.reason` redacts it from what git prints. `Git.locked` excludes other `oshs publish` runs of
the same repository and clears the git lock files a killed one left behind.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from oshs.errors import PublishError
from oshs.transaction import LOCK_WAIT, hold

log = logging.getLogger(__name__)

BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
DEFAULT_SERVER_URL = "https://github.com"

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
        """The first `fatal:` or `error:` line git printed (the cause; what follows are
        consequences), else its last meaningful line, with secrets redacted."""
        lines = [line.strip() for line in (done.stderr or done.stdout or "").splitlines()]
        lines = [line for line in lines if line and not line.startswith("hint:")]
        errors = [line for line in lines if line.startswith(("fatal:", "error:"))]
        chosen = errors[0] if errors else (lines or [""])[-1]
        return redact(chosen, self._secrets) if chosen else f"exit code {done.returncode}"

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


GIT_LOCKS = ("index.lock", "HEAD.lock", "ORIG_HEAD.lock", "FETCH_HEAD.lock", "packed-refs.lock")
"""Lock files git leaves in its folder when it is killed (besides `refs/**/*.lock`)."""
JOURNAL = "oshs-publish.json"


def git_dir(git: Git) -> Path:
    """The repository's git folder (`.git`, or where a worktree's lives)."""
    return Path(git.output("rev-parse", "--absolute-git-dir").strip())


@contextmanager
def publish_lock(git: Git, *, wait: float = LOCK_WAIT, settle: float = 1.0) -> Iterator[None]:
    """Hold `<git-dir>/oshs-publish.lock` for one `oshs publish` (another waits up to `wait` s).

    A run writes `<git-dir>/oshs-publish.json` when it starts and removes it when it ends: if
    the next run finds it, the last one was killed, and the git lock files it left (made after
    it started, untouched for `settle` seconds) are removed before any git command runs."""
    folder = git_dir(git)
    handle = os.open(folder / "oshs-publish.lock", os.O_RDWR | os.O_CREAT, 0o600)
    journal = folder / JOURNAL
    try:
        hold(handle, f"another oshs publish of {git.cwd}", wait)
        clear_stale_locks(folder, journal, settle)
        journal.write_text(json.dumps({"pid": os.getpid(), "started": time.time()}) + "\n")
        yield
    finally:
        with suppress(OSError):
            journal.unlink()
        os.close(handle)


def clear_stale_locks(folder: Path, journal: Path, settle: float) -> None:
    """Remove the git lock files a killed `oshs publish` left (see `publish_lock`)."""
    try:
        started = float(json.loads(journal.read_text(encoding="utf-8"))["started"])
    except (OSError, ValueError, KeyError, TypeError):
        return  # no journal: the last run ended (or never ran)
    candidates = [folder / name for name in GIT_LOCKS] + sorted(folder.glob("refs/**/*.lock"))
    stale = [path for path in candidates if _mtime(path) >= started - 1]
    if not stale:
        return
    youngest = max(_mtime(path) for path in stale)
    time.sleep(max(0.0, min(settle, youngest + settle - time.time())))  # a git still finishing
    for path in stale:
        if path.exists() and time.time() - _mtime(path) >= settle:
            log.warning("removing %s, left by an oshs publish that was interrupted", path)
            with suppress(OSError):
                path.unlink()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0
