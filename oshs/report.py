"""`outputs/README.md`: the report that renders on GitHub (GitHub-flavoured Markdown).

Escaping is the default, not a habit: the Jinja2 environment's `finalize` passes every `{{ }}`
value through `oshs.text.escape_markdown` unless it is a `MarkdownSafe` string, which only this
module's filters make (numbers, links, images) after escaping their own parts. `escape_markdown`
removes bidi controls and other control characters, collapses line breaks, turns HTML specials
into entities and backslash-escapes Markdown syntax, so a GitHub string can neither inject markup
nor break a table row. Links are made only to `https://` URLs; anything else is shown as plain
text.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote, urlsplit

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from pandas import DataFrame

from oshs.errors import ReportError
from oshs.text import MarkdownSafe, escape_markdown, has_control, one_line, shorten

MISSING = "–"  # en dash: a value that is not known
NAME_LIMIT = 80
WEBSITE_LIMIT = 40
COUNT_COLUMNS = ("stars", "forks", "open_issues", "open_pull_requests")

_URL_SAFE = "/:?#@!$&'*+,;=%-._~"  # kept as they are; "(", ")", "|", "<" etc. are %-encoded


@dataclass(frozen=True)
class Count:
    """A sum over repositories: its total, and how many values were known or missing."""

    total: int = 0
    known: int = 0
    missing: int = 0

    def __add__(self, other: Count) -> Count:
        return Count(
            self.total + other.total, self.known + other.known, self.missing + other.missing
        )


def is_missing(value: Any) -> bool:
    """True for None, pandas NA/NaT and NaN (scalars only)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def https_url(value: Any) -> str | None:
    """The URL as a safe Markdown link destination if it is a plain `https://` URL, else None."""
    if is_missing(value):
        return None
    text = str(value).strip()
    if any(char.isspace() for char in text) or has_control(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not parts.hostname or "@" in parts.netloc:
        return None
    return quote(text, safe=_URL_SAFE).replace("&", "&amp;")


def _relative_url(value: str) -> str:
    """A relative path as a link destination; raises `ReportError` for anything else."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith("/") or not value:
        raise ReportError(f"report link {value!r}: expected a relative path to a file")
    return quote(value, safe="/-._~")


def _number(value: Any) -> MarkdownSafe:
    """A count with thousands separators; `Count` sums show "≥" when some values are missing."""
    if isinstance(value, Count):
        if value.missing and not value.known:
            return MarkdownSafe(MISSING)
        return MarkdownSafe(("≥ " if value.missing else "") + f"{value.total:,}")
    return MarkdownSafe(MISSING if is_missing(value) else f"{int(value):,}")


def _link(text: Any, url: Any) -> MarkdownSafe:
    """`[text](url)` when `url` is https, else the escaped text alone."""
    label = escape_markdown(MISSING if is_missing(text) else text)
    destination = https_url(url)
    return MarkdownSafe(f"[{label}]({destination})" if destination else label)


def _website(url: Any) -> MarkdownSafe:
    """A website: linked (scheme left out of the text) when https, else plain escaped text."""
    if is_missing(url) or not one_line(url):
        return MarkdownSafe(MISSING)
    text = one_line(url)
    if https_url(url):
        text = re.sub(r"^https://", "", text, flags=re.IGNORECASE).rstrip("/")
        return _link(shorten(text, WEBSITE_LIMIT), url)
    return escape_markdown(shorten(text, WEBSITE_LIMIT))


def _local_link(text: Any, path: str) -> MarkdownSafe:
    """`[text](relative/path)`."""
    return MarkdownSafe(f"[{escape_markdown(text)}]({_relative_url(path)})")


def _image(alt: Any, path: str) -> MarkdownSafe:
    """`![alt](relative/path)`."""
    return MarkdownSafe(f"![{escape_markdown(alt, alt=True)}]({_relative_url(path)})")


def _finalize(value: Any) -> str:
    """Every `{{ }}` output: trusted snippets as they are, missing as "–", the rest escaped."""
    if isinstance(value, MarkdownSafe):
        return value
    return MISSING if is_missing(value) else escape_markdown(value)


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("oshs", "templates"),
        autoescape=False,  # Markdown, not HTML: escaping is done by `finalize`
        finalize=_finalize,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        number=_number, link=_link, website=_website, local_link=_local_link, image=_image,
        shorten=shorten, trusted=MarkdownSafe,
    )  # fmt: skip
    return environment


def render_report(
    tables: Mapping[str, DataFrame],
    *,
    descriptor: Mapping[str, Any],
    charts: Sequence[tuple[str, str]],
    package_link: str = "../datapackage.json",
) -> str:
    """Render `outputs/README.md` from the tables, the package descriptor and the charts.

    `charts` are (path relative to the report, alt text); `package_link` is the path of
    `datapackage.json` relative to the report, and resource paths (relative to the descriptor)
    are linked through it. Uses `organisations`, `repositories` and `timeline`.
    """
    organisations = tables["organisations"]
    rows = _summary_rows(organisations, tables["repositories"], tables["timeline"])
    context = {
        "title": descriptor.get("title") or descriptor.get("name") or "Open-source statistics",
        "version": descriptor.get("version"),
        "collected_on": _collected_on(organisations, descriptor),
        "organisation_count": len(rows),
        "charts": [{"path": path, "alt": alt} for path, alt in charts],
        "rows": rows,
        "totals": _totals(rows),
        "package_link": package_link,
        "resources": _resources(descriptor, package_link),
    }
    return _environment().get_template("README.md.j2").render(context)


def _collected_on(organisations: DataFrame, descriptor: Mapping[str, Any]) -> Any:
    """The latest collection date of the organisations, else the descriptor's `created` day."""
    dates = (
        [str(day) for day in organisations["collected_on"].dropna()] if len(organisations) else []
    )
    if dates:
        return max(dates)
    created = descriptor.get("created")
    return str(created)[:10] if created else None


def _counts(repositories: DataFrame) -> dict[str, dict[str, Count]]:
    """Per organisation (case-folded login): repositories and count sums, removed ones left out."""
    current = repositories
    if "removed" in repositories.columns:
        current = repositories[~repositories["removed"].astype("boolean").fillna(False)]
    result: dict[str, dict[str, Count]] = {}
    for login, group in current.groupby(current["organisation"].str.casefold(), sort=True):
        sums = {"repositories": Count(len(group), len(group), 0)}
        for column in COUNT_COLUMNS:
            values = group[column].astype("Int64")
            known = int(values.notna().sum())
            sums[column] = Count(int(values.sum(skipna=True)), known, len(values) - known)
        result[str(login)] = sums
    return result


def _latest_tops(timeline: DataFrame) -> dict[str, tuple[Any, Any]]:
    """Per organisation (case-folded): top language and licence on its latest timeline date."""
    if not len(timeline):
        return {}
    latest = timeline.sort_values(["organisation", "date"]).groupby("organisation").tail(1)
    return {
        str(row.organisation).casefold(): (row.top_language, row.top_license)
        for row in latest.itertuples(index=False)
    }


def _stale(row: Mapping[Hashable, Any]) -> str | None:
    if is_missing(row.get("stale")):
        return None
    if not bool(row["stale"]):
        return "no"
    day = row.get("collected_on")
    return "yes, last collected " + str(day) if not is_missing(day) else "yes"


def _summary_rows(
    organisations: DataFrame, repositories: DataFrame, timeline: DataFrame
) -> list[dict[str, Any]]:
    """One row per organisation, most repositories first (then by login)."""
    counts, tops = _counts(repositories), _latest_tops(timeline)
    empty = {"repositories": Count()} | {column: Count() for column in COUNT_COLUMNS}
    rows = []
    for record in organisations.to_dict("records"):
        key = str(record["login"]).casefold()
        name = record.get("name")
        language, license_ = tops.get(key, (None, None))
        rows.append(
            {
                "login": str(record["login"]),
                "name": shorten(record["login"] if is_missing(name) else name, NAME_LIMIT),
                "html_url": record.get("html_url"),
                "website": record.get("website"),
                "top_language": language,
                "top_license": license_,
                "stale": _stale(record),
                **counts.get(key, empty),
            }
        )
    return sorted(rows, key=lambda row: (-row["repositories"].total, row["login"].casefold()))


def _totals(rows: Iterable[Mapping[str, Any]]) -> dict[str, Count]:
    """Column totals of the summary rows."""
    totals = {"repositories": Count()} | {column: Count() for column in COUNT_COLUMNS}
    for row in rows:
        totals = {column: total + row[column] for column, total in totals.items()}
    return totals


def _resources(descriptor: Mapping[str, Any], package_link: str) -> list[dict[str, Any]]:
    """The descriptor's resources with their paths made relative to the report."""
    base = posixpath.dirname(package_link)
    resources = []
    for resource in descriptor.get("resources", []):
        path = resource.get("path")
        if not isinstance(path, str) or urlsplit(path).scheme:
            continue
        resources.append(
            {
                "file": posixpath.basename(path),
                "path": posixpath.normpath(posixpath.join(base, path)),
                "title": resource.get("title"),
            }
        )
    return resources
