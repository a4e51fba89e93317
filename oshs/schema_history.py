"""The data dictionary of the history tables: what was observed on each collection date."""

from __future__ import annotations

from oshs.fields import REQUIRED_COUNT, Field, ForeignKey, Table, column

HISTORY_GRAIN = (
    "One day is the grain: a second collection on the same day replaces that day's observation."
)


def _sum(name: str, title: str, what: str) -> Field:
    return column(
        name,
        "integer",
        title,
        f"{what} of the organisation's repositories not removed (sum of the known values; empty "
        "when the API gave none, e.g. open issues over plain REST).",
        minimum=0,
    )


ORGANISATION_HISTORY = Table(
    name="organisation_history",
    title="Organisation history",
    description="The true history: one row per organisation per collection date on which it was "
    "collected successfully (an organisation that failed gets no row that day; its previous rows "
    f"stay). Counts cover the repositories of `repositories.csv`. {HISTORY_GRAIN}",
    fields=(
        column("collected_on", "date", "Collected on", "Collection date (UTC).", required=True),
        column(
            "organisation", "string", "Organisation", "Login of the organisation.", required=True
        ),
        column(
            "repositories",
            "integer",
            "Repositories",
            "Public repositories seen that day (archived included; forks as configured).",
            **REQUIRED_COUNT,
        ),
        _sum("stars", "Stars", "Stargazers"),
        _sum("forks", "Forks", "Forks"),
        _sum("open_issues", "Open issues", "Open issues (pull requests excluded)"),
        _sum("open_pull_requests", "Open pull requests", "Open pull requests"),
        column(
            "archived",
            "integer",
            "Archived",
            "Repositories seen that day that are archived.",
            **REQUIRED_COUNT,
        ),
        column(
            "removed",
            "integer",
            "Removed",
            "Repositories published earlier and absent that day (cumulative: every repository "
            "of the organisation with `removed = true` in `repositories.csv` as of that day).",
            **REQUIRED_COUNT,
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
        column(
            "repository_id",
            "integer",
            "Repository id",
            "GitHub id of the repository.",
            required=True,
        ),
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
