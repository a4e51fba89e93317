"""The building blocks of the data dictionary: fields, foreign keys, tables, and the shared
descriptions and constraints (`oshs.schema` and `oshs.schema_history` use them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LOGIN_PATTERN = r"^([A-Za-z0-9][A-Za-z0-9-]*|gitlab:[A-Za-z0-9_][A-Za-z0-9_./-]*)$"
FULL_NAME_PATTERN = r"^[^/]+(/[^/]+)+$"
REPOSITORY_KEY_PATTERN = r"^(gitlab:)?[1-9][0-9]*$"
PLATFORMS = ["github", "gitlab"]
ORGANISATION_KEY = (
    "Key of the organisation: its GitHub login, or `gitlab:` and a GitLab group's full path "
    "(a GitHub login has no `:`, so the keys of the two platforms never collide)."
)
REPOSITORY_KEY = (
    "Key of the repository: GitHub's numeric id, or `gitlab:` and GitLab's numeric project id "
    "(ids of the two platforms never collide). Text since version 2.0.0 (integers before)."
)

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


def column(name: str, type_: str, title: str, description: str, **constraints: Any) -> Field:
    """A field of the data dictionary; keyword arguments are its Table Schema constraints."""
    return Field(name, type_, title, description, dict(constraints))


def repository_key(name: str, title: str, **constraints: Any) -> Field:
    """A column holding a repository's key (`REPOSITORY_KEY`)."""
    return column(
        name, "string", title, REPOSITORY_KEY, pattern=REPOSITORY_KEY_PATTERN, **constraints
    )


def platform_column(what: str) -> Field:
    """The `platform` column: where the organisation or repository lives."""
    return column(
        "platform",
        "string",
        "Platform",
        f"Where the {what} lives: `github` or `gitlab` (rows of packages published before "
        "version 2.0.0, which had no such column, are `github`).",
        required=True,
        enum=PLATFORMS,
    )


def community_column(name: str, title: str, what: str) -> Field:
    """A boolean `has_*` field: whether the repository has `what` (a community file)."""
    return column(
        name,
        "boolean",
        title,
        f"Whether the repository has {what}, as GitHub's community profile reports it; "
        "empty when not collected (plain REST without enrichment) or not reported by the API.",
    )
