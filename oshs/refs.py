"""What the remote holds, and the refs `oshs publish` moves: the branch, the `data-v` tags.

`remote_state` asks the remote (`git ls-remote`) without changing anything here; `tags_to_push`
tags the commits of the package that the remote lacks and lists every `data-v` tag to send;
`push` sends the branch and tags in one atomic push and says whether the remote rejected it;
`catch_up` moves this clone onto what another run pushed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from oshs.errors import PublishError
from oshs.gitrepo import Git

log = logging.getLogger(__name__)
TAG_PREFIX = "data-v"
RACE_WORDS = ("[rejected]", "[remote rejected]", "cannot lock ref", "atomic transaction failed",
              "failed to update ref", "non-fast-forward", "fetch first")  # fmt: skip
"""What git says when another push got there first, should a rejection come without `!`."""


@dataclass(frozen=True)
class RemoteState:
    """The remote's branch head (None when it has no such branch) and its `data-v` tags, each
    with the commit it points at."""

    head: str | None
    tags: dict[str, str] = field(default_factory=dict)


def remote_state(git: Git, remote: str, branch: str) -> RemoteState:
    """Ask `remote` for its `branch` and tags; a remote that cannot be reached is an error."""
    done = git.run("ls-remote", "--quiet", remote, f"refs/heads/{branch}", "refs/tags/*")
    if done.returncode != 0:
        raise PublishError(
            f"cannot reach {remote}: {git.reason(done)}; nothing was published",
            hint="check the remote's URL and the token's permission to push",
        )
    head, tags = None, {}
    for line in done.stdout.splitlines():
        sha, _, ref = line.partition("\t")
        if ref == f"refs/heads/{branch}":
            head = sha
        elif ref.startswith(f"refs/tags/{TAG_PREFIX}"):
            name = ref.removeprefix("refs/tags/")
            if name.endswith("^{}"):
                tags[name[:-3]] = sha  # the commit an annotated tag points at
            else:
                tags.setdefault(name, sha)
    return RemoteState(head, tags)


def head_commit(git: Git) -> str | None:
    """The commit of HEAD, or None on an unborn branch."""
    return git.run("rev-parse", "--quiet", "--verify", "HEAD^{commit}").stdout.strip() or None


def contains(git: Git, descendant: str | None, ancestor: str | None) -> bool:
    """True when commit `ancestor` is `descendant` or in its history (None: no ancestor)."""
    if ancestor is None:
        return True
    if descendant is None:
        return False
    return git.succeeds("merge-base", "--is-ancestor", ancestor, descendant)


def local_tags(git: Git) -> dict[str, str]:
    """Every local `data-v` tag and the commit it points at."""
    done = git.output(
        "for-each-ref", "--format=%(refname:short) %(objectname) %(*objectname)",
        f"refs/tags/{TAG_PREFIX}*",
    )  # fmt: skip
    tags = {}
    for line in done.splitlines():
        name, sha, *peeled = line.split()
        tags[name] = peeled[0] if peeled else sha
    return tags


def version_at(git: Git, commit: str, package: str) -> str | None:
    """The package's `version` in `commit`, if the descriptor is there and readable."""
    done = git.run("show", f"{commit}:{package}")
    if done.returncode != 0:
        return None
    try:
        version = json.loads(done.stdout).get("version")
    except (ValueError, AttributeError):
        return None
    return version if isinstance(version, str) else None


def tags_to_push(git: Git, package: str, remote: RemoteState) -> list[str] | None:
    """Tag each commit of the package that the remote lacks with its version, and list the
    `data-v` tags of HEAD's history the remote lacks. Local tags of commits outside that
    history (an abandoned attempt) are deleted. None when the remote holds one of those tags
    on another commit: another run published that version first."""
    head = head_commit(git)
    mine = local_tags(git)
    for name, commit in list(mine.items()):
        if name not in remote.tags and not contains(git, head, commit):
            git.run("tag", "--delete", name)
            del mine[name]
    if head is None:
        return []
    span = [head] if remote.head is None else [head, f"^{remote.head}"]
    for commit in git.output("rev-list", "--reverse", *span, "--", package).split():
        version = version_at(git, commit, package)
        if version is None or mine.get(f"{TAG_PREFIX}{version}") == commit:
            continue
        name = f"{TAG_PREFIX}{version}"
        if name in remote.tags and remote.tags[name] != commit:
            return None
        if name in mine:
            git.run("tag", "--delete", name)
        git.output("tag", "--annotate", name, "--message", f"oshs data package v{version}", commit)
        mine[name] = commit
    missing = [name for name, commit in mine.items() if name not in remote.tags]
    return sorted(name for name in missing if contains(git, head, mine[name]))


def push(git: Git, remote: str, branch: str, tags: list[str], move_branch: bool) -> str:
    """Push the branch (when `move_branch`) and `tags` atomically: `ok`, `rejected` (another
    run pushed first, whatever git's words for it) or the reason it failed."""
    refspecs = [f"HEAD:refs/heads/{branch}"] if move_branch else []
    refspecs += [f"refs/tags/{name}:refs/tags/{name}" for name in tags]
    done = git.run("push", "--porcelain", "--atomic", remote, *refspecs)
    if done.returncode == 0:
        return "ok"
    if any(line.startswith("!") for line in done.stdout.splitlines()):
        return "rejected"
    said = f"{done.stdout}\n{done.stderr}"
    if any(words in said for words in RACE_WORDS):
        return "rejected"
    return git.reason(done)


def catch_up(git: Git, remote: str, branch: str, state: RemoteState) -> None:
    """Move the branch and working tree onto what the remote holds now; forget the local
    `data-v` tags it lacks (they named versions another run has published since)."""
    for name in local_tags(git):
        if name not in state.tags:
            git.run("tag", "--delete", name)
    if state.head is None:
        return
    git.output("fetch", "--quiet", "--no-tags", remote, f"refs/heads/{branch}")
    git.output("reset", "--quiet", "--keep", "FETCH_HEAD")
