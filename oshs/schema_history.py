"""The data dictionary of the history tables: what was observed on each collection date."""

from __future__ import annotations

from oshs.fields import COUNT, REQUIRED_COUNT, Field, ForeignKey, Table, column, repository_key

HISTORY_GRAIN = (
    "One day is the grain: a second collection on the same day replaces that day's observation."
)

IMPORTED = "On imported rows, the total the predecessor published."
NOT_IMPORTED = "Empty on imported rows (the predecessor did not publish it)."
SOURCE_PATTERN = r"^(oshs|[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)$"


def _sum(name: str, title: str, what: str, imported: str = IMPORTED) -> Field:
    return column(
        name,
        "integer",
        title,
        f"{what} of the organisation's repositories not removed (sum of the known values; empty "
        f"when the API gave none, e.g. open issues over plain REST). {imported}",
        minimum=0,
    )


ORGANISATION_HISTORY = Table(
    name="organisation_history",
    title="Organisation history",
    description="The true history: one row per organisation per observed day. Rows with `source` "
    "`oshs` are oshs's own collections (an organisation that failed gets no row that day; its "
    "previous rows stay), counting the repositories of `repositories.csv`. Other rows were "
    "imported from a predecessor's published history (`oshs import-history`): totals as it "
    "published them, whose method differs (see `includes_forks` and "
    "`open_issues_include_pull_requests`). On a day with both, oshs's own observation wins. "
    f"{HISTORY_GRAIN}",
    fields=(
        column(
            "collected_on",
            "date",
            "Collected on",
            "Collection date (UTC); on an imported row, the UTC date of the predecessor's "
            "publication (the last of that day).",
            required=True,
        ),
        column(
            "organisation", "string", "Organisation", "Login of the organisation.", required=True
        ),
        column(
            "repositories",
            "integer",
            "Repositories",
            "Public repositories seen that day (archived included; forks as configured, see "
            f"`includes_forks`). {IMPORTED}",
            **REQUIRED_COUNT,
        ),
        _sum("stars", "Stars", "Stargazers"),
        _sum("forks", "Forks", "Forks"),
        _sum(
            "open_issues",
            "Open issues",
            "Open issues (pull requests excluded unless `open_issues_include_pull_requests`)",
        ),
        _sum("open_pull_requests", "Open pull requests", "Open pull requests", NOT_IMPORTED),
        column(
            "archived",
            "integer",
            "Archived",
            f"Repositories seen that day that are archived. {NOT_IMPORTED}",
            **COUNT,
        ),
        column(
            "removed",
            "integer",
            "Removed",
            "Repositories published earlier and absent that day (cumulative: every repository "
            "of the organisation with `removed = true` in `repositories.csv` as of that day). "
            f"{NOT_IMPORTED}",
            **COUNT,
        ),
        column(
            "source",
            "string",
            "Source",
            "Who observed the row: `oshs` for oshs's own collections; for a row imported with "
            "`oshs import-history`, the GitHub repository (`owner/name`) of the predecessor that "
            "published it, e.g. `nhsengland/open-health-statistics`.",
            required=True,
            pattern=SOURCE_PATTERN,
        ),
        column(
            "includes_forks",
            "boolean",
            "Includes forks",
            "Whether the counts include forked repositories: on oshs rows, true when forks were "
            "configured (`include_forks`) or a fork was counted; true on rows imported from "
            "nhsengland/open-health-statistics, which counted forks.",
            required=True,
        ),
        column(
            "open_issues_include_pull_requests",
            "boolean",
            "Open issues include pull requests",
            "Whether `open_issues` counts open pull requests too: false on oshs rows (pull "
            "requests are in `open_pull_requests`); true on rows imported from "
            "nhsengland/open-health-statistics, which summed GitHub's `open_issues_count`.",
            required=True,
        ),
    ),
    primary_key=("collected_on", "organisation"),
    foreign_keys=(ForeignKey(("organisation",), "organisations", ("login",)),),
)


def _tracked(name: str, title: str, what: str) -> Field:
    description = f"{what} on that date; empty when the API did not give it."
    return column(name, "integer", title, description, minimum=0)


REPOSITORY_HISTORY = Table(
    name="repository_history",
    title="Repository history",
    description="The true history of each repository's counts: a row on the date a repository "
    "was first seen, and on each later collection date on which one of these values differed "
    "from its previous row (a value holds until the next row; removals are in "
    f"`repositories.csv`). {HISTORY_GRAIN}",
    fields=(
        column("collected_on", "date", "Collected on", "Collection date (UTC).", required=True),
        repository_key("repository_id", "Repository id", required=True),
        _tracked("stars", "Stars", "Stargazers"),
        _tracked("forks", "Forks", "Forks"),
        _tracked("open_issues", "Open issues", "Open issues (pull requests excluded)"),
        _tracked("open_pull_requests", "Open pull requests", "Open pull requests"),
        _tracked("size_kb", "Size (KB)", "Repository size in kilobytes"),
        column("archived", "boolean", "Archived", "Whether the repository was archived."),
    ),
    primary_key=("collected_on", "repository_id"),
    foreign_keys=(ForeignKey(("repository_id",), "repositories", ("id",)),),
)

HISTORY_TRACKED = ("stars", "forks", "open_issues", "open_pull_requests", "size_kb", "archived")
"""The repository values whose change adds a `repository_history` row."""
