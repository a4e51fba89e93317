"""The data dictionary: every published table, its columns, types and constraints.

One source of truth for the column order of the pandas tables (`oshs.tables`) and for the
Table Schemas of the data package (`oshs.package`). Types are Frictionless Table Schema types:
`integer`, `number`, `boolean`, `date`, `datetime`, `string`.
"""

from __future__ import annotations

from oshs.fields import (
    COUNT,
    CSV_CONVENTIONS,
    FULL_NAME_PATTERN,
    LOGIN_PATTERN,
    ORGANISATION_KEY,
    TOP_VALUE_RULE,
    Field,
    ForeignKey,
    Table,
    column,
    community_column,
    platform_column,
    repository_key,
)
from oshs.schema_history import HISTORY_TRACKED, ORGANISATION_HISTORY, REPOSITORY_HISTORY

__all__ = [
    "CSV_CONVENTIONS",
    "HISTORY_TRACKED",
    "LANGUAGES",
    "ORGANISATIONS",
    "ORGANISATION_HISTORY",
    "REPOSITORIES",
    "REPOSITORY_HISTORY",
    "TABLES",
    "TIMELINE",
    "TOPICS",
    "Field",
    "Table",
]

ORGANISATIONS = Table(
    name="organisations",
    title="Organisations",
    description="One row per GitHub organisation or GitLab group of the collection (`platform`). "
    "An organisation known only "
    "from imported history (`oshs import-history`), not collected by oshs yet, has a row with its "
    "login and name only, `stale` true and `collected_on` its last imported day, until oshs "
    "collects it.",
    fields=(
        column(
            "login",
            "string",
            "Login",
            "GitHub login of the organisation, as GitHub spells it; for a GitLab group, "
            f"`gitlab:` and its full path. {ORGANISATION_KEY}",
            required=True,
            unique=True,
            pattern=LOGIN_PATTERN,
        ),
        platform_column("organisation"),
        column(
            "name",
            "string",
            "Name",
            "Display name: the configured name, else the organisation's own name, else its login.",
        ),
        column(
            "id",
            "integer",
            "Id",
            "Numeric id of the organisation on its platform (GitHub's, or GitLab's group id).",
            minimum=1,
        ),
        column(
            "description",
            "string",
            "Description",
            "The organisation's description on its platform.",
        ),
        column("html_url", "string", "Web page", "The organisation's page on GitHub or GitLab."),
        column("website", "string", "Website", "The organisation's website (GitHub's `blog`)."),
        column("location", "string", "Location", "The organisation's location, as it states it."),
        column("created_at", "datetime", "Created", "When the organisation was created (UTC)."),
        column(
            "is_verified",
            "boolean",
            "Verified",
            "Whether GitHub verified the organisation's domain; empty when the API did not say.",
        ),
        column(
            "public_repositories",
            "integer",
            "Public repositories",
            "Number of public repositories according to GitHub (forks and archived included); "
            "for a GitLab group, its public projects listed, subgroups included.",
            minimum=0,
        ),
        column(
            "collected_on",
            "date",
            "Collected on",
            "Date (UTC) of the collection these rows come from.",
            required=True,
        ),
        column(
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
        repository_key("id", "Id", required=True, unique=True),
        platform_column("repository"),
        column(
            "organisation",
            "string",
            "Organisation",
            f"Key of the owning organisation (`organisations.login`). {ORGANISATION_KEY}",
            required=True,
        ),
        column("name", "string", "Name", "Repository name.", required=True),
        column(
            "full_name",
            "string",
            "Full name",
            "`organisation/name`.",
            required=True,
            pattern=FULL_NAME_PATTERN,
        ),
        column("description", "string", "Description", "The repository's description."),
        column("html_url", "string", "Web page", "The repository's page on GitHub or GitLab."),
        column(
            "homepage", "string", "Homepage", "The repository's homepage, as its owners set it."
        ),
        column("created_at", "datetime", "Created", "When the repository was created (UTC)."),
        column(
            "updated_at",
            "datetime",
            "Updated",
            "When the repository object was last updated "
            "(UTC; includes stars and settings, not only code).",
        ),
        column("pushed_at", "datetime", "Pushed", "When a commit was last pushed (UTC)."),
        column("language", "string", "Primary language", "Primary language as GitHub detects it."),
        column(
            "license",
            "string",
            "Licence",
            "SPDX identifier of the detected licence; "
            "`NOASSERTION` for a licence GitHub could not identify; empty for none.",
        ),
        column("license_name", "string", "Licence name", "Name of the detected licence."),
        column("topics", "string", "Topics", "Topics, sorted, separated by `;`."),
        column("stars", "integer", "Stars", "Stargazers at collection time.", **COUNT),
        column("forks", "integer", "Forks", "Forks at collection time.", **COUNT),
        column(
            "open_issues",
            "integer",
            "Open issues",
            "Open issues at collection time, pull "
            "requests excluded; empty when the API did not give it separately (plain REST).",
            **COUNT,
        ),
        column(
            "open_pull_requests",
            "integer",
            "Open pull requests",
            "Open pull requests at "
            "collection time; empty when the API did not give it (plain REST).",
            **COUNT,
        ),
        column("size_kb", "integer", "Size (KB)", "Repository size in kilobytes.", **COUNT),
        column("default_branch", "string", "Default branch", "Name of the default branch."),
        column("fork", "boolean", "Fork", "Whether the repository is a fork."),
        column(
            "archived", "boolean", "Archived", "Whether the repository is archived (read-only)."
        ),
        column(
            "is_template",
            "boolean",
            "Template",
            "Whether the repository is a template; empty when the API did not say.",
        ),
        column("has_issues", "boolean", "Issues enabled", "Whether the issue tracker is enabled."),
        column("has_wiki", "boolean", "Wiki enabled", "Whether the wiki is enabled."),
        community_column("has_readme", "README", "a README"),
        community_column("has_license_file", "Licence file", "a licence file"),
        community_column("has_contributing", "Contributing guide", "contributing guidelines"),
        community_column("has_code_of_conduct", "Code of conduct", "a code of conduct"),
        community_column("has_security_policy", "Security policy", "a security policy"),
        community_column("has_citation", "Citation file", "a `CITATION.cff` file"),
        column(
            "first_seen",
            "date",
            "First seen",
            "Date of the first collection that saw the repository.",
            required=True,
        ),
        column(
            "last_seen",
            "date",
            "Last seen",
            "Date of the latest collection that saw the repository.",
            required=True,
        ),
        column(
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
        repository_key("repository_id", "Repository id", required=True),
        column("full_name", "string", "Repository", "`organisation/name` of the repository."),
        column(
            "language",
            "string",
            "Language",
            "Language as GitHub's linguist names it.",
            required=True,
        ),
        column(
            "bytes",
            "integer",
            "Bytes",
            "Bytes of code in that language; empty for a GitLab project (GitLab gives "
            "percentages only).",
            minimum=0,
        ),
        column(
            "share",
            "number",
            "Share",
            "Bytes as a fraction of the repository's total bytes (0 to 1); for a GitLab "
            "project, GitLab's percentage divided by 100.",
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
        repository_key("repository_id", "Repository id", required=True),
        column("full_name", "string", "Repository", "`organisation/name` of the repository."),
        column("topic", "string", "Topic", "A GitHub topic of the repository.", required=True),
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
        column("date", "date", "Date", "Creation date (UTC).", required=True),
        column(
            "organisation", "string", "Organisation", "Login of the organisation.", required=True
        ),
        column(
            "new_repositories",
            "integer",
            "New repositories",
            "Repositories created that day.",
            required=True,
            minimum=1,
        ),
        column(
            "cumulative_repositories",
            "integer",
            "Cumulative repositories",
            "Repositories created up to and including that day (removed ones included).",
            required=True,
            minimum=1,
        ),
        column(
            "top_language",
            "string",
            "Top language",
            f"Primary language: {TOP_VALUE_RULE}; "
            "repositories without a language are not counted; empty when none has one.",
        ),
        column(
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
