"""A tiny predecessor repository (nhsengland/open-health-statistics format) with every quirk of
the real bundle: an empty first version, time zones, two commits on one day, a revert that
republishes an old file, organisations joining over time with their login case changing, a
GitLab group, and a commit that leaves the file unchanged."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

FILE = "assets/data/openhealthstats.csv"
HEADER = (
    "Organisation,Org Short,Date,Open Repositories,Stargazers,Forks,Open Issues,Top License,"
    "Top Language\n"
)


def line(url: str, day: str, counts: tuple[int, int, int, int], licence: str = "") -> str:
    """One row: the organisation as an anchor, a creation date, the counts as the file has them."""
    cell = f"<a href='{url}'>Name of {url.rsplit('/', 1)[-1]}</a>"
    repositories, stars, forks, issues = counts
    return f"{cell},{cell},{day},{repositories},{stars}.0,{forks}.0,{issues}.0,{licence},Python\n"


def version(*rows: str) -> str:
    return HEADER + "".join(rows)


A = "https://github.com/nhsx"
B = "https://github.com/NHSDigital"
GITLAB = "https://gitlab.com/nhsbsa"
V1 = version(line(A, "2019-01-01", (1, 0, 0, 1)), line(A, "2020-01-01", (2, 1, 0, 1)))
V2 = version(line(A, "2019-01-01", (1, 0, 0, 1)), line(A, "2020-01-01", (2, 2, 0, 3)))
V3 = version(line(A, "2020-01-01", (2, 3, 1, 3), '"BSD ""New"", or MIT"'))
V4 = version(line(A, "2020-01-01", (2, 4, 1, 3)), line(B, "2018-05-05", (5, 6, 7, 8)))
V5 = version(
    line(A.replace("nhsx", "NHSX"), "2020-01-01", (3, 4, 1, 2)),
    line(B.replace("NHSDigital", "nhsdigital"), "2018-05-05", (6, 6, 7, 8)),
    line(GITLAB, "2017-01-01", (9, 1, 1, 1)),
    line("https://github.com/ghost-org", "2016-01-01", (1, 0, 0, 0)),
)
COMMITS = [  # (author time with its zone, file content or None for another file only)
    ("2021-06-28T08:37:23+01:00", ""),  # created empty
    ("2021-06-28T08:44:43+01:00", V1),
    ("2021-06-28T13:00:01+01:00", V2),  # the later commit of 2021-06-28
    ("2021-06-29T00:02:17+00:00", V3),
    ("2021-06-30T00:30:00+02:00", V4),  # 2021-06-29 22:30 UTC: the later version of 06-29
    ("2021-07-01T00:02:00+00:00", V5),  # organisations join; login case changes
    ("2021-07-01T12:34:18+02:00", V3),  # a revert: V3 republished byte for byte
    ("2021-07-02T00:02:00+00:00", None),  # another file: no new version
]
EXPECTED = [  # (day, platform, organisation, repositories, stars, forks, open issues)
    ("2021-06-28", "github", "nhsx", 2, 2, 0, 3),
    ("2021-06-29", "github", "NHSDigital", 5, 6, 7, 8),
    ("2021-06-29", "github", "nhsx", 2, 4, 1, 3),
    ("2021-07-01", "github", "ghost-org", 1, 0, 0, 0),
    ("2021-07-01", "github", "nhsdigital", 6, 6, 7, 8),
    ("2021-07-01", "github", "NHSX", 3, 4, 1, 2),
    ("2021-07-01", "gitlab", "nhsbsa", 9, 1, 1, 1),
]


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    isolated = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **isolated, **(env or {})},
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout


def make_predecessor(
    path: Path, origin: str | None = None, commits: list[tuple[str, str | None]] = COMMITS
) -> Path:
    """The repository at `path` (branch main) of `commits` (the quirky ones by default), with
    `origin` as its remote when given."""
    path.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=path)
    (path / FILE).parent.mkdir(parents=True)
    for number, (moment, content) in enumerate(commits):
        if content is None:
            (path / "README.md").write_text(f"run {number}\n")
        else:
            (path / FILE).write_text(content)
        git("add", "-A", cwd=path)
        env = {"GIT_AUTHOR_DATE": moment, "GIT_COMMITTER_DATE": moment}
        git("-c", "user.name=bot", "-c", "user.email=bot@example.org", "commit", "-q",
            "-m", f"Add changes {number}", cwd=path, env=env)  # fmt: skip
    if origin:
        git("remote", "add", "origin", origin, cwd=path)
    return path


def make_bundle(repository: Path, bundle: Path) -> Path:
    """A git bundle of `repository`'s main branch (and HEAD)."""
    git("bundle", "create", "-q", str(bundle), "HEAD", "main", cwd=repository)
    return bundle
