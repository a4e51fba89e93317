"""The predecessor's full history (the bundle in ../shared) imported into the demo's package:
every (organisation, day) observation equals a recount made here with plain git and csv, with
no extra row; importing it again changes no byte (so the package stays the demo's, valid)."""

from __future__ import annotations

import csv
import gzip
import io
import re
import subprocess
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT, published_files

from oshs.cli import cli
from oshs.config import bundled_config

pytestmark = pytest.mark.xdist_group("demo")  # the session demo is built once, on one worker

BUNDLE = (
    REPO_ROOT.parent / "shared/reference/legacy-history/nhsengland-open-health-statistics.bundle"
)
PATH = "assets/data/openhealthstats.csv"
SOURCE = "nhsengland/open-health-statistics"
LINK = re.compile(r"href='https://(?P<host>github|gitlab)\.com/(?P<login>[^'/]+)'")

Counts = tuple[int, int, int, int]


def git(*args: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(["git", *args], input=stdin, capture_output=True, check=True)
    return done.stdout


def last_rows(text: str) -> dict[str, Counts]:
    """Lower-cased organisation key (a GitHub login, `gitlab:<group>`) → the counts of its last
    row (the last line of each distinct first cell; this file has no line break inside a cell)."""
    lines = text.split("\n")[1:]
    last = dict(zip([line.partition(",")[0] for line in lines], lines, strict=True))
    found: dict[str, Counts] = {}
    for line in last.values():
        if not line:
            continue
        cells = next(csv.reader([line]))
        link = LINK.search(cells[0])
        if link:
            repositories, stars, forks, issues = (int(float(cell)) for cell in cells[3:7])
            key = link["login"] if link["host"] == "github" else f"gitlab:{link['login']}"
            found[key.lower()] = (repositories, stars, forks, issues)
    return found


@pytest.fixture(scope="module")
def recount(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Counts]:
    """(day, lower-cased login) → counts, for the configured GitHub organisations: each commit's
    file, oldest first; empty files and files published before are skipped; the UTC day of the
    author date; a later commit of a day replaces an earlier one."""
    clone = tmp_path_factory.mktemp("recount") / "ohs.git"
    git("clone", "--quiet", "--bare", str(BUNDLE), str(clone))
    log = git(f"--git-dir={clone}", "log", "--format=%H %aI", "main").decode().split("\n")
    commits = [line.split() for line in reversed(log) if line]
    request = "".join(f"{sha}:{PATH}\n" for sha, _ in commits).encode()
    out = git(f"--git-dir={clone}", "cat-file", "--batch", stdin=request)
    days: dict[str, dict[str, Counts]] = {}
    published: set[bytes] = set()
    at = 0
    for _, when in commits:
        end = out.index(b"\n", at)
        size = int(out[at:end].split()[2])
        content, at = out[end + 1 : end + 1 + size], end + 2 + size
        if not content.strip() or content in published:
            continue
        published.add(content)
        day = datetime.fromisoformat(when).astimezone(UTC).date().isoformat()
        days[day] = last_rows(content.decode("utf-8"))
    configured = {organisation.key.lower() for organisation in bundled_config().organisations}
    return {
        (day, login): counts
        for day, logins in days.items()
        for login, counts in logins.items()
        if login in configured
    }


def imported_rows(folder: Path) -> dict[tuple[str, str], Counts]:
    """The package's imported rows as the recount has them; every other cell checked."""
    path = folder / "outputs" / "data" / "organisation_history.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    result = {}
    for row in rows:
        if row["source"] == "oshs":
            assert row["collected_on"] in {"2025-10-06", "2025-10-13"}
            continue
        assert row["source"] == SOURCE
        assert (row["open_pull_requests"], row["archived"], row["removed"]) == ("", "", "")
        assert (row["includes_forks"], row["open_issues_include_pull_requests"]) == ("true",) * 2
        key = (row["collected_on"], row["organisation"].lower())
        assert key not in result
        result[key] = tuple(int(row[name]) for name in ("repositories", "stars", "forks",
                                                        "open_issues"))  # fmt: skip
    return result  # type: ignore[return-value]


def test_the_recount_has_the_span_of_the_bundle(recount):
    days = sorted({day for day, _ in recount})
    assert (days[0], days[-1], len(days)) == ("2021-06-28", "2025-10-03", 1401)
    assert len(recount) == 28206 and len({login for _, login in recount}) == 25  # GitLab's too


def key_of(row: dict[str, str]) -> str:
    """The organisation key of a totals row: the GitHub login, or `gitlab:<group path>`."""
    name = row["organisation"].lower()
    return name if row["platform"] == "github" else f"{row['platform']}:{name}"


def test_the_shipped_totals_are_the_recount(recount):
    data = resources.files("oshs").joinpath("data", "legacy-history.csv.gz").read_bytes()
    rows = csv.DictReader(io.StringIO(gzip.decompress(data).decode("utf-8")))
    shipped = {
        (row["collected_on"], key_of(row)): tuple(
            int(row[name]) for name in ("repositories", "stars", "forks", "open_issues")
        )
        for row in rows
    }
    assert shipped == recount


@pytest.mark.slow
def test_the_full_bundle_imported_into_the_demo_is_the_recount_and_changes_no_byte(
    recount, demo_copy, monkeypatch
):
    monkeypatch.chdir(demo_copy)  # no oshs.yaml: the bundled config, the demo's
    before = published_files(demo_copy)
    result = CliRunner().invoke(cli, ["import-history", str(BUNDLE), "-q"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "already imported, nothing changed: 28,206 daily observations of 25 organisations "
        f"published by {SOURCE}, 2021-06-28 to 2025-10-03; datapackage.json version 1.2.0\n"
    )  # the demo imported the same history (its shipped totals): this is a second import
    assert published_files(demo_copy) == before  # the demo's package, valid: test_demo.py
    assert imported_rows(demo_copy) == recount
