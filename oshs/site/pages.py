"""Every page of the website, rendered from a release (`SiteInput`) to bytes by path.

Pages: home (`index.html`), one per organisation (`organisations/<slug>.html`), the
repositories search (`repositories.html` with `search-index.js`), topics, languages and
licences, history, data and about. Each page carries the labels of provenance (SAMPLE DATA, a
partial collection) and links only within the site, to the package's files beside it, and to
`https://` URLs from the data.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pandas import DataFrame

from oshs.charts.history_series import has_history
from oshs.figures import Figures
from oshs.findings import findings, provenance_lines
from oshs.provenance import SAMPLE_LABEL, SAMPLE_SENTENCE, Provenance
from oshs.report import https_target, organisation_rows
from oshs.site.chart_data import DataTable, chart_tables, topics_table
from oshs.site.index import INDEX_FILE, choices, search_index
from oshs.site.markup import environment, markdown_html
from oshs.site.model import (
    OrganisationPage,
    organisation_pages,
    repository_rows,
)
from oshs.site.organisation import organisation_contexts
from oshs.site.recipes import recipes
from oshs.text import MarkdownSafe, one_line

NAVIGATION = (
    ("index.html", "Home"),
    ("repositories.html", "Repositories"),
    ("topics.html", "Topics"),
    ("languages.html", "Languages and licences"),
    ("history.html", "History"),
    ("data.html", "Data"),
    ("about.html", "About"),
)
HOME_CHARTS = ("cambrian-explosion", "history")
MORE_CHARTS = ("repositories-by-organisation", "organisations", "new-repositories-per-year",
               "activity", "community-files")  # fmt: skip


@dataclass(frozen=True)
class ChartRef:
    """A chart as the site shows it: file stem, visible title and alt text."""

    name: str
    title: str
    alt: str


@dataclass(frozen=True)
class SiteInput:
    """What the site of a release is made from. Links are relative to the site's folder:
    `package_link` to the descriptor, `charts_link` to the charts' folder."""

    tables: Mapping[str, DataFrame]
    descriptor: Mapping[str, Any]
    provenance: Provenance
    figures: Figures
    charts: Sequence[ChartRef]
    package_link: str
    charts_link: str
    language_groups: Mapping[str, str] = field(default_factory=dict)


def _labels(provenance: Provenance) -> list[Any]:
    """The provenance lines every page opens with, as HTML (SAMPLE DATA is their heading)."""
    lines = provenance_lines(provenance)
    label = f"**{SAMPLE_LABEL}**: "
    if provenance.sample and lines and lines[0].startswith(label):
        rest = lines[0].removeprefix(label)
        lines[0] = MarkdownSafe(rest[:1].upper() + rest[1:])
    return [markdown_html(line) for line in lines]


def _resources(site: SiteInput) -> list[dict[str, str]]:
    """Each CSV of the descriptor: its file name, link from the site's root and title."""
    base = posixpath.dirname(site.package_link)
    found = []
    for resource in site.descriptor.get("resources", []):
        path = resource.get("path")
        if isinstance(path, str) and re.fullmatch(r"[\w./-]+", path) and ".." not in path:
            found.append({"file": posixpath.basename(path), "name": str(resource.get("name")),
                          "href": posixpath.join(base, path) if base else path,
                          "title": one_line(resource.get("title") or ""),
                          "size": _size(resource.get("bytes"))})  # fmt: skip
    return found


def _size(count: Any) -> str:
    """A file's size in words ("1.2 MB"), or "" when not known."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return ""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


class Renderer:
    """Renders the pages of one site: the shared context is computed once."""

    def __init__(self, site: SiteInput) -> None:
        self.site = site
        provenance, tables = site.provenance, site.tables
        self.names = {p.key: p for p in organisation_pages(tables["organisations"],
                                                             _names(site.figures))}  # fmt: skip
        self.pages = list(self.names.values())
        self._rows: DataFrame | None = repository_rows(tables["repositories"],
                                                        site.language_groups)  # fmt: skip
        self.tables = chart_tables(site.figures, site.language_groups)
        self.charts: dict[str, ChartRef] = {}
        self.shown: dict[str, dict[str, Any] | None] = {}
        self.use_charts(site.charts)
        title = str(site.descriptor.get("title") or "Open-source health statistics")
        self.common = {
            "site_title": one_line(title),
            "sample": provenance.sample,
            "sample_label": SAMPLE_LABEL,
            "sample_sentence": SAMPLE_SENTENCE,
            "labels": _labels(provenance),
            "version": one_line(site.descriptor.get("version") or ""),
            "collected_on": provenance.collected_on,
            "package_link": site.package_link,
        }

    @property
    def rows(self) -> DataFrame:
        """`repository_rows` of the repositories (made again if `release_rows` let them go)."""
        if self._rows is None:
            self._rows = repository_rows(self.site.tables["repositories"],
                                         self.site.language_groups)  # fmt: skip
        return self._rows

    def release_rows(self) -> None:
        """Let the rows go: the pages with charts do not read them (1M repositories: 300 MB)."""
        self._rows = None

    def use_charts(self, charts: Sequence[ChartRef]) -> None:
        """Show `charts` (those of `site.charts` until then: the pages of `chart_files` need
        them, the others do not, so they can be rendered while the charts are drawn)."""
        self.charts = {chart.name: chart for chart in charts}
        self.shown = {}

    def page(self, path: str, template: str, title: str, **context: Any) -> bytes:
        """One page: `template` with the shared context, `title` and `context`."""
        depth = path.count("/")
        root = "../" * depth
        navigation = [{"href": root + href, "label": label, "current": href == path}
                      for href, label in NAVIGATION]  # fmt: skip
        text = environment().get_template(template).render(
            **self.common, **context, title=one_line(title), root=root,
            navigation=navigation, charts_link=root + self.site.charts_link + "/",
            package_href=root + self.site.package_link,
            outputs_href=root + (posixpath.dirname(self.site.charts_link) or ".") + "/",
        )  # fmt: skip
        return text.encode("utf-8")

    def chart(self, name: str) -> dict[str, Any] | None:
        """A chart of the release with its data table, or None when the release has none."""
        if name not in self.shown:
            chart = self.charts.get(name)
            table: DataTable | None = self.tables[name]() if chart else None
            self.shown[name] = None if chart is None else {
                "name": name, "title": one_line(chart.title.removeprefix(f"{SAMPLE_LABEL}: ")),
                "alt": one_line(chart.alt), "table": table}  # fmt: skip
        return self.shown[name]

    def home(self) -> bytes:
        """The home page: labels, findings, the cambrian explosion, the history, the table per
        organisation (sortable) and the other charts."""
        site, figures = self.site, self.site.figures
        rows = organisation_rows(figures, site.tables["organisations"], site.tables["timeline"])
        for row in rows:
            page = self.names.get(row["login"].casefold())
            row["href"] = page.path if page else None
            row["name"] = one_line(row["name"])
        return self.page("index.html", "index.html.j2", "Home",
                         findings=[markdown_html(line) for line in
                                   findings(figures, site.language_groups)],
                         organisations=rows,
                         headline=[c for c in map(self.chart, HOME_CHARTS) if c],
                         more=[c for c in map(self.chart, MORE_CHARTS) if c])  # fmt: skip

    def repositories(self) -> bytes:
        """The repositories page: the search form, its filters and the organisation list."""
        current = self.rows.loc[~self.rows["removed"], ["key", "language", "licence"]]
        counts = current["key"].value_counts().to_dict()
        organisations = [{"page": page, "count": int(counts.get(page.key, 0))}
                         for page in self.pages]  # fmt: skip
        return self.page("repositories.html", "repositories.html.j2", "Repositories",
                         organisations=organisations, total=len(current),
                         languages=choices(current["language"]),
                         licences=choices(current["licence"]),
                         index_file=INDEX_FILE)  # fmt: skip

    def topics(self) -> bytes:
        """The topics page: the chart and every topic, each a link to its search."""
        return self.page("topics.html", "topics.html.j2", "Topics",
                         topic_chart=self.chart("topics"),
                         every=topics_table(self.site.figures, top=None))  # fmt: skip

    def languages(self) -> bytes:
        """The languages and licences page."""
        charts = [c for c in map(self.chart, ("languages", "licenses")) if c]
        return self.page("languages.html", "languages.html.j2", "Languages and licences",
                         charts=charts)  # fmt: skip

    def history(self) -> bytes:
        """The history page: the true history, imported series labelled."""
        history = self.site.tables["organisation_history"]
        return self.page("history.html", "history.html.j2", "History",
                         history_chart=self.chart("history"), has_history=has_history(history),
                         table=self.tables["history"]() if len(history) and not
                         has_history(history) else None)  # fmt: skip

    def data(self) -> bytes:
        """The data page: every CSV, the descriptor, the data dictionary and the recipes."""
        from oshs.schema import TABLES

        resources = _resources(self.site)
        return self.page("data.html", "data.html.j2", "Data", resources=resources,
                         dictionary=list(TABLES.values()),
                         recipes=recipes(self.site.package_link, resources))  # fmt: skip

    def about(self) -> bytes:
        """The about page: method, definitions, caveats, provenance, version, and the link to
        the changelog (not its versions: they depend on the order releases were published in,
        and the site, like the tables, does not)."""
        sources = [{"title": one_line(s.get("title") or ""), "href": https_target(s.get("path"))}
                   for s in self.site.descriptor.get("sources", [])]  # fmt: skip
        return self.page("about.html", "about.html.j2", "About", sources=sources,
                         not_collected=self.site.provenance.not_collected,
                         coverage=self.site.provenance.coverage())  # fmt: skip

    def organisation(self, page: OrganisationPage, context: dict[str, Any]) -> bytes:
        """The page of one organisation."""
        return self.page(page.path, "organisation.html.j2", page.name, organisation=page,
                         **context)  # fmt: skip


def _names(figures: Figures) -> dict[str, str]:
    """Display names by case-folded login."""
    from oshs.figures import organisation_names

    return organisation_names(figures.tables["organisations"])


def chartless_files(renderer: Renderer) -> Iterator[tuple[str, bytes]]:
    """The generated files that show no chart, one at a time (path, bytes): the repositories
    page and its search index, data, about and every organisation's page."""
    site = renderer.site
    yield "repositories.html", renderer.repositories()
    yield INDEX_FILE, search_index(renderer.rows, renderer.pages)  # hands back what it frees
    yield "data.html", renderer.data()
    yield "about.html", renderer.about()
    contexts = organisation_contexts(site.figures, renderer.rows, site.tables,
                                     site.language_groups)  # fmt: skip
    for page in renderer.pages:
        yield page.path, renderer.organisation(page, contexts.get(page.key, {}))


def chart_files(renderer: Renderer) -> Iterator[tuple[str, bytes]]:
    """The pages that show the charts (`Renderer.use_charts`): home, topics, languages and
    licences, history."""
    yield "index.html", renderer.home()
    yield "topics.html", renderer.topics()
    yield "languages.html", renderer.languages()
    yield "history.html", renderer.history()
