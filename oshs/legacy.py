"""The history a predecessor published (nhsengland/open-health-statistics) → daily observations.

That project committed `assets/data/openhealthstats.csv` after each nightly run: per
organisation, cumulative sums by repository creation date, so the last row of an organisation
holds its totals on the day of the commit (repositories, stars, forks, open issues). Across the
commits, those rows are a true daily history. This module reads every version of the file from
a clone or a git bundle (`git cat-file --batch`, one process for all of them; git I/O stays in
`read_git_history` and its helpers) and turns them into observations with pure functions:

- the day of a version is the UTC date of its commit's author time (commits carry time zones);
- an empty version (no data row) and a version byte-identical to an earlier one (a revert that
  republished an old file) are not observations;
- when a day has several versions, the last one (by author time, then history order) wins;
- the organisation is the anchor's URL: `github.com/<login>` or `gitlab.com/<group>`.

`read_totals` / `totals_csv` read and write the same observations as a small CSV (the demo ships
one); `configured_observations` keeps those of the configured organisations.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pandas as pd

from oshs.errors import HistoryImportError

LEGACY_FILE = "assets/data/openhealthstats.csv"
DEFAULT_SOURCE = "nhsengland/open-health-statistics"
SOURCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$")
COLUMNS = {
    "organisation": "Organisation",
    "repositories": "Open Repositories",
    "stars": "Stargazers",
    "forks": "Forks",
    "open_issues": "Open Issues",
}
COUNTS = ("repositories", "stars", "forks", "open_issues")
TOTALS_HEADER = ("source", "collected_on", "platform", "organisation", *COUNTS)
_ANCHOR = re.compile(r"https?://(?:www\.)?(github|gitlab)\.com/([^'\"\s<>?#]+)", re.IGNORECASE)

Totals = tuple[int, int | None, int | None, int | None]
"""repositories, stars, forks, open issues of one organisation in one version."""


@dataclass(frozen=True)
class Observation:
    """One organisation's totals on one day, as the predecessor published them."""

    collected_on: str
    platform: str  # "github" or "gitlab"
    organisation: str  # login (GitHub) or group path (GitLab), as the file spells it
    repositories: int
    stars: int | None
    forks: int | None
    open_issues: int | None


@dataclass(frozen=True)
class Version:
    """The file as one commit holds it: `blob` is None where the commit lacks the file."""

    commit: str
    timestamp: int  # author time, seconds since the epoch
    blob: str | None
    order: int  # position in history (parents first)


@dataclass(frozen=True)
class LegacyHistory:
    """The observations read from a predecessor, and what was skipped on the way."""

    source: str  # the predecessor's GitHub owner/name
    observations: tuple[Observation, ...]
    versions: int = 0  # commits whose file differs from the previous one
    empty: int = 0
    replays: int = 0
    superseded: int = 0  # earlier versions of a day with several

    @property
    def days(self) -> list[str]:
        """The observed days, oldest first."""
        return sorted({o.collected_on for o in self.observations})


def utc_day(timestamp: int) -> str:
    """The UTC date (YYYY-MM-DD) of a commit time in seconds since the epoch."""
    return datetime.fromtimestamp(timestamp, UTC).date().isoformat()


def parse_version(content: bytes, where: str) -> dict[tuple[str, str], tuple[str, Totals]]:
    """(platform, lower-cased organisation) → (organisation as spelt, totals) of one version:
    the last row of each organisation in the file. Empty for a file without data rows.

    Raises `HistoryImportError` naming `where` for a file that is not of the predecessor's format.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HistoryImportError(f"{where}: not UTF-8 text") from None
    end = text.find("\n")
    if end < 0 or not text[end + 1 :].strip():
        return {}
    header = next(csv.reader([text[:end].rstrip("\r")]))
    indexes = {name: _index(header, where, title) for name, title in COLUMNS.items()}
    result: dict[tuple[str, str], tuple[int, str, Totals]] = {}
    for number, fields in _last_rows(text, indexes["organisation"], where):
        if len(fields) != len(header):
            raise HistoryImportError(
                f"{where}, row {number}: {len(fields)} cells, expected {len(header)}"
            )
        cell = fields[indexes["organisation"]]
        platform, organisation = _organisation(cell, f"{where}, row {number}")
        totals = _totals(fields, indexes, f"{where}, row {number}")
        key = (platform, organisation.lower())
        if key not in result or result[key][0] < number:
            result[key] = (number, organisation, totals)
    return {key: (name, totals) for key, (_, name, totals) in result.items()}


def _index(header: Sequence[str], where: str, title: str) -> int:
    """The position of column `title` in `header`."""
    names = [name.strip() for name in header]
    if title not in names:
        raise HistoryImportError(
            f"{where}: no column {title!r} (expected the columns of {DEFAULT_SOURCE}'s file: "
            f"{', '.join(COLUMNS.values())})"
        )
    return names.index(title)


def _last_rows(text: str, index: int, where: str) -> list[tuple[int, list[str]]]:
    """(row number, cells) of the last data row of each distinct organisation cell.

    The predecessor's files have the organisation first and quotes only in a few later cells:
    then each line is a row and only the kept lines are split (fast). Otherwise (a quoted
    organisation, a quoted cell over several lines) every row goes through `csv`.
    """
    if index == 0 and not text.startswith('"') and '\n"' not in text and _lines_are_rows(text):
        lines = text.split("\n")
        last = dict(zip([line.partition(",")[0] for line in lines], range(len(lines)), strict=True))
        chosen = sorted(n for n in last.values() if n > 0 and lines[n].strip())
        return [(n + 1, next(csv.reader([lines[n].rstrip("\r")]))) for n in chosen]
    rows = list(csv.reader(io.StringIO(text)))
    found: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in row):
            if len(row) <= index:
                raise HistoryImportError(f"{where}, row {number}: no organisation cell")
            found[row[index]] = number
    return [(number, rows[number - 1]) for number in sorted(found.values())]


def _lines_are_rows(text: str) -> bool:
    """True when no quoted cell spans lines: every line holding a quote holds an even number."""
    at = text.find('"')
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        if text.count('"', start, end) % 2:
            return False
        at = text.find('"', end)
    return True


def _organisation(cell: str, where: str) -> tuple[str, str]:
    """(platform, login or group path) of an `Organisation` cell, from its anchor's URL."""
    match = _ANCHOR.search(cell)
    if match is None:
        raise HistoryImportError(
            f"{where}: the organisation {cell[:80]!r} has no github.com or gitlab.com link "
            "(expected <a href='https://github.com/<login>'>...</a>)"
        )
    platform, path = match.group(1).lower(), match.group(2).strip("/")
    return platform, path.split("/")[0] if platform == "github" else path


def _totals(fields: Sequence[str], indexes: Mapping[str, int], where: str) -> Totals:
    """The four counts of a row; `repositories` is required."""
    values = [_count(fields[indexes[name]], COLUMNS[name], where) for name in COUNTS]
    if values[0] is None:
        raise HistoryImportError(f"{where}: {COLUMNS['repositories']!r} is empty")
    return (values[0], values[1], values[2], values[3])


def _count(text: str, column: str, where: str) -> int | None:
    """A whole number written as `12` or `12.0`; empty → None."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or not value.is_integer():
        raise HistoryImportError(
            f"{where}: {column} {text!r} is not a count (expected a whole number such as 12.0)"
        )
    return int(value)


def select_days(
    versions: Iterable[Version], has_rows: Mapping[str, bool]
) -> tuple[dict[str, Version], dict[str, int]]:
    """The version that stands for each UTC day, and how many versions were skipped and why.

    Versions are taken in order of author time (then history order); one with the file
    unchanged is no new version; one whose file is byte-identical to an earlier version's is a
    replay; one without data rows (`has_rows`) is empty; the last remaining version of a day
    wins (the earlier ones of that day are superseded).
    """
    counts = {"versions": 0, "empty": 0, "replays": 0, "superseded": 0}
    chosen: dict[str, Version] = {}
    seen: set[str] = set()
    previous = None
    for version in sorted(versions, key=lambda v: (v.timestamp, v.order)):
        if version.blob is None or version.blob == previous:
            continue
        previous = version.blob
        counts["versions"] += 1
        if version.blob in seen:
            counts["replays"] += 1
        elif not has_rows[version.blob]:
            counts["empty"] += 1
        else:
            day = utc_day(version.timestamp)
            counts["superseded"] += day in chosen
            chosen[day] = version
        seen.add(version.blob)
    return chosen, counts


def history_of(
    source: str,
    versions: Sequence[Version],
    parsed: Mapping[str, dict[tuple[str, str], tuple[str, Totals]]],
) -> LegacyHistory:
    """The observations of `versions`, whose files are `parsed` (by blob), and the skip counts."""
    chosen, counts = select_days(versions, {blob: bool(rows) for blob, rows in parsed.items()})
    observations = [
        Observation(day, platform, name, *parsed[version.blob][(platform, key)][1])
        for day, version in sorted(chosen.items())
        if version.blob is not None
        for platform, key in sorted(parsed[version.blob])
        for name in [parsed[version.blob][(platform, key)][0]]
    ]
    return LegacyHistory(source, tuple(observations), **counts)


def configured_observations(
    history: LegacyHistory, keys: Iterable[str]
) -> tuple[list[Observation], list[str], list[str]]:
    """The observations of configured organisations (given by key: a GitHub login, or
    `gitlab:<group path>`; spelt as configured), and the GitHub organisations and GitLab groups
    of the history left out (each once, as last spelt), sorted."""
    configured = {key.lower(): key for key in keys}
    kept: list[Observation] = []
    others: dict[str, str] = {}  # lower-cased → the latest spelling
    gitlab: dict[str, str] = {}
    for observation in sorted(history.observations, key=lambda o: o.collected_on):
        name, platform = observation.organisation, observation.platform
        key = (name if platform == "github" else f"{platform}:{name}").lower()
        if key in configured:
            kept.append(replace(observation, organisation=configured[key]))
        elif platform != "github":
            gitlab[key] = name
        else:
            others[key] = name
    return kept, sorted(others.values(), key=_by_name), sorted(gitlab.values(), key=_by_name)


def _by_name(name: str) -> tuple[str, str]:
    return (name.lower(), name)


def observations_frame(observations: Iterable[Observation]) -> pd.DataFrame:
    """Observations as rows of `collected_on`, `organisation` and the four counts."""
    columns = ["collected_on", "organisation", *COUNTS]
    return pd.DataFrame(
        [(o.collected_on, o.organisation, *_counts_of(o)) for o in observations], columns=columns
    )


def totals_csv(history: LegacyHistory) -> bytes:
    """The observations as CSV (UTF-8, `\\n`, sorted), the format `read_totals` reads."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TOTALS_HEADER)
    for o in sorted(history.observations, key=lambda o: (o.collected_on, o.organisation.lower())):
        counts = ("" if value is None else value for value in _counts_of(o))
        name = o.organisation.removeprefix(f"{o.platform}:")  # a GitLab group by its path
        writer.writerow((history.source, o.collected_on, o.platform, name, *counts))
    return buffer.getvalue().encode("utf-8")


def _counts_of(observation: Observation) -> Totals:
    o = observation
    return (o.repositories, o.stars, o.forks, o.open_issues)


def read_totals(data: bytes, where: str) -> LegacyHistory:
    """Observations from the bytes of a CSV written by `totals_csv` (gzip or not)."""
    wrong = HistoryImportError(
        f"{where}: not a totals file (expected a CSV, gzip or not, with the columns "
        f"{', '.join(TOTALS_HEADER)})"
    )
    try:
        text = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError):
        raise wrong from None
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != TOTALS_HEADER:
        raise wrong
    rows = list(reader)
    sources = {row["source"] for row in rows}
    if len(sources) != 1 or not SOURCE_PATTERN.match(next(iter(sources))):
        raise HistoryImportError(f"{where}: expected the totals of one predecessor (owner/name)")
    positions = {name: position for position, name in enumerate(COUNTS)}
    observations = tuple(
        Observation(
            row["collected_on"],
            row["platform"],
            row["organisation"],
            *_totals([row[name] for name in COUNTS], positions, where),
        )
        for row in rows
    )
    return LegacyHistory(sources.pop(), observations)
