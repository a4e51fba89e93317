"""Licences and topics of the current repositories: two rankings in words."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib
from pandas import DataFrame, Series

from oshs.charts.bars import Bar, hbars
from oshs.charts.common import RC, Chart, describe, new_figure, plural, render
from oshs.figures import (
    NO_LICENCE,
    UNIDENTIFIED_LICENCE,
    Figures,
    figures_of,
    licence_labels,
    percent,
    ranked,
    topic_counts,
)
from oshs.provenance import Provenance
from oshs.tables import member
from oshs.text import shorten

LICENSES_NAME = "licenses"
TOPICS_NAME = "topics"
TOP_LICENCES = 8
TOP_TOPICS = 20
LICENCE_CHARS = 44
TOPIC_CHARS = 40
REPOSITORIES = ("public repository", "public repositories")


def licenses_chart(
    tables: Mapping[str, DataFrame],
    *,
    provenance: Provenance,
    top: int = TOP_LICENCES,
    figures: Figures | None = None,
) -> Chart:
    """Current repositories per licence, in words: the `top` licences GitHub identified (by
    name), the rest as "N other licences", then "Licence not identified by GitHub"
    (`NOASSERTION`) and "No licence", which are always shown."""
    current = figures_of(tables, provenance.collected_on, figures).current
    counts = licence_labels(current).value_counts()
    special = [UNIDENTIFIED_LICENCE, NO_LICENCE]
    named = ranked(counts.drop(special, errors="ignore"))
    rows = [(str(name), int(value), False) for name, value in named.iloc[:top].items()]
    rest = named.iloc[top:]
    if len(rest):
        rows.append((f"{len(rest):,} other licence" + ("s" * (len(rest) > 1)), int(rest.sum()),
                     True))  # fmt: skip
    rows += [(name, int(counts.get(name, 0)), True) for name in special]
    with matplotlib.rc_context(RC):
        return _licences_figure(provenance, len(current), rows, int(named.sum()))


def _licences_figure(
    provenance: Provenance, total: int, rows: list[tuple[str, int, bool]], named: int
) -> Chart:
    """The licence bars, header and `<desc>`."""
    unidentified, none = rows[-2][1], rows[-1][1]
    licensed = total - none
    title = f"Licences of {plural(total, *REPOSITORIES)}, {provenance.collected_on}"
    subtitle = (
        f"As GitHub detects them. {licensed:,} ({percent(licensed, total)}) have a licence, "
        f"{unidentified:,} of them one GitHub could not identify; {none:,} "
        f"({percent(none, total)}) have none."
    )
    figure, axes, svg_title = new_figure(provenance, title, subtitle, left=0.34, right=0.95,
                                         bottom=0.75)  # fmt: skip
    bars = [Bar(shorten(name, LICENCE_CHARS), float(value),
                f"{value:,} ({percent(value, total)})", special)
            for name, value, special in rows]  # fmt: skip
    hbars(axes, bars, xlabel="Public repositories")
    listing = ", ".join(f"{name} {value:,} ({percent(value, total, 1)})"
                        for name, value, _ in rows)  # fmt: skip
    description = describe(
        provenance,
        f"Licences of {plural(total, *REPOSITORIES)} collected on {provenance.collected_on}: "
        f"{licensed:,} ({percent(licensed, total, 1)}) have a licence ({named:,} identified by "
        f"GitHub, {unidentified:,} not identified), {none:,} ({percent(none, total, 1)}) have "
        f"none. By licence: {listing}.",
    )
    return render(figure, LICENSES_NAME, svg_title, description)


def topics_chart(
    tables: Mapping[str, DataFrame],
    *,
    provenance: Provenance,
    top: int = TOP_TOPICS,
    figures: Figures | None = None,
) -> Chart:
    """The `top` topics of the current repositories, by how many repositories carry each."""
    current = figures_of(tables, provenance.collected_on, figures).current
    counts = topic_counts(tables["topics"], current)
    tagged = int(member(current["id"], tables["topics"]["repository_id"]).sum())
    with matplotlib.rc_context(RC):
        return _topics_figure(provenance, len(current), counts, tagged, top)


def _topics_figure(
    provenance: Provenance, total: int, counts: Series, tagged: int, top: int
) -> Chart:
    """The topic bars, header and `<desc>`."""
    shown = counts.iloc[:top]
    title = f"The {len(shown)} most common topics of {plural(total, *REPOSITORIES)}, " + (
        provenance.collected_on
    )
    subtitle = (
        f"Repositories per GitHub topic. {tagged:,} of {total:,} repositories "
        f"({percent(tagged, total)}) have at least one topic; {len(counts):,} different topics."
    )
    figure, axes, svg_title = new_figure(provenance, title, subtitle, height=7.5, left=0.27,
                                         right=0.95, bottom=0.75)  # fmt: skip
    bars = [Bar(shorten(name, TOPIC_CHARS), float(value), f"{value:,} ({percent(value, total)})")
            for name, value in shown.items()]  # fmt: skip
    hbars(axes, bars, xlabel="Public repositories with the topic")
    if not bars:
        axes.text(0.5, 0.5, "No topics", transform=axes.transAxes, ha="center")
    listing = ", ".join(f"{name} {value:,}" for name, value in shown.items())
    description = describe(
        provenance,
        f"GitHub topics of {plural(total, *REPOSITORIES)} collected on "
        f"{provenance.collected_on}: {tagged:,} ({percent(tagged, total, 1)}) have at least "
        f"one topic; {len(counts):,} different topics. "
        + (f"The {len(shown)} most common, with repositories: {listing}." if len(shown) else ""),
    )
    return render(figure, TOPICS_NAME, svg_title, description)
