"""oshs.site: the website of a tiny release, rendered to bytes: every page there, labelled,
escaped, linked only within itself (or to https), the same bytes twice; its parts."""

from __future__ import annotations

import json
import posixpath
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_charts import DAY, HOSTILE_ORGANISATION, SAMPLE, tiny_tables

from oshs.charts import CHART_NAMES
from oshs.provenance import NotCollected, Provenance
from oshs.site import site_files, static_files
from oshs.site.index import INDEX_FILE
from oshs.site.markup import markdown_html
from oshs.site.model import slug
from oshs.site.pages import ChartRef
from oshs.site.recipes import recipes
from oshs.text import MarkdownSafe, escape_markdown

DESCRIPTOR = {
    "title": "Test package",
    "version": "1.2.0",
    "sources": [{"title": "GitHub API", "path": "https://api.github.com"},
                {"title": "javascript", "path": "javascript:alert(1)"}],
    "resources": [{"name": name, "path": f"outputs/data/{name}.csv", "title": f"{name} table"}
                  for name in ("organisations", "repositories", "topics")],
}  # fmt: skip
PAGES = {"index.html", "repositories.html", "topics.html", "languages.html", "history.html",
         "data.html", "about.html", "organisations/evil.html", "organisations/nhsengland.html",
         "organisations/nhsx.html", INDEX_FILE}  # fmt: skip


def render(tmp_path: Path, provenance: Provenance = SAMPLE) -> dict[str, bytes]:
    """The site of the tiny release, as `oshs.render` lays it out under `tmp_path`."""
    charts = [ChartRef(name, f"SAMPLE DATA: {name} title", f"{name} alt <b>")
              for name in CHART_NAMES]  # fmt: skip
    out = tmp_path / "outputs"
    return site_files(tiny_tables(), DESCRIPTOR, provenance=provenance, charts=charts,
                      site_dir=out / "site", package_path=tmp_path / "datapackage.json",
                      charts_dir=out / "charts")  # fmt: skip


class Links(HTMLParser):
    """Every `href` and `src`, every `<script>` and its attributes, of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value or "" for name, value in attrs if name in {"href", "src"}]
        if tag == "script":
            self.scripts.append(dict(attrs))


def parse(html: bytes) -> Links:
    """The links and scripts of a page."""
    parser = Links()
    parser.feed(html.decode("utf-8"))
    return parser


def test_every_page_is_written_the_same_twice_and_labelled(tmp_path: Path) -> None:
    files = render(tmp_path)
    assert set(files) >= PAGES
    assert {f"assets/{name}" for name in static_files()} <= set(files)
    assert files == render(tmp_path)
    for path, data in files.items():
        if path.endswith(".html"):
            text = data.decode("utf-8")
            assert text.startswith('<!DOCTYPE html>\n<html lang="en-GB">')
            assert "SAMPLE DATA" in text and "<main" in text, path
            assert text.count("<h1") == 1, path


def test_text_from_github_is_escaped_everywhere(tmp_path: Path) -> None:
    files = render(tmp_path)
    for path, data in files.items():
        if not path.endswith(".html"):
            continue
        text = data.decode("utf-8")
        assert "<script>alert" not in text and "<b>Go</b>" not in text, path
        assert "<img src=x>" not in text and "<b>" not in text, path
        scripts = parse(data).scripts
        assert scripts and all(script.get("src") for script in scripts), path
    evil = files["organisations/evil.html"].decode("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Trust" in evil
    assert "&lt;b&gt;Go&lt;/b&gt;" in evil
    assert "&lt;img src=x&gt;" in files["topics.html"].decode("utf-8")
    index = files[INDEX_FILE].decode("ascii")
    document = json.loads(index.removeprefix("window.OSHS_INDEX = ").removesuffix(";\n"))
    assert HOSTILE_ORGANISATION in [name for _, name in document["organisations"]]
    assert "<b>Go</b>" in document["languages"]


def test_links_stay_in_the_site_or_go_to_https(tmp_path: Path) -> None:
    files = render(tmp_path)
    published = {"outputs/site/" + path for path in files} | {"datapackage.json"}
    published |= {f"outputs/data/{r['name']}.csv" for r in DESCRIPTOR["resources"]}
    published |= {
        f"outputs/charts/{name}.{kind}" for name in CHART_NAMES for kind in ("svg", "png")
    }
    published.add("outputs/CHANGELOG.md")
    for path, data in files.items():
        if not path.endswith(".html"):
            continue
        for link in parse(data).links:
            if link.startswith(("https://", "#")):
                continue
            target = link.split("#")[0].split("?")[0]
            resolved = posixpath.normpath(posixpath.join("outputs/site", posixpath.dirname(path),
                                                         target))  # fmt: skip
            assert resolved in published, (path, link)
    assert "javascript:" not in files["about.html"].decode("utf-8")


def test_a_partial_collection_is_said_on_every_page(tmp_path: Path) -> None:
    provenance = Provenance(DAY, False, 4, (NotCollected("ghost", "Ghost <Trust>", "404"),))
    files = render(tmp_path, provenance)
    for path, data in files.items():
        if path.endswith(".html"):
            text = data.decode("utf-8")
            assert "Partial collection: 3 of 4 organisations collected on 2025-10-13" in text
            assert "SAMPLE DATA" not in text and "Ghost &lt;Trust&gt;" in text, path


def test_the_data_page_links_every_file_and_the_dictionary(tmp_path: Path) -> None:
    text = render(tmp_path)["data.html"].decode("utf-8")
    for name in ("organisations", "repositories", "topics"):
        assert f'href="../../outputs/data/{name}.csv"' in text
    assert 'href="../../datapackage.json"' in text
    assert "<code>removed</code>" in text and "<code>stars</code>" in text


def test_markdown_html_converts_only_escaped_markdown() -> None:
    line = MarkdownSafe(f"**{escape_markdown('<b>x</b> *y* a@b.example')}** and `code`")
    assert markdown_html(line) == (
        "<strong>&lt;b&gt;x&lt;/b&gt; *y* a<span>@</span>b.example</strong> and <code>code</code>"
    )
    with pytest.raises(TypeError):
        markdown_html("<b>raw</b>")  # type: ignore[arg-type]


def test_slugs_are_file_names_and_stay_unique() -> None:
    assert slug("NHSDigital") == "nhsdigital"
    odd = slug("../évil")
    assert "/" not in odd and odd.startswith("-vil-"[1:]) and odd != slug("..-évil")


def test_recipes_use_the_package_paths_or_safe_defaults() -> None:
    resources = [{"name": "repositories", "href": "../../outputs/data/repositories.csv"}]
    code = "\n".join(recipe.code for recipe in recipes("../../datapackage.json", resources))
    assert 'pd.read_csv("outputs/data/repositories.csv"' in code
    assert 'Package("datapackage.json")' in code
    hostile = [{"name": "repositories", "href": '../x");import os;("'}]
    code = "\n".join(recipe.code for recipe in recipes('../"p.json', hostile))
    assert "import os" not in code and '"p.json' not in code


def test_without_javascript_the_repositories_page_leads_to_every_full_table(tmp_path: Path) -> None:
    files = render(tmp_path)
    page = files["repositories.html"].decode("utf-8")
    assert '<form class="oshs-search" id="repository-search" role="search"' in page
    assert "hidden>" in page.split('id="repository-search"')[1].split("\n")[0]  # shown by JS
    assert "<noscript>" in page
    repositories = tiny_tables()["repositories"]
    for name in ("evil", "nhsengland", "nhsx"):
        assert f'href="organisations/{name}.html"' in page
        table = files[f"organisations/{name}.html"].decode("utf-8")
        assert table.count('<tr id="r-') == int((repositories["organisation"] == name).sum())
    evil = files["organisations/evil.html"].decode("utf-8")
    assert '<tr id="r-9">' in evil and "&lt;img src=x&gt;" in evil


def test_a_gitlab_group_links_to_its_page_on_gitlab():
    from oshs.site.organisation import _about

    about = _about({"platform": "gitlab", "login": "gitlab:nhsbsa",
                    "html_url": "https://gitlab.com/groups/nhsbsa"})  # fmt: skip
    assert (about["handle"], about["host"], about["github"]) == (
        "nhsbsa", "GitLab", "https://gitlab.com/groups/nhsbsa")  # fmt: skip
