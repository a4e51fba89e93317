"""The data dictionary: every published table, its columns, types and constraints.

One source of truth for the column order of the pandas tables (`oshs.tables`) and for the
Table Schemas of the data package (`oshs.package`). Types are Frictionless Table Schema types:
`integer`, `number`, `boolean`, `date`, `datetime`, `string`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LOGIN_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
FULL_NAME_PATTERN = r"^[^/]+/[^/]+$"

CSV_CONVENTIONS = (
    "CSV conventions: UTF-8, `\\n` line endings (line breaks inside text are written as `\\n`), "
    "a header row, rows sorted by primary key, booleans `true`/`false`, missing values empty, "
    "datetimes UTC `YYYY-MM-DDTHH:MM:SSZ`, dates `YYYY-MM-DD`, numbers with six decimals. "
    "Text is published exactly as GitHub returned it: cells that begin with `=`, `+`, `-` or `@` "
    "are not escaped, so that R, pandas, DuckDB and other data tools read the true values; "
    "spreadsheet users should import the files as text rather than open them directly."
)

TOP_VALUE_RULE = (
    "the modal value over the organisation's cumulative repositories at that date (the value "
    "with the most repositories; ties are broken alphabetically, case-insensitively)"
)


@dataclass(frozen=True)
class Field:
    """One column: Table Schema type, title, description and constraints."""

    name: str
    type: str
    title: str
    description: str
    constraints: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ForeignKey:
    """`fields` of this table reference `reference_fields` of `resource`."""

    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One published table (one CSV, one resource of the data package)."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def columns(self) -> list[str]:
        """Column names in published order."""
        return [f.name for f in self.fields]

    def types(self) -> dict[str, str]:
        """Column name → Table Schema type."""
        return {f.name: f.type for f in self.fields}


REQUIRED = {"required": True}
COUNT = {"minimum": 0}
REQUIRED_COUNT = {"required": True, "minimum": 0}


def _f(name: str, type_: str, title: str, description: str, **constraints: Any) -> Field:
    return Field(name, type_, title, description, dict(constraints))


def _community(name: str, title: str, what: str) -> Field:
    return _f(
        name,
        "boolean",
        title,
        f"Whether the repository has {what}, as GitHub's community profile reports it; "
        "empty when not collected (plain REST without enrichment) or not reported by the API.",
    )


ORGANISATIONS = Table(
    name="organisations",
    title="Organisations",
    description="One row per GitHub organisation of the collection.",
    fields=(
        _f(
            "login",
            "string",
            "Login",
            "GitHub login of the organisation, as GitHub spells it.",
            required=True,
            unique=True,
            pattern=LOGIN_PATTERN,
        ),
        _f(
            "name",
            "string",
            "Name",
            "Display name: the configured name, else the organisation's own name, else its login.",
        ),
        _f("id", "integer", "GitHub id", "Numeric GitHub id of the organisation.", minimum=1),
        _f("description", "string", "Description", "The organisation's description on GitHub."),
        _f("html_url", "string", "Web page", "The organisation's page on GitHub."),
        _f("website", "string", "Website", "The organisation's website (GitHub's `blog`)."),
        _f("location", "string", "Location", "The organisation's location, as it states it."),
        _f("created_at", "datetime", "Created", "When the organisation was created (UTC)."),
        _f(
            "is_verified",
            "boolean",
            "Verified",
            "Whether GitHub verified the organisation's domain; empty when the API did not say.",
        ),
        _f(
            "public_repositories",
            "integer",
            "Public repositories",
            "Number of public repositories according to GitHub (forks and archived included).",
            minimum=0,
        ),
        _f(
            "collected_on",
            "date",
            "Collected on",
            "Date (UTC) of the collection these rows come from.",
            required=True,
        ),
        _f(
            "stale",
            "boolean",
            "Stale",
            "True when the organisation was not collected in the latest collection (it failed, or "
            "was not in that run's list) and its rows, and those of its repositories, were "
            "carried forward unchanged from the previous publication; `collected_on` then says "
            "when they were last collected.",
            required=True,
        ),
    ),
    primary_key=("login",),
)

REPOSITORIES = Table(
    name="repositories",
    title="Repositories",
    description="One row per public repository ever seen (removed ones are kept and flagged).",
    fields=(
        _f(
            "id",
            "integer",
            "GitHub id",
            "Numeric GitHub id of the repository.",
            required=True,
            unique=True,
            minimum=1,
        ),
        _f(
            "organisation",
            "string",
            "Organisation",
            "Login of the owning organisation.",
            required=True,
        ),
        _f("name", "string", "Name", "Repository name.", required=True),
        _f(
            "full_name",
            "string",
            "Full name",
            "`organisation/name`.",
            required=True,
            pattern=FULL_NAME_PATTERN,
        ),
        _f("description", "string", "Description", "The repository's description."),
        _f("html_url", "string", "Web page", "The repository's page on GitHub."),
        _f("homepage", "string", "Homepage", "The repository's homepage, as its owners set it."),
        _f("created_at", "datetime", "Created", "When the repository was created (UTC)."),
        _f(
            "updated_at",
            "datetime",
            "Updated",
            "When the repository object was last updated "
            "(UTC; includes stars and settings, not only code).",
        ),
        _f("pushed_at", "datetime", "Pushed", "When a commit was last pushed (UTC)."),
        _f("language", "string", "Primary language", "Primary language as GitHub detects it."),
        _f(
            "license",
            "string",
            "Licence",
            "SPDX identifier of the detected licence; "
            "`NOASSERTION` for a licence GitHub could not identify; empty for none.",
        ),
        _f("license_name", "string", "Licence name", "Name of the detected licence."),
        _f("topics", "string", "Topics", "Topics, sorted, separated by `;`."),
        _f("stars", "integer", "Stars", "Stargazers at collection time.", **COUNT),
        _f("forks", "integer", "Forks", "Forks at collection time.", **COUNT),
        _f(
            "open_issues",
            "integer",
            "Open issues",
            "Open issues at collection time, pull "
            "requests excluded; empty when the API did not give it separately (plain REST).",
            **COUNT,
        ),
        _f(
            "open_pull_requests",
            "integer",
            "Open pull requests",
            "Open pull requests at "
            "collection time; empty when the API did not give it (plain REST).",
            **COUNT,
        ),
        _f("size_kb", "integer", "Size (KB)", "Repository size in kilobytes.", **COUNT),
        _f("default_branch", "string", "Default branch", "Name of the default branch."),
        _f("fork", "boolean", "Fork", "Whether the repository is a fork."),
        _f("archived", "boolean", "Archived", "Whether the repository is archived (read-only)."),
        _f(
            "is_template",
            "boolean",
            "Template",
            "Whether the repository is a template; empty when the API did not say.",
        ),
        _f("has_issues", "boolean", "Issues enabled", "Whether the issue tracker is enabled."),
        _f("has_wiki", "boolean", "Wiki enabled", "Whether the wiki is enabled."),
        _community("has_readme", "README", "a README"),
        _community("has_license_file", "Licence file", "a licence file"),
        _community("has_contributing", "Contributing guide", "contributing guidelines"),
        _community("has_code_of_conduct", "Code of conduct", "a code of conduct"),
        _community("has_security_policy", "Security policy", "a security policy"),
        _community("has_citation", "Citation file", "a `CITATION.cff` file"),
        _f(
            "first_seen",
            "date",
            "First seen",
            "Date of the first collection that saw the repository.",
            required=True,
        ),
        _f(
            "last_seen",
            "date",
            "Last seen",
            "Date of the latest collection that saw the repository.",
            required=True,
        ),
        _f(
            "removed",
            "boolean",
            "Removed",
            "True when the repository was absent from the latest successful collection of its "
            "organisation (deleted, transferred away, made private); its other columns keep the "
            "values last seen. A repository that comes back is no longer removed.",
            required=True,
        ),
    ),
    primary_key=("id",),
    foreign_keys=(ForeignKey(("organisation",), "organisations", ("login",)),),
)

LANGUAGES = Table(
    name="languages",
    title="Languages",
    description="Bytes of code per language per repository (collected only when the API gave "
    "languages: GraphQL, or REST with enrichment; otherwise see `repositories.language`).",
    fields=(
        _f(
            "repository_id",
            "integer",
            "Repository id",
            "GitHub id of the repository.",
            required=True,
        ),
        _f("full_name", "string", "Repository", "`organisation/name` of the repository."),
        _f(
            "language",
            "string",
            "Language",
            "Language as GitHub's linguist names it.",
            required=True,
        ),
        _f("bytes", "integer", "Bytes", "Bytes of code in that language.", **REQUIRED_COUNT),
        _f(
            "share",
            "number",
            "Share",
            "Bytes as a fraction of the repository's total bytes (0 to 1).",
            minimum=0,
            maximum=1,
        ),
    ),
    primary_key=("repository_id", "language"),
    foreign_keys=(ForeignKey(("repository_id",), "repositories", ("id",)),),
)

TOPICS = Table(
    name="topics",
    title="Topics",
    description="One row per topic per repository.",
    fields=(
        _f(
            "repository_id",
            "integer",
            "Repository id",
            "GitHub id of the repository.",
            required=True,
        ),
        _f("full_name", "string", "Repository", "`organisation/name` of the repository."),
        _f("topic", "string", "Topic", "A GitHub topic of the repository.", required=True),
    ),
    primary_key=("repository_id", "topic"),
    foreign_keys=(ForeignKey(("repository_id",), "repositories", ("id",)),),
)

TIMELINE = Table(
    name="timeline",
    title="Timeline",
    description="Repositories created per organisation per day (UTC): one row per organisation "
    "per day on which it created at least one repository of `repositories.csv`. Removed "
    "repositories stay counted at their creation date (the past never shrinks when a repository "
    "is deleted later), so the counts are of repositories ever published, not of those that "
    "still exist; `organisation_history.csv` has the counts of each collection.",
    fields=(
        _f("date", "date", "Date", "Creation date (UTC).", required=True),
        _f("organisation", "string", "Organisation", "Login of the organisation.", required=True),
        _f(
            "new_repositories",
            "integer",
            "New repositories",
            "Repositories created that day.",
            required=True,
            minimum=1,
        ),
        _f(
            "cumulative_repositories",
            "integer",
            "Cumulative repositories",
            "Repositories created up to and including that day (removed ones included).",
            required=True,
            minimum=1,
        ),
        _f(
            "top_language",
            "string",
            "Top language",
            f"Primary language: {TOP_VALUE_RULE}; "
            "repositories without a language are not counted; empty when none has one.",
        ),
        _f(
            "top_license",
            "string",
            "Top licence",
            f"Licence: {TOP_VALUE_RULE}; repositories without a licence count as `none`.",
            required=True,
        ),
    ),
    primary_key=("date", "organisation"),
    foreign_keys=(ForeignKey(("organisation",), "organisations", ("login",)),),
)

HISTORY_GRAIN = (
    "One day is the grain: a second collection on the same day replaces that day's observation."
)


def _sum(name: str, title: str, what: str) -> Field:
    return _f(
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
        _f("collected_on", "date", "Collected on", "Collection date (UTC).", required=True),
        _f("organisation", "string", "Organisation", "Login of the organisation.", required=True),
        _f(
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
        _f(
            "archived",
            "integer",
            "Archived",
            "Repositories seen that day that are archived.",
            **REQUIRED_COUNT,
        ),
        _f(
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
    return _f(name, "integer", title, f"{what} on that date; empty when the API did not give it.",
              minimum=0)  # fmt: skip


REPOSITORY_HISTORY = Table(
    name="repository_history",
    title="Repository history",
    description="The true history of each repository's counts: a row on the date a repository "
    "was first seen, and on each later collection date on which one of these values differed "
    "from its previous row (a value holds until the next row; removals are in "
    f"`repositories.csv`). {HISTORY_GRAIN}",
    fields=(
        _f("collected_on", "date", "Collected on", "Collection date (UTC).", required=True),
        _f(
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
        _f("archived", "boolean", "Archived", "Whether the repository was archived."),
    ),
    primary_key=("collected_on", "repository_id"),
    foreign_keys=(ForeignKey(("repository_id",), "repositories", ("id",)),),
)

HISTORY_TRACKED = ("stars", "forks", "open_issues", "open_pull_requests", "size_kb", "archived")
"""The repository values whose change adds a `repository_history` row."""

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        ORGANISATIONS,
        REPOSITORIES,
        LANGUAGES,
        TOPICS,
        TIMELINE,
        ORGANISATION_HISTORY,
        REPOSITORY_HISTORY,
    )
}
"""Published tables in resource order."""
