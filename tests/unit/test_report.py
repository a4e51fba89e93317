"""Tests of oshs.report: the whole README for a tiny input, and escaping of hostile strings."""

from __future__ import annotations

import pandas as pd
import pytest
from jinja2 import UndefinedError

from oshs import report
from oshs.errors import ReportError
from oshs.provenance import build_provenance
from oshs.report import https_url, render_report
from oshs.schema import TABLES as SCHEMA
from oshs.tables import typed
from oshs.text import MarkdownSafe, escape_markdown

CHARTS = [("charts/cambrian-explosion.svg", "Cumulative public repositories by language")]


def tables() -> dict[str, pd.DataFrame]:
    """Three organisations: one ordinary, one without https URLs or counts, one hostile."""
    organisations = pd.DataFrame(
        {
            "login": ["evil", "nhsengland", "nhsx"],
            "name": ["<img src=x onerror=alert(1)> | pipe", "NHS England", None],
            "id": pd.array([3, 1, 2], dtype="Int64"),
            "description": [None, "The NHS in England", None],
            "html_url": [
                "javascript:alert(1)",
                "https://github.com/nhsengland",
                "http://github.com/nhsx",
            ],
            "website": [
                "javascript:alert(1)",
                "https://www.england.nhs.uk/",
                "http://nhsx.example",
            ],
            "location": [None, "England", None],
            "created_at": ["2020-01-01T00:00:00Z", "2014-03-05T10:00:00Z", "2019-01-01T00:00:00Z"],
            "is_verified": pd.array([False, True, None], dtype="boolean"),
            "public_repositories": pd.array([0, 2, 1], dtype="Int64"),
            "collected_on": ["2025-10-01", "2025-10-06", "2025-10-06"],
            "stale": pd.array([True, False, False], dtype="boolean"),
        }
    )
    repositories = pd.DataFrame(
        {
            "id": pd.array([11, 12, 13, 21], dtype="Int64"),
            "organisation": ["nhsengland", "nhsengland", "nhsengland", "nhsx"],
            "name": ["a", "b", "gone", "c"],
            "stars": pd.array([1000, 234, 5, 7], dtype="Int64"),
            "forks": pd.array([12, 0, 1, 2], dtype="Int64"),
            "open_issues": pd.array([3, None, 1, None], dtype="Int64"),
            "open_pull_requests": pd.array([1, 2, 0, None], dtype="Int64"),
            "archived": pd.array([False, True, False, False], dtype="boolean"),
            "removed": pd.array([False, False, True, False], dtype="boolean"),
            "created_at": ["2016-05-01T10:00:00Z", "2018-02-03T10:00:00Z",
                           "2017-01-01T10:00:00Z", "2019-06-01T10:00:00Z"],
            "pushed_at": ["2025-09-30T10:00:00Z", "2020-01-01T10:00:00Z", None,
                          "2025-01-01T10:00:00Z"],
            "language": ["Python", "R", "R", None],
            "license": ["MIT", None, "MIT", "NOASSERTION"],
            "license_name": ["MIT License", None, "MIT License", "Other"],
            "has_readme": pd.array([True, False, True, None], dtype="boolean"),
        }
    )  # fmt: skip
    timeline = pd.DataFrame(
        {
            "date": ["2016-05-01", "2018-02-03", "2019-06-01", "2017-01-01"],
            "organisation": ["nhsengland", "nhsengland", "nhsx", "nhsengland"],
            "new_repositories": pd.array([1, 1, 1, 1], dtype="Int64"),
            "cumulative_repositories": pd.array([1, 3, 1, 2], dtype="Int64"),
            "top_language": ["R", "Python", None, "R"],
            "top_license": ["MIT", "MIT", "none", "MIT"],
        }
    )
    frames = {"organisations": organisations, "repositories": repositories, "timeline": timeline}
    return {name: typed(frame, SCHEMA[name]) for name, frame in frames.items()}


DESCRIPTOR = {
    "name": "nhs-open-source-statistics",
    "title": "Open-source statistics of NHS organisations",
    "version": "1.2.0",
    "created": "2025-10-06T00:00:00Z",
    "resources": [
        {
            "name": "organisations",
            "path": "outputs/data/organisations.csv",
            "title": "Organisations",
        },
        {"name": "repositories", "path": "outputs/data/repositories.csv"},
        {"name": "remote", "path": "https://example.org/x.csv"},
    ],
}


EXPECTED = """\
# Open-source statistics of NHS organisations

**Partial collection: 2 of 3 organisations collected on 2025-10-06.** Not collected: &lt;img src=x onerror=alert\\(1\\)&gt; \\| pipe (`evil`): reason not recorded \\(only marked stale in the published data\\), figures as last collected on 2025-10-01.

Data package version **1.2.0**, collected on **2025-10-06**:
3 public repositories of 3 GitHub organisations.

## Findings

- **3 public repositories** of **3 organisations** as collected on 2025-10-06; 1 more was seen earlier and has since been removed.
- **0 (0%)** were created in the 12 months to 2025-10-06.
- **Leading languages**: Python 33% (1), R 33% (1) of all repositories, by primary language; 1 has none.
- **67% have a licence** (2): MIT License 33%; 1 (33%) one GitHub could not identify; 1 (33%) none.
- **67% are active** (2: pushed to in the 12 months to 2025-10-06, not archived), 33% in the last 90 days; 1 (33%) is archived.
- **1,241 stars** and 14 forks in all; the most stars: NHS England (1,234).
- **Community files**: README 50%.

## Charts

Each chart is an SVG (with a title and a description stating its figures, for screen readers)
and a PNG of the same name.

![Cumulative public repositories by language](charts/cambrian-explosion.svg)

## Summary by organisation

| Organisation | Repositories | Stars | Forks | Open issues | Open pull requests | % licensed | % active | Top language | Top licence | Website | Stale |
| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :--- | :--- | :--- | :--- |
| [NHS England](https://github.com/nhsengland) | 2 | 1,234 | 12 | ≥ 3 | 3 | 50% | 50% | Python | MIT | [www\\.england.nhs.uk](https://www.england.nhs.uk/) | no |
| nhsx | 1 | 7 | 2 | – | – | 100% | 100% | – | none | http\\://nhsx.example | no |
| &lt;img src=x onerror=alert\\(1\\)&gt; \\| pipe | 0 | 0 | 0 | 0 | 0 | – | – | – | – | javascript:alert\\(1\\) | yes, last collected 2025-10-01 |
| **Total** | **3** | **1,241** | **14** | **≥ 3** | **≥ 3** | **67%** | **67%** | | | | |

## Organisations not collected

2 of 3 organisations collected on 2025-10-06. These were not:

| Organisation | Login | Reason | Figures shown |
| :--- | :--- | :--- | :--- |
| &lt;img src=x onerror=alert\\(1\\)&gt; \\| pipe | evil | reason not recorded \\(only marked stale in the published data\\) | as last collected on 2025-10-01 |

## About the numbers

- **Repositories** are the public repositories of each organisation at its latest collection.
  Forks are left out unless the publisher's configuration includes them; archived repositories
  are counted. A repository that has disappeared stays in the data, marked as removed, but is
  not counted here.
- **Stars**, **forks** and **open issues** are the counts as collected on each organisation's
  latest collection date, not a history: `organisation_history.csv` has them per collection date.
- **Open issues** do not include pull requests, which are counted separately as **open pull
  requests**. Both are blank in the data when GitHub did not report them (for example when
  collected over the REST API without enrichment).
- **% licensed**: repositories with a licence GitHub detects, including one it could not
  identify (`NOASSERTION` in the data). **% active**: repositories pushed to in the 12 months
  to the collection date, archived ones excluded.
- **Top language** and **top licence** are the most common primary language and licence among
  all the repositories an organisation has created (as in `timeline.csv`); repositories without
  a licence count as "none".
- **Stale** organisations could not be collected this time: their figures are carried forward
  from their last successful collection.
- – means not known; ≥ marks a total of the known values only, where some values are not known.

## Using the data

Paths are relative to the [data package descriptor](../datapackage.json); a published
package can be read the same way from its raw URL, pinned to a version by its `data-v<version>` tag.

- **Python** (pandas, with the types of the descriptor, through frictionless):
  `from frictionless import Package; repositories = Package("datapackage.json").get_resource("repositories").to_pandas()`,
  or plainly `pandas.read_csv("outputs/data/repositories.csv", dtype={"description": "string"})`.
- **DuckDB**: `SELECT organisation, count(*) AS repositories FROM read_csv('outputs/data/repositories.csv') WHERE NOT removed GROUP BY organisation ORDER BY repositories DESC;`
- **R**: `library(frictionless); package <- read_package("datapackage.json"); repositories <- read_resource(package, "repositories")`,
  or `readr::read_csv("outputs/data/repositories.csv")`.
- **Excel**: use *Data › From Text/CSV* and set the columns to *Text* before loading (not a
  double-click on the file): descriptions come from GitHub as written, and one that begins with
  `=` would otherwise be read as a formula; ids keep all their digits.

## What each table means

- `organisations.csv`: one row per organisation; `stale` is true when it was not collected at
  the latest collection and its figures are carried forward.
- `repositories.csv`: one row per public repository ever seen; `removed` is true for one that
  has gone since (it is not counted in the figures above).
- `languages.csv`: bytes of code per language per repository; `topics.csv`: one row per topic
  per repository.
- `timeline.csv`: repositories created per organisation per day, with running totals. It counts
  every repository ever published, removed ones included, so its totals can exceed the
  repositories public today.
- `organisation_history.csv`: **the totals per day**: per organisation and collection date,
  its repositories, stars, forks, open issues and pull requests, archived and removed. Sum it by
  `collected_on` for the totals of all organisations on a day.
- `repository_history.csv`: **changes only**: a row when a repository is first seen and on each
  later date on which one of its counts changed. Summing it by date does not give that day's
  totals: a repository's value on a date is
  that of its latest row on or before the date, and the totals per day are in
  `organisation_history.csv`.

## Data

The [data package descriptor](../datapackage.json) is the data dictionary: every
table, column, type, constraint and description. The tables (CSV, UTF-8):

- [organisations.csv](../outputs/data/organisations.csv): Organisations
- [repositories.csv](../outputs/data/repositories.csv)
"""  # noqa: E501


def test_whole_report_for_a_tiny_input():
    assert render_report(tables(), descriptor=DESCRIPTOR, charts=CHARTS) == EXPECTED


def test_long_names_are_cut_to_80_characters_before_escaping():
    frame = tables()
    frame["organisations"].loc[1, "name"] = "<" * 1000
    text = render_report(frame, descriptor=DESCRIPTOR, charts=[])
    assert "| [" + "&lt;" * 79 + "…](https://github.com/nhsengland) | 2 |" in text


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "http://example.org",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/",
        "https://",
        "https:///path",
        "https://user@evil.example/",
        "https://evil.example/a b",
        "https://evil.example/\u202e",
        "/relative",
        None,
        pd.NA,
    ],
)
def test_only_https_urls_become_links(url):
    assert https_url(url) is None
    frame = tables()
    frame["organisations"].loc[1, ["html_url", "website"]] = [url, url]
    text = render_report(frame, descriptor=DESCRIPTOR, charts=[])
    row = next(line for line in text.splitlines() if line.startswith("| NHS England |"))
    assert "](" not in row
    assert "<" not in row.replace("<span>@</span>", "")


def test_https_links_are_quoted_for_markdown():
    assert https_url("https://github.com/nhsengland") == "https://github.com/nhsengland"
    assert https_url("https://x.example/a(b)|c?d=1&e=<f>") == (
        "https://x.example/a%28b%29%7Cc?d=1&amp;e=%3Cf%3E"
    )
    assert report._link("a | b", "https://x.example/") == "[a \\| b](https://x.example/)"
    assert report._link("a | b", "http://x.example/") == "a \\| b"
    assert report._website("https://www.england.nhs.uk/") == (
        "[www\\.england.nhs.uk](https://www.england.nhs.uk/)"
    )


def test_escaping_is_the_default_in_templates():
    environment = report._environment()
    hostile = "<img src=x onerror=alert(1)> | [x](javascript:alert(1))"
    assert environment.from_string("{{ value }}").render(value=hostile) == escape_markdown(hostile)
    assert environment.from_string("{{ value | trusted }}").render(value="**ok**") == "**ok**"
    assert environment.from_string("{{ value }}").render(value=MarkdownSafe("**ok**")) == "**ok**"
    assert environment.from_string("{{ value }}").render(value=None) == "–"
    with pytest.raises(UndefinedError):
        environment.from_string("{{ missing }}").render()


def test_chart_alt_text_and_paths_are_escaped_and_relative():
    text = render_report(
        tables(), descriptor=DESCRIPTOR, charts=[("charts/a b.svg", "[alt](x) by a@b.example")]
    )
    assert "![\\[alt\\]\\(x\\) by a\\@b.example](charts/a%20b.svg)" in text
    with pytest.raises(ReportError) as caught:
        render_report(tables(), descriptor=DESCRIPTOR, charts=[("javascript:alert(1)", "x")])
    assert caught.value.message == (
        "report link 'javascript:alert(1)': expected a relative path to a file"
    )


def test_numbers_missing_values_and_partial_totals():
    assert report._number(1234567) == "1,234,567"
    assert report._number(pd.NA) == "–"
    assert report._number(report.Count(10, 2, 0)) == "10"
    assert report._number(report.Count(10, 2, 1)) == "≥ 10"
    assert report._number(report.Count(0, 0, 3)) == "–"
    assert report._number(report.Count()) == "0"


def test_package_link_and_resource_paths_follow_the_caller():
    text = render_report(
        tables(), descriptor=DESCRIPTOR, charts=[], package_link="datapackage.json"
    )
    assert "[data package descriptor](datapackage.json)" in text
    assert "- [organisations.csv](outputs/data/organisations.csv): Organisations\n" in text
    assert "example.org" not in text
    assert text.endswith(")\n") and not text.endswith("\n\n")


def test_rest_collection_without_counts_and_empty_tables():
    frame = tables()
    for column in ("open_issues", "open_pull_requests"):
        frame["repositories"][column] = pd.array([None] * 4, dtype="Int64")
    text = render_report(frame, descriptor=DESCRIPTOR, charts=[])
    assert (
        "| **Total** | **3** | **1,241** | **14** | **–** | **–** | **67%** | **67%** | | | | |"
        in (text)
    )
    empty = {name: table.iloc[0:0] for name, table in tables().items()}
    text = render_report(empty, descriptor=DESCRIPTOR, charts=[])
    assert "collected on **2025-10-06**" in text
    assert "| **Total** | **0** | **0** | **0** | **0** | **0** | **–** | **–** | | | | |" in text


def test_sample_data_is_said_first():
    sources = [{"title": "oshs GitHub API sandbox (bundled sample data, not GitHub)",
                "path": "http://127.0.0.1/"}]  # fmt: skip
    text = render_report(tables(), descriptor={**DESCRIPTOR, "sources": sources}, charts=[])
    assert text.splitlines()[:3] == [
        "# SAMPLE DATA: Open-source statistics of NHS organisations",
        "",
        "**SAMPLE DATA**: invented repositories shaped on published counts, served by the oshs "
        "GitHub API sandbox; not figures from GitHub.",
    ]
    titled = {**DESCRIPTOR, "sources": sources, "title": "SAMPLE DATA: Flagship"}
    assert render_report(tables(), descriptor=titled, charts=[]).startswith(
        "# SAMPLE DATA: Flagship\n\n**SAMPLE DATA**: "
    )


def test_a_partial_run_names_every_organisation_not_collected_and_why():
    frame = tables()
    provenance = build_provenance(
        "2025-10-06",
        sources=[],
        organisations=frame["organisations"].to_dict("records"),
        failed={"ghost": "404 Not Found", "EVIL": "rate limit: 0 requests left | *reset* later"},
        configured=["nhsengland", "nhsx", "evil", "ghost"],
        names={"ghost": "Ghost Trust"},
    )
    text = render_report(frame, descriptor=DESCRIPTOR, charts=[], provenance=provenance)
    assert text.splitlines()[2] == (
        "**Partial collection: 2 of 4 organisations collected on 2025-10-06.** Not collected: "
        "&lt;img src=x onerror=alert\\(1\\)&gt; \\| pipe (`evil`): rate limit: 0 requests left "
        "\\| \\*reset\\* later, figures as last collected on 2025-10-01; Ghost Trust (`ghost`): "
        "404 Not Found, never collected, not in the figures."
    )
    section = text[text.index("## Organisations not collected") : text.index("## About")]
    assert section.splitlines()[2:7] == [
        "2 of 4 organisations collected on 2025-10-06. These were not:",
        "",
        "| Organisation | Login | Reason | Figures shown |",
        "| :--- | :--- | :--- | :--- |",
        "| &lt;img src=x onerror=alert\\(1\\)&gt; \\| pipe | evil | rate limit: 0 requests left "
        "\\| \\*reset\\* later | as last collected on 2025-10-01 |",
    ]
    assert "| Ghost Trust | ghost | 404 Not Found | none (never collected) |" in section


def test_the_report_shows_what_summing_repository_history_gets_wrong():
    frame = tables()
    frame["repository_history"] = typed(pd.DataFrame({
        "collected_on": ["2025-10-01", "2025-10-06", "2025-10-06"],
        "repository_id": [11, 11, 21], "stars": [900, 1000, 7]}),
        SCHEMA["repository_history"])  # fmt: skip
    frame["organisation_history"] = typed(pd.DataFrame({
        "collected_on": ["2025-10-06", "2025-10-06"], "organisation": ["nhsengland", "nhsx"],
        "repositories": [2, 1], "stars": [1234, 7], "archived": [1, 0], "removed": [1, 0]}),
        SCHEMA["organisation_history"])  # fmt: skip
    text = render_report(frame, descriptor=DESCRIPTOR, charts=[])
    assert (
        "totals (the stars of its 2 rows dated 2025-10-06 add up to\n  1,007; the total that day "
        "was 1,241): a repository's value" in text
    )
