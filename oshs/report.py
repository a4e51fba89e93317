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

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from pandas import DataFrame

from oshs.errors import ReportError
from oshs.figures import Figures, current_repositories, figures_of, percent
from oshs.findings import findings, history_example, provenance_lines
from oshs.provenance import SAMPLE_LABEL, Provenance, build_provenance
from oshs.tables import empty_tables
from oshs.text import MarkdownSafe, escape_markdown, has_control, one_line, shorten

MISSING = "–"  # en dash: a value that is not known
NAME_LIMIT = 80
WEBSITE_LIMIT = 40
LICENCE_WORDS = {"NOASSERTION": "not identified by GitHub"}  # `timeline.top_license` in words
COUNT_COLUMNS = ("stars", "forks", "open_issues", "open_pull_requests")

_SPACE = re.compile(r"\s")
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
    target = https_target(value)
    return target.replace("&", "&amp;") if target is not None else None


def https_target(value: Any) -> str | None:
    """The URL %-encoded where a link needs it when it is a plain `https://` URL (no spaces,
    controls or credentials), else None; HTML attributes escape it further (autoescape)."""
    if is_missing(value):
        return None
    text = str(value).strip()
    if _SPACE.search(text) or has_control(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not parts.hostname or "@" in parts.netloc:
        return None
    return quote(text, safe=_URL_SAFE)


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
    charts: Sequence[tuple[str, ...]],
    package_link: str = "../datapackage.json",
    provenance: Provenance | None = None,
    language_groups: Mapping[str, str] | None = None,
    figures: Figures | None = None,
) -> str:
    """Render `outputs/README.md` from the tables, the package descriptor and the charts.

    It opens with the labels of provenance (SAMPLE DATA; a partial collection, naming every
    organisation not collected and why) and the findings, then the charts, the table per
    organisation, the organisations not collected, how to load the data and what each table
    means. `charts` are (path relative to the report, heading, alt text), or (path, alt text);
    `package_link` is the path of `datapackage.json` relative to the report, and resource
    paths (relative to the descriptor) are linked through it. Without `provenance`, it is
    taken from the descriptor's `sources` and the stale organisations; `figures` (of `tables`)
    are computed when not given.
    """
    tables = {**empty_tables(), **tables}
    organisations = tables["organisations"]
    collected_on = _collected_on(organisations, descriptor)
    day = str(collected_on) if collected_on else "1970-01-01"
    if provenance is None:
        provenance = _stale_provenance(organisations, descriptor, day)
    figures = figures_of(tables, day, figures)
    stats = figures.stats
    rows = organisation_rows(figures, organisations, tables["timeline"])
    context = {
        "title": _title(descriptor, provenance),
        "opening": provenance_lines(provenance),
        "findings": findings(figures, language_groups),
        "version": descriptor.get("version"),
        "collected_on": collected_on,
        "organisation_count": len(rows),
        "gitlab_count": sum(str(row["login"]).startswith("gitlab:") for row in rows),
        "charts": [_chart(chart) for chart in charts],
        "rows": rows,
        "totals": _totals(rows),
        "shares": _shares(stats),
        "not_collected": provenance.not_collected,
        "coverage": provenance.coverage(),
        "example": history_example(tables, day),
        "package_link": package_link,
        "resources": _resources(descriptor, package_link),
        "code": _code_paths(descriptor, package_link),
    }
    return _environment().get_template("README.md.j2").render(context)


def _stale_provenance(
    organisations: DataFrame, descriptor: Mapping[str, Any], day: str
) -> Provenance:
    """The provenance of a package alone: its sources, and its stale organisations."""
    records = organisations.to_dict("records")
    return build_provenance(day, sources=descriptor.get("sources"), organisations=records,
                            failed={})  # fmt: skip


def _shares(stats: DataFrame) -> dict[str, str]:
    """The shares of all current repositories that are licensed and active."""
    total = int(stats["repositories"].sum())
    return {column: percent(int(stats[column].sum()), total) for column in ("licensed", "active")}


def _title(descriptor: Mapping[str, Any], provenance: Provenance) -> str:
    """The report's title, "SAMPLE DATA: " first for sample data (when it is not already)."""
    title = str(descriptor.get("title") or descriptor.get("name") or "Open-source statistics")
    if provenance.sample and not title.startswith(SAMPLE_LABEL):
        return f"{SAMPLE_LABEL}: {title}"
    return title


def _chart(chart: tuple[str, ...]) -> dict[str, str]:
    """A chart of the report: its path, heading (none for a pair) and alt text."""
    path, *texts = chart
    return {"path": path, "heading": texts[0] if len(texts) > 1 else "", "alt": texts[-1]}


def _collected_on(organisations: DataFrame, descriptor: Mapping[str, Any]) -> Any:
    """The latest collection date of the organisations, else the descriptor's `created` day."""
    dates = (
        [str(day) for day in organisations["collected_on"].dropna()] if len(organisations) else []
    )
    if dates:
        return max(dates)
    created = descriptor.get("created")
    return str(created)[:10] if created else None


def _counts(repositories: DataFrame, keys: np.ndarray | None = None) -> dict[str, dict[str, Count]]:
    """Per organisation (case-folded login): repositories and count sums, removed ones left out
    (one vectorised pass: sums and known values per column); `keys`: the case-folded logins of
    `repositories` when they are the current ones already."""
    current = repositories if keys is not None else current_repositories(repositories)
    if keys is None:
        keys = current["organisation"].astype(str).str.casefold().to_numpy()
    values = DataFrame({column: current[column].astype("Int64") for column in COUNT_COLUMNS})
    sums = values.groupby(keys).sum(min_count=0).astype("int64").to_dict("index")
    known = values.notna().groupby(keys).sum().to_dict("index")
    sizes = values.groupby(keys).size().to_dict()
    result: dict[str, dict[str, Count]] = {}
    for login, size in sizes.items():
        counts = {"repositories": Count(int(size), int(size), 0)}
        for column in COUNT_COLUMNS:
            seen = int(known[login][column])
            counts[column] = Count(int(sums[login][column]), seen, int(size) - seen)
        result[str(login)] = counts
    return result


def _latest_tops(timeline: DataFrame) -> dict[str, tuple[Any, Any]]:
    """Per organisation (case-folded): top language and licence on its latest timeline date."""
    if not len(timeline):
        return {}
    latest = timeline.sort_values("date", kind="stable").drop_duplicates(
        "organisation", keep="last"
    )
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


def organisation_rows(
    figures: Figures, organisations: DataFrame, timeline: DataFrame
) -> list[dict[str, Any]]:
    """`summary_rows` of the current repositories of `figures`, computed once for them when
    `organisations` and `timeline` are their tables (the report and the home page show the
    same rows); each row a copy, to change freely."""

    def compute() -> list[dict[str, Any]]:
        return summary_rows(organisations, figures.current, timeline, figures.stats,
                            keys=figures.keys)  # fmt: skip

    tables = figures.tables
    if organisations is tables.get("organisations") and timeline is tables.get("timeline"):
        rows = figures.memo("summary_rows", compute)
    else:
        rows = compute()
    return [dict(row) for row in rows]


def summary_rows(
    organisations: DataFrame,
    repositories: DataFrame,
    timeline: DataFrame,
    stats: DataFrame,
    keys: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """One row per organisation, most repositories first (then by login); `stats` are the
    `organisation_stats` of the current repositories; `keys`: the case-folded logins of
    `repositories` when they are the current ones already (`Figures.keys`)."""
    counts, tops = _counts(repositories, keys), _latest_tops(timeline)
    shares = {
        key: {
            column: percent(row[column], row["repositories"]) for column in ("licensed", "active")
        }
        for key, row in stats[["repositories", "licensed", "active"]].to_dict("index").items()
    }
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
                "top_license": LICENCE_WORDS.get(str(license_), license_),
                "stale": _stale(record),
                "licensed": shares.get(key, {}).get("licensed", MISSING),
                "active": shares.get(key, {}).get("active", MISSING),
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


def _code_paths(descriptor: Mapping[str, Any], package_link: str) -> dict[str, MarkdownSafe]:
    """The descriptor's file name and the repositories table's path (relative to it), for the
    code examples: plain path characters only, else the defaults."""
    paths = {r.get("name"): r.get("path") for r in descriptor.get("resources", [])}
    chosen = {
        "descriptor": posixpath.basename(package_link) or "datapackage.json",
        "repositories": paths.get("repositories") or "outputs/data/repositories.csv",
    }
    defaults = {"descriptor": "datapackage.json", "repositories": "outputs/data/repositories.csv"}
    return {
        key: MarkdownSafe(value if re.fullmatch(r"[\w./-]+", str(value)) else defaults[key])
        for key, value in chosen.items()
    }


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
