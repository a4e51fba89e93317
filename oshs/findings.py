"""The findings the report opens with, and its labels of provenance, as escaped Markdown.

Every figure comes from `oshs.figures`, the same numbers the charts draw; every string from
GitHub (language, licence and organisation names) is escaped with `oshs.text.escape_markdown`.
"""

from __future__ import annotations

from collections.abc import Mapping

from pandas import DataFrame, Series

from oshs.figures import (
    ACTIVE_DAYS,
    ACTIVITY,
    COMMUNITY_FILES,
    NO_LICENCE,
    UNIDENTIFIED_LICENCE,
    Figures,
    cutoff,
    language_counts,
    licence_labels,
    percent,
    ranked,
)
from oshs.provenance import SAMPLE_SENTENCE, Provenance
from oshs.text import MarkdownSafe, escape_markdown

LEADING = 3  # languages and licences named in the findings


def provenance_lines(provenance: Provenance) -> list[MarkdownSafe]:
    """The report's opening paragraphs: SAMPLE DATA, and a partial collection with every
    organisation not collected and why."""
    lines = []
    if provenance.sample:
        label, rest = SAMPLE_SENTENCE.split(": ", 1)
        lines.append(MarkdownSafe(f"**{label}**: {escape_markdown(rest)}"))
    if provenance.partial:
        missing = "; ".join(
            f"{escape_markdown(item.name)} (`{escape_markdown(item.login)}`): "
            f"{escape_markdown(item.reason)}"
            + (f", figures as last collected on {item.last_collected}"
               if item.last_collected else ", never collected, not in the figures")
            for item in provenance.not_collected
        )  # fmt: skip
        lines.append(MarkdownSafe(
            f"**Partial collection: {provenance.coverage()}.** Not collected: {missing}."
        ))  # fmt: skip
    return lines


def findings(
    figures: Figures, language_groups: Mapping[str, str] | None = None
) -> list[MarkdownSafe]:
    """The bullets of "Findings": size, growth, languages, licences, activity, stars, files."""
    current, collected_on = figures.current, figures.collected_on
    total = len(current)
    if not total:
        return [MarkdownSafe(f"No public repositories as collected on {collected_on}.")]
    stats, removed = figures.stats, figures.removed
    lines = [
        f"**{total:,} public repositories** of **{len(stats):,} organisations** as collected on "
        f"{collected_on}"
        + (f"; {removed:,} more {_was(removed)} seen earlier and {_has(removed)} since been "
           "removed." if removed
           else "."),
        _growth(figures.created, collected_on),
        _languages(current, language_groups or {}),
        _licences(current),
        _activity(stats, collected_on),
        _stars(stats),
        _community(stats),
    ]  # fmt: skip
    return [MarkdownSafe(line) for line in lines]


def _was(count: int) -> str:
    """ "was" for one, "were" for any other count."""
    return "was" if count == 1 else "were"


def _has(count: int) -> str:
    """ "has" for one, "have" for any other count."""
    return "has" if count == 1 else "have"


def _growth(created: Series, collected_on: str) -> str:
    """New repositories in the 12 months to the collection date."""
    recent = int((created > cutoff(collected_on, ACTIVE_DAYS)).sum())
    return (
        f"**{recent:,} ({percent(recent, len(created))})** {_was(recent)} created in the 12 "
        "months to "
        f"{collected_on}."
    )


def _languages(current: DataFrame, groups: Mapping[str, str]) -> str:
    """The leading primary languages with their shares."""
    counts, without = language_counts(current, groups)
    total = len(current)
    leading = ", ".join(
        f"{escape_markdown(name)} {percent(count, total)} ({count:,})"
        for name, count in counts.iloc[:LEADING].items()
    )
    return (
        f"**Leading languages**: {leading or 'none'} of all repositories, by primary language"
        + (f"; {without:,} {_has(without)} none." if without else ".")
    )


def _licences(current: DataFrame) -> str:
    """The share with a licence and the leading licences."""
    labels = licence_labels(current)
    total = len(current)
    none = int((labels == NO_LICENCE).sum())
    unidentified = int((labels == UNIDENTIFIED_LICENCE).sum())
    named = ranked(labels.loc[~labels.isin([NO_LICENCE, UNIDENTIFIED_LICENCE])].value_counts())
    leading = ", ".join(
        f"{escape_markdown(name)} {percent(count, total)}"
        for name, count in named.iloc[:LEADING].items()
    )
    return (
        f"**{percent(total - none, total)} have a licence** ({total - none:,})"
        + (f": {leading}" if leading else "")
        + f"; {unidentified:,} ({percent(unidentified, total)}) one GitHub could not identify; "
        f"{none:,} ({percent(none, total)}) none."
    )


def _activity(stats: DataFrame, collected_on: str) -> str:
    """The share active, recently pushed and archived."""
    total = int(stats["repositories"].sum())
    active, recent = int(stats["active"].sum()), int(stats[ACTIVITY[0]].sum())
    archived = int(stats["archived"].sum())
    return (
        f"**{percent(active, total)} are active** ({active:,}: pushed to in the 12 months to "
        f"{collected_on}, not archived), {percent(recent, total)} in the last 90 days; "
        f"{archived:,} ({percent(archived, total)}) {'is' if archived == 1 else 'are'} archived."
    )


def _stars(stats: DataFrame) -> str:
    """Stars and forks in all, and the organisation with the most stars."""
    top = stats.sort_values(["stars", "login"], ascending=[False, True], kind="stable").iloc[0]
    return (
        f"**{int(stats['stars'].sum()):,} stars** and {int(stats['forks'].sum()):,} forks in "
        f"all; the most stars: {escape_markdown(top['name'])} ({int(top['stars']):,})."
    )


def _community(stats: DataFrame) -> str:
    """The share of repositories with each community file."""
    parts = [
        f"{name} {percent(stats[f'{column}:with'].sum(), stats[f'{column}:known'].sum())}"
        for column, name in COMMUNITY_FILES
        if stats[f"{column}:known"].sum()
    ]
    if not parts:
        return "**Community files** were not collected (plain REST without enrichment)."
    return "**Community files**: " + ", ".join(parts).replace("_", "\\_") + "."


def history_example(tables: Mapping[str, DataFrame], collected_on: str) -> dict[str, int] | None:
    """What summing `repository_history` by date gets wrong, in figures of the latest date: the
    stars of its rows that day, against that day's true total (`organisation_history`)."""
    history, totals = tables["repository_history"], tables["organisation_history"]
    rows = history.loc[history["collected_on"].astype(str) == collected_on, "stars"]
    day = totals.loc[totals["collected_on"].astype(str) == collected_on]
    if "source" in day.columns:
        day = day.loc[day["source"].astype("string").fillna("oshs") == "oshs"]
    if day.empty:
        return None
    return {
        "rows": len(rows),
        "summed": int(rows.astype("Int64").sum()),
        "total": int(day["stars"].astype("Int64").sum()),
    }
