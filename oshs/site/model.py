"""What the website shows, prepared from the tables of a release in vectorised passes: one
row per repository with its text made `one_line` (the templates escape it for HTML), the page
of each organisation, and the numbers a page shows formatted once.

Every function here is pure: tables in, frames and plain values out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pandas import DataFrame

from oshs.figures import display_languages, flag, licence_labels
from oshs.report import MISSING, Count, https_target, is_missing
from oshs.tables import sorted_positions
from oshs.text import casefolded, one_line, one_line_texts

_GITHUB_URL = r"https://github\.com/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+"
_SLUG_UNSAFE = re.compile(r"[^a-z0-9-]")
NO_VALUE = "None"  # the language or licence filter's label of repositories without one


@dataclass(frozen=True)
class OrganisationPage:
    """An organisation's page: its login, display name and file name (`<slug>.html`)."""

    key: str  # case-folded login
    login: str
    name: str
    slug: str

    @property
    def path(self) -> str:
        """The page's path relative to the site's root."""
        return f"organisations/{self.slug}.html"


def anchor_ids(ids: pd.Series) -> pd.Series:
    """Repository keys as the anchors of their rows: GitHub's id, or `gitlab-<id>` (a colon
    would need escaping in a CSS selector)."""
    return ids.astype(str).str.replace(":", "-", regex=False)


def slug(login: str) -> str:
    """A file name for an organisation's page: its case-folded login when that is made of
    letters, digits and hyphens, else a cleaned form with a short hash (stays unique)."""
    key = login.casefold()
    clean = _SLUG_UNSAFE.sub("-", key).strip("-")[:60]
    if clean == key and clean:
        return clean
    digest = hashlib.sha256(login.encode("utf-8")).hexdigest()[:8]
    return f"{clean or 'organisation'}-{digest}"


def organisation_pages(
    organisations: DataFrame, names: Mapping[str, str]
) -> list[OrganisationPage]:
    """One page per organisation of the table, by case-folded login; `names` are display names
    by case-folded login."""
    pages = []
    for login in sorted(organisations["login"].astype(str), key=str.casefold):
        key = login.casefold()
        pages.append(OrganisationPage(key, one_line(login), one_line(names.get(key, login)),
                                      slug(login)))  # fmt: skip
    return pages


def repository_rows(repositories: DataFrame, groups: Mapping[str, str]) -> DataFrame:
    """One row per repository (removed ones included), text made `one_line` and missing as
    "": `id`, `key` (case-folded organisation), `name`, `description`, `url` (https only, else
    ""), `language`, `licence` (in words), `topics` (space-separated), `stars`, `forks`,
    `open_issues` (`Int64`), `pushed` (a day), `archived`, `removed`, `fork`. Sorted by
    organisation, then most stars, then name."""

    def text(column: str) -> pd.Series:
        return one_line_texts(repositories[column]).fillna("")

    ids, name = anchor_ids(repositories["id"]), text("name")
    key = casefolded(repositories["organisation"].astype(str))
    stars = repositories["stars"].astype("Int64")
    at = sorted_positions({"key": key, "stars": -stars.fillna(-1), "name": casefolded(name),
                           "id": ids})  # fmt: skip

    def in_order(values: pd.Series) -> pd.Series:  # each column in order as it is made: the
        return values.iloc[at].reset_index(drop=True)  # rows are never held twice

    return DataFrame({
        "id": in_order(ids),
        "key": in_order(key),
        "name": in_order(name),
        "description": in_order(text("description")),
        "url": in_order(_urls(repositories["html_url"])),
        "language": in_order(one_line_texts(display_languages(repositories["language"], groups))
                            .fillna("")),
        "licence": in_order(one_line_texts(pd.Series(licence_labels(repositories),
                                                    dtype="string"))),
        "topics": in_order(one_line_texts(repositories["topics"].astype("string")
                                         .str.replace(";", " ")).fillna("")),
        "stars": in_order(stars),
        "forks": in_order(repositories["forks"].astype("Int64")),
        "open_issues": in_order(repositories["open_issues"].astype("Int64")),
        "pushed": in_order(repositories["pushed_at"].astype("string").str.slice(0, 10).fillna("")),
        "archived": in_order(flag(repositories, "archived")),
        "removed": in_order(flag(repositories, "removed")),
        "fork": in_order(flag(repositories, "fork")),
    }, copy=False)  # fmt: skip


def _urls(html_urls: pd.Series) -> pd.Series:
    """The repositories' links: GitHub's plain ones as they are, others only when https."""
    url = html_urls.astype("string").fillna("")
    plain = url.str.fullmatch(_GITHUB_URL).fillna(False).astype(bool)
    checked = [https_target(value) or "" for value in url.loc[~plain]]
    url = url.copy()
    url.loc[~plain] = checked
    return url.astype(str)


def number(value: Any) -> str:
    """A count with thousands separators; a `Count` shows "≥" when some values are missing;
    "–" when not known."""
    if isinstance(value, Count):
        if value.missing and not value.known:
            return MISSING
        return ("≥ " if value.missing else "") + f"{value.total:,}"
    return MISSING if is_missing(value) else f"{int(value):,}"


def sort_key(value: Any) -> str:
    """The value a sortable table sorts a cell by (`data-sort`): the number for counts."""
    if isinstance(value, Count):
        return str(value.total) if value.known else "-1"
    return "-1" if is_missing(value) else str(value)
