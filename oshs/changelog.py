"""`CHANGELOG.md`: the text of each version's entry, inserted above the older ones (newest
first). An entry says first when the data is the oshs sample; then, per organisation (by
display name), how many repositories were added (new or back after a removal), removed and
newly archived, with totals; the names when there are few; which organisations were not
collected (stale); and for a MAJOR version, the breaking changes. Every GitHub string is
escaped with `oshs.text.escape_markdown`. `oshs.release` decides when an entry is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pandas import DataFrame

from oshs.changes import repository_changes
from oshs.provenance import SAMPLE_LABEL, SAMPLE_WHAT
from oshs.text import escape_markdown

CHANGELOG_TITLE = "# Changelog"
CHANGELOG_INTRO = (
    "What changed in the data of each version of this data package, newest first. "
    "MAJOR versions change the published columns, MINOR versions bring new data, "
    "PATCH versions republish the same data with new metadata."
)
NAMES_LIMIT = 20
"""Repository names are listed for a kind of change when at most this many repositories had it."""
KINDS = ("added", "removed", "archived")
KIND_TITLES = {"added": "Added", "removed": "Removed", "archived": "Newly archived"}


def import_changelog_entry(
    version: str, created_on: str, source: str, before: DataFrame, after: DataFrame
) -> str:
    """The Markdown entry of a version that imported history from predecessor `source`: the
    source, the span and the count of its observations, and how its method differs.

    `before` and `after` are `organisation_history` without and with the import.
    """
    rows = after.loc[after["source"].eq(source)]
    earlier = {tuple(row) for row in before.loc[before["source"].eq(source)].astype(str).to_numpy()}
    changed = sum(tuple(row) not in earlier for row in rows.astype(str).to_numpy())
    days = rows["collected_on"]
    organisations = rows["organisation"].nunique()
    noun = "organisation" if organisations == 1 else "organisations"
    summary = (
        f"Imported the history published by {escape_markdown(source)}: {len(rows):,} daily "
        f"observations of {organisations:,} {noun} from {days.min()} to {days.max()} "
        f"({days.nunique():,} days)"
    )
    if earlier:
        summary += f"; {changed:,} of them added or updated by this import"
    return (
        f"## {version} ({created_on})\n\n{summary}.\n\n"
        "Their counts include forks and their open issues include pull requests "
        "(`includes_forks`, `open_issues_include_pull_requests`); open pull requests, archived "
        "and removed repositories are left empty. On a day that oshs collected itself, its own "
        "observation is kept.\n\n"
    )


def merged_note(entry: str, collected_on: str, newest: str) -> str:
    """`entry`, saying below its heading that it merged a day older than the package's newest."""
    if collected_on >= newest:
        return entry
    heading, _, rest = entry.partition("\n\n")
    note = (
        f"Merged the observation of {collected_on}, which reached the package after a newer one, "
        "into the history (in date order)."
    )
    return f"{heading}\n\n{note}\n\n{rest}"


def changelog_entry(
    version: str,
    collected_on: str,
    previous: Mapping[str, DataFrame],
    tables: Mapping[str, DataFrame],
    *,
    breaking: Sequence[str] = (),
    same_data: bool = False,
    sample: bool = False,
) -> str:
    """The Markdown entry of one version (ends with a blank line).

    `breaking`: the schema changes of a MAJOR version; `same_data`: a PATCH (metadata only);
    `sample`: the data is the oshs sample, said first. Organisations are named by their
    display names (`organisations.name`); "newly archived" counts repositories archived since
    the previous version.
    """
    lines = [f"## {version} ({collected_on})", ""]
    if breaking:
        lines += ["Breaking changes to the published tables:", ""]
        lines += [f"- {change}" for change in breaking] + [""]
    changes = repository_changes(previous["repositories"], tables["repositories"])
    repositories = tables["repositories"]
    live = repositories.loc[~repositories["removed"].astype(bool)]
    organisations = tables["organisations"]
    label = f"{SAMPLE_LABEL} ({SAMPLE_WHAT}): " if sample else ""
    archived = int(live["archived"].astype("boolean").fillna(False).sum())
    lines.append(
        f"{label}{len(live):,} public repositories ({archived:,} of them archived) of "
        f"{len(organisations):,} organisations (collected on {collected_on})."
    )
    lines.append("")
    names = _display_names(organisations)
    lines += _counts_table(changes, live, names) if len(changes) else _no_change(same_data)
    lines += _names(changes)
    lines += _stale(organisations, names)
    return "\n".join(lines).rstrip("\n") + "\n\n"


def _display_names(organisations: DataFrame) -> dict[str, str]:
    """Display name by login: `organisations.name`, else the login; a GitLab group's says so."""
    names = {}
    for login, name in zip(organisations["login"], organisations["name"], strict=True):
        shown = str(name) if isinstance(name, str) and name else str(login)
        names[str(login)] = f"{shown} (GitLab)" if str(login).startswith("gitlab:") else shown
    return names


def _no_change(same_data: bool) -> list[str]:
    """The line of an entry without repository changes."""
    if same_data:
        return ["Republished with new metadata; the data did not change.", ""]
    return [
        "No repository was added, removed or newly archived; counts and details were updated.",
        "",
    ]


def _counts_table(changes: DataFrame, live: DataFrame, names: Mapping[str, str]) -> list[str]:
    """Markdown table: per organisation with changes (display name), the counts per kind, then
    the totals."""
    counts = changes.groupby(["organisation", "kind"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(KINDS), fill_value=0)
    shown = {login: names.get(login, login) for login in counts.index}
    counts = counts.reindex(sorted(counts.index, key=lambda login: (shown[login].lower(), login)))
    sizes = live.groupby("organisation").size()
    lines = [
        "| Organisation | Added | Removed | Newly archived | Repositories |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    live_counts = sizes.reindex(counts.index, fill_value=0).tolist()
    rows = zip(counts.index, counts.to_numpy().tolist(), live_counts, strict=True)
    for login, row, size in rows:  # not `iterrows`: a Series per row (2,800 rows: 0.3 s)
        cells = [f"{int(count):,}" for count in row]
        lines.append(f"| {escape_markdown(shown[login])} | {' | '.join(cells)} | {int(size):,} |")
    totals = [f"**{int(counts[kind].sum()):,}**" for kind in KINDS]
    lines.append(f"| **Total** | {' | '.join(totals)} | **{len(live):,}** |")
    return [*lines, ""]


def _names(changes: DataFrame) -> list[str]:
    """Bullet lists of repository names per kind, when there are at most `NAMES_LIMIT`."""
    lines = []
    for kind in KINDS:
        names = changes.loc[changes["kind"] == kind, "full_name"].tolist()
        if 0 < len(names) <= NAMES_LIMIT:
            ordered = sorted(names, key=lambda name: (name.lower(), name))
            shown = ", ".join(escape_markdown(name) for name in ordered)
            lines += [f"- {KIND_TITLES[kind]}: {shown}"]
    return [*lines, ""] if lines else []


def _stale(organisations: DataFrame, names: Mapping[str, str]) -> list[str]:
    """The line naming the organisations carried forward (stale), if any."""
    stale = organisations.loc[organisations["stale"].astype(bool)]
    if stale.empty:
        return []
    parts = [
        f"{escape_markdown(names.get(login, login))} (last collected on {on})"
        for login, on in zip(stale["login"], stale["collected_on"], strict=True)
    ]
    return [f"Not collected, carried forward unchanged (stale): {', '.join(parts)}.", ""]


def prepend_entry(changelog: str, entry: str) -> str:
    """`changelog` with `entry` above its newest entry (a new changelog when it is empty)."""
    if not changelog.strip():
        return f"{CHANGELOG_TITLE}\n\n{CHANGELOG_INTRO}\n\n{entry}".rstrip("\n") + "\n"
    at = changelog.find("\n## ")
    if at < 0:
        return changelog.rstrip("\n") + "\n\n" + entry.rstrip("\n") + "\n"
    head, rest = changelog[: at + 1], changelog[at + 1 :]
    return head + entry + rest
