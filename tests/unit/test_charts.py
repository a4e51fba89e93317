"""Tests of oshs.charts: every chart's `<title>` and `<desc>` against the tables they draw,
labels of provenance, escaping, mathtext off, honest scales, determinism of SVG and PNG, and no
global state leaked.

The charts of one tiny release (`TABLES`, below) are drawn once per module (`drawn`); each
figure in the expected descriptions is counted by hand from those rows.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from oshs import charts
from oshs.charts import cambrian, common, history, parallel
from oshs.errors import ChartError
from oshs.figures import Figures
from oshs.provenance import NotCollected, Provenance
from oshs.schema import TABLES as SCHEMA
from oshs.tables import typed

DAY = "2025-10-13"
SVG_NS = "{http://www.w3.org/2000/svg}"
SAMPLE = Provenance(DAY, sample=True, organisations=3)
REAL = Provenance(DAY, sample=False, organisations=3)
SAMPLE_LINE = (
    "SAMPLE DATA: invented repositories shaped on published counts, not figures from GitHub"
)
FILES = ("has_readme", "has_license_file", "has_contributing", "has_code_of_conduct",
         "has_security_policy", "has_citation")  # fmt: skip

# id, organisation, created, pushed, language, licence (SPDX, name), stars, archived, removed,
# community files (README, LICENSE, CONTRIBUTING, CODE_OF_CONDUCT, SECURITY, CITATION), topics
REPOSITORIES = [
    (1, "nhsengland", "2016-03-01", "2025-10-01", "Python", ("MIT", "MIT License"), 10, False,
     False, "TTTFFF", "nhs;python"),
    (2, "nhsengland", "2019-05-01", "2025-01-10", "R", ("MIT", "MIT License"), 5, False, False,
     "TTFFFF", "nhs;r"),
    (3, "nhsengland", "2020-01-01", "2021-01-01", "Python", ("NOASSERTION", "Other"), 0, False,
     False, "TFFFFF", ""),
    (4, "nhsengland", "2024-11-01", "2025-10-10", None, (None, None), 1, False, False, "FFFFFF",
     ""),
    (5, "nhsengland", "2021-06-01", "2022-01-01", "Python", ("Apache-2.0", "Apache License 2.0"),
     3, True, False, "TTFFFT", ""),
    (6, "nhsengland", "2018-01-01", "2018-01-01", "Python", ("MIT", "MIT License"), 100, False,
     True, "TTTTTT", "nhs"),
    (7, "nhsx", "2020-07-01", "2025-09-01", "R", ("MIT", "MIT License"), 20, False, False,
     "TTTTTF", "nhs"),
    (8, "nhsx", "2025-02-01", "2025-06-01", "Jupyter Notebook", (None, None), 0, False, False,
     "TFFFFF", ""),
    (9, "evil", "2022-02-02", "2023-01-01", "<b>Go</b>",
     ("GPL-3.0", "GNU General Public License v3.0"), 2, False, False, "FTFFFF", "<img src=x>"),
]  # fmt: skip
BYTES = [(1, "Python", 1000), (1, "HTML", 200), (2, "R", 500), (3, "Python", 300),
         (5, "Python", 100), (6, "Python", 99999), (7, "R", 250), (7, "Python", 50),
         (8, "Jupyter Notebook", 400), (9, "<b>Go</b>", 100)]  # fmt: skip
HOSTILE_ORGANISATION = "<script>alert(1)</script> Trust"


def organisation_history(dates: list[str], source: str | None = None) -> pd.DataFrame:
    """Three organisations per date, counts growing; `source` column when given."""
    rows = []
    for n, day in enumerate(dates):
        for number, login in enumerate(("evil", "nhsengland", "nhsx")):
            rows.append({"collected_on": day, "organisation": login, "repositories": 2 + number,
                         "stars": 10 * number + n, "forks": number, "open_issues": n,
                         "open_pull_requests": 0, "archived": 0, "removed": 0})  # fmt: skip
    frame = typed(pd.DataFrame(rows), SCHEMA["organisation_history"])
    if source is not None:
        frame["source"] = source
        frame["includes_forks"] = source != "oshs"
        frame["open_issues_include_pull_requests"] = source != "oshs"
    return frame


def tiny_tables() -> dict[str, pd.DataFrame]:
    """The published tables of a tiny release collected on `DAY` (typed as published)."""
    repositories = pd.DataFrame(
        [
            {"id": rid, "organisation": login, "name": f"r{rid}", "full_name": f"{login}/r{rid}",
             "created_at": f"{created}T10:00:00Z", "pushed_at": f"{pushed}T10:00:00Z",
             "language": language, "license": spdx, "license_name": name, "stars": stars,
             "forks": 1, "archived": archived, "removed": removed, "topics": topics or None,
             "first_seen": "2025-10-06", "last_seen": DAY,
             **{column: flag == "T" for column, flag in zip(FILES, files, strict=True)}}
            for rid, login, created, pushed, language, (spdx, name), stars, archived, removed,
            files, topics in REPOSITORIES
        ]
    )  # fmt: skip
    topics = [(rid, topic) for rid, *_, text in REPOSITORIES for topic in text.split(";") if text]
    organisations = pd.DataFrame(
        {"login": ["evil", "nhsengland", "nhsx"],
         "name": [HOSTILE_ORGANISATION, "NHS England", None],
         "collected_on": [DAY] * 3, "stale": [False] * 3}
    )  # fmt: skip
    frames = {
        "organisations": organisations,
        "repositories": repositories,
        "languages": pd.DataFrame(BYTES, columns=["repository_id", "language", "bytes"]),
        "topics": pd.DataFrame(topics, columns=["repository_id", "topic"]),
        "timeline": pd.DataFrame(columns=["date", "organisation"]),
        "organisation_history": organisation_history(["2025-10-06", DAY]),
        "repository_history": pd.DataFrame(columns=["collected_on", "repository_id"]),
    }
    return {name: typed(frame, SCHEMA[name]) for name, frame in frames.items()}


@pytest.fixture(scope="module")
def drawn() -> dict[str, charts.Chart]:
    """Every chart of the tiny release, drawn once, as sample data."""
    return {chart.name: chart for chart in charts.draw_charts(tiny_tables(), provenance=SAMPLE)}


def comments(svg: bytes) -> list[str]:
    """The texts drawn in the SVG (one `<text>` element per line)."""
    return ["".join(element.itertext()) for element in ET.fromstring(svg).iter(f"{SVG_NS}text")]


def title_and_desc(svg: bytes) -> tuple[str, str]:
    """The SVG's `<title>` and `<desc>`, the first two children of its root."""
    root = ET.fromstring(svg)
    first, second = list(root)[:2]
    assert (first.tag, second.tag) == (f"{SVG_NS}title", f"{SVG_NS}desc")
    return first.text or "", second.text or ""


def png_chunks(png: bytes) -> list[bytes]:
    """The chunk types of a PNG file."""
    chunks, at = [], 8
    while at < len(png):
        length = int.from_bytes(png[at : at + 4], "big")
        chunks.append(png[at + 4 : at + 8])
        at += 12 + length
    return chunks


def test_the_release_has_every_chart_in_the_report_order(drawn):
    assert list(drawn) == list(charts.CHART_NAMES)


def test_every_chart_is_titled_described_and_labelled_as_sample(drawn):
    for name, chart in drawn.items():
        title, desc = title_and_desc(chart.svg)
        assert (title, desc) == (chart.title, chart.description), name
        assert title.startswith("SAMPLE DATA: ") and title.endswith(DAY), name
        assert desc.startswith(SAMPLE_LINE + ". "), name
        assert SAMPLE_LINE in comments(chart.svg), name  # the visible line
        assert "SAMPLE DATA" in comments(chart.svg), name  # the watermark
        assert "Source: the oshs sample (invented), served by the oshs GitHub API sandbox and " \
            "collected on 2025-10-13. Not GitHub data." in comments(chart.svg), name  # fmt: skip
        assert chart.png.startswith(b"\x89PNG\r\n\x1a\n"), name


def test_the_descriptions_state_the_figures_of_the_tables(drawn):
    desc = {name: chart.description.removeprefix(SAMPLE_LINE + ". ")
            for name, chart in drawn.items()}  # fmt: skip
    # eight current repositories: ids 1-5 and 7-9 (6 is removed)
    assert desc["cambrian-explosion"] == (
        "Cumulative public repositories of 3 organisations by creation date, from 2016-03-01 to "
        "2025-10-13: 8 repositories public on 2025-10-13 (1 seen earlier and since removed are "
        "not counted). By primary language: Python 3 (37.5%), R 2 (25.0%), <b>Go</b> 1 (12.5%), "
        "Jupyter Notebook 1 (12.5%), No language 1 (12.5%)."
    )
    assert desc["languages"] == (
        "Languages of 8 public repositories collected on 2025-10-13. By primary language: "
        "Python 3 (37.5%), R 2 (25.0%), <b>Go</b> 1 (12.5%), Jupyter Notebook 1 (12.5%), "
        "No language 1 (12.5%). By bytes of code (2,900 bytes in all): Python 50.0%, R 25.9%, "
        "Jupyter Notebook 13.8%, HTML 6.9%, <b>Go</b> 3.4%."
    )
    assert desc["licenses"] == (
        "Licences of 8 public repositories collected on 2025-10-13: 6 (75.0%) have a licence "
        "(5 identified by GitHub, 1 not identified), 2 (25.0%) have none. By licence: MIT "
        "License 3 (37.5%), Apache License 2.0 1 (12.5%), GNU General Public License v3.0 1 "
        "(12.5%), Licence not identified by GitHub 1 (12.5%), No licence 2 (25.0%)."
    )
    assert desc["new-repositories-per-year"] == (
        "New public repositories per year of creation, of the 8 repositories public on "
        "2025-10-13 (2025 to 13 October only): 2016 1, 2017 0, 2018 0, 2019 1, 2020 2, 2021 1, "
        "2022 1, 2023 0, 2024 1, 2025 1. 2 were created in the 12 months to 2025-10-13."
    )
    assert desc["topics"] == (
        "GitHub topics of 8 public repositories collected on 2025-10-13: 4 (50.0%) have at least "
        "one topic; 4 different topics. The 4 most common, with repositories: nhs 3, "
        "<img src=x> 1, python 1, r 1."
    )


def test_the_organisation_charts_state_each_organisation(drawn):
    desc = {name: chart.description.removeprefix(SAMPLE_LINE + ". ")
            for name, chart in drawn.items()}  # fmt: skip
    assert desc["activity"] == (
        "Public repositories of 3 organisations by last push, relative to 2025-10-13: pushed in "
        "the last 90 days 3 (37.5%), pushed 91 days to 12 months ago 2 (25.0%), pushed over 12 "
        "months ago 2 (25.0%), archived 1 (12.5%). Per organisation: NHS England (5): 40% pushed "
        "in the last 90 days, 20% pushed 91 days to 12 months ago, 20% pushed over 12 months "
        "ago, 20% archived; nhsx (2): 50% pushed in the last 90 days, 50% pushed 91 days to 12 "
        "months ago, 0% pushed over 12 months ago, 0% archived; <script>alert(1)</script> Trust "
        "(1): 0% pushed in the last 90 days, 0% pushed 91 days to 12 months ago, 100% pushed "
        "over 12 months ago, 0% archived."
    )
    assert desc["organisations"] == (
        "8 public repositories, 1 (12%) of them archived (hatched), and 41 stars, as collected "
        "on 2025-10-13. Per organisation, most repositories first: NHS England 5 repositories "
        "(1 archived), 19 stars; nhsx 2 repositories (0 archived), 20 stars; "
        "<script>alert(1)</script> Trust 1 repositories (0 archived), 2 stars."
    )
    assert desc["community-files"].startswith(
        "Share of the 8 public repositories of 3 organisations with each community file, "
        "collected on 2025-10-13: README 75.0%, LICENSE 62.5%, CONTRIBUTING 25.0%, "
        "CODE_OF_CONDUCT 12.5%, SECURITY 12.5%, CITATION 12.5%. Per organisation: NHS England "
        "(5): README 80%, LICENSE 60%, CONTRIBUTING 20%, CODE_OF_CONDUCT 0%, SECURITY 0%, "
        "CITATION 20%;"
    )
    assert desc["repositories-by-organisation"] == (
        "Cumulative public repositories by creation date, to 2025-10-13, of 3 organisations "
        "(8 repositories): NHS England 5, nhsx 2, <script>alert(1)</script> Trust 1."
    )
    assert drawn["activity"].alt == desc["activity"].split(" Per organisation")[0].join(
        [SAMPLE_LINE + ". ", ""]
    )


def test_the_history_description_states_each_date(drawn):
    assert drawn["history"].description == (
        f"{SAMPLE_LINE}. Collected by oshs: 2 dates from 2025-10-06 to 2025-10-13, totals over 3 "
        "organisations per date. 2025-10-06: repositories 9, stars 30, forks 3, open issues 0; "
        "2025-10-13: repositories 9, stars 33, forks 3, open issues 3. Change from first to last "
        "date: repositories +0 (+0.0%), stars +3 (+10.0%), forks +0 (+0.0%), open issues +3."
    )


def test_licences_are_shown_in_words(drawn):
    labels = comments(drawn["licenses"].svg)
    assert {"No licence", "Licence not identified by GitHub", "MIT License"} <= set(labels)
    assert not [text for text in labels if "NOASSERTION" in text]


def test_github_text_is_escaped_in_svg(drawn):
    for name in ("organisations", "topics", "languages", "activity"):
        svg = drawn[name].svg
        assert b"<script" not in svg and b"<img" not in svg and b"<b>" not in svg, name
        assert not [element for element in ET.fromstring(svg).iter() if "script" in element.tag]
    assert b"&lt;script&gt;alert(1)&lt;/script&gt; Trust" in drawn["organisations"].svg
    assert b"&lt;img src=x&gt;" in drawn["topics"].svg


def test_png_twins_carry_no_software_or_time(drawn):
    for name, chart in drawn.items():
        chunks = png_chunks(chart.png)
        assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", name
        assert not {b"tIME", b"tEXt", b"iTXt", b"zTXt"} & set(chunks), name


def test_real_data_has_no_sample_label_and_a_partial_run_says_so():
    partial = Provenance(DAY, organisations=4, not_collected=(
        NotCollected("nhsx", "NHSX", "rate limit", "2025-10-06"),
        NotCollected("ghost", "ghost", "404 Not Found"),
    ))  # fmt: skip
    chart = charts.licenses_chart(tiny_tables(), provenance=partial)
    line = "Partial collection: 2 of 4 organisations collected on 2025-10-13; 1 shown as last " \
        "collected, 1 never collected, not shown"  # fmt: skip
    assert chart.title == "Licences of 8 public repositories, 2025-10-13"
    assert chart.description.startswith(line + ". Licences of 8 public repositories")
    assert line in comments(chart.svg)
    assert "SAMPLE DATA" not in chart.svg.decode()
    assert "Source: GitHub API, collected by oshs on 2025-10-13." in comments(chart.svg)


def test_svg_and_png_are_the_same_bytes_for_shuffled_rows():
    tables = tiny_tables()
    shuffled = {name: frame.sample(frac=1, random_state=3) for name, frame in tables.items()}
    first = charts.organisations_chart(tables, provenance=SAMPLE)
    again = charts.organisations_chart(shuffled, provenance=SAMPLE)
    assert (first.svg, first.png) == (again.svg, again.png)


def cambrian_svg() -> bytes:
    """The cambrian chart of the tiny release (also run in another process, see below)."""
    return charts.cambrian_explosion_chart(tiny_tables(), provenance=SAMPLE).svg


def test_other_hash_seed_and_time_zone_give_same_bytes():
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('t', {str(Path(__file__))!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "sys.stdout.buffer.write(module.cambrian_svg())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "TZ": "Pacific/Chatham"}
    env.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, check=True, timeout=120
    )
    assert result.stdout == cambrian_svg()


def test_no_date_and_no_version_in_metadata_and_a_font_everywhere(drawn):
    svg = drawn["cambrian-explosion"].svg
    assert b"<dc:date>" not in svg
    assert b"Matplotlib v" not in svg
    assert b"<dc:title>oshs</dc:title>" in svg
    families = set(re.findall(rb"font-family: ([^;\"]*)", svg))
    assert families == {b"'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif"}


def test_dollar_signs_do_not_trigger_mathtext_and_state_is_untouched():
    before = dict(matplotlib.rcParams)
    tables = tiny_tables()
    tables["repositories"]["language"] = pd.array(["$x$"] * 9, dtype="string")
    svg = charts.cambrian_explosion_chart(tables, provenance=REAL).svg
    assert "$x$ (8)" in comments(svg)  # the dollar signs are drawn...
    assert b"italic" not in svg and b"<tspan" not in svg  # ...and no math italic x
    assert dict(matplotlib.rcParams) == before
    assert matplotlib.rcParams["text.parse_math"] is True


def test_cambrian_axes_start_at_zero_and_end_at_collection():
    with matplotlib.rc_context(common.RC):
        figures = Figures(tiny_tables(), DAY)
        chart = cambrian._cambrian_figure(figures, {}, 3, REAL)
    assert chart.title == "8 public repositories of 3 organisations by creation date, 2025-10-13"
    assert "Cumulative, stacked by primary language (the 3 most common; the rest as \u201cOther" \
        "\u201d). Repositories public on 2025-10-13; 1 seen earlier and since removed are not" \
        in " ".join(comments(chart.svg))  # fmt: skip


def test_empty_tables_and_a_bad_date():
    empty = {name: frame.iloc[0:0] for name, frame in tiny_tables().items()}
    svg = charts.cambrian_explosion_chart(empty, provenance=REAL).svg
    assert "No public repositories" in comments(svg)
    with pytest.raises(ChartError) as caught:
        charts.cambrian_explosion_chart(tiny_tables(), provenance=Provenance("06/10/2025"))
    assert caught.value.message == (
        "chart date '06/10/2025': expected a collection date as YYYY-MM-DD"
    )


def test_labels_are_spread_apart_or_refused():
    assert common.spread([1.0, 1.0, 1.1, 50.0], gap=2.0, low=0.0, high=100.0) == [
        1.0, 3.0, 5.0, 50.0]  # fmt: skip
    assert common.spread([99.5, 99.6], gap=2.0, low=0.0, high=100.0) == [97.0, 99.0]
    assert common.spread([1.0] * 60, gap=2.0, low=0.0, high=100.0) is None
    assert common.two_lines("University of Oxford - Evidence-Based Medicine Data Lab") == (
        "University of Oxford -\nEvidence-Based Medicine Data Lab"
    )


def history_figure(frame: pd.DataFrame):
    """The history figure (not rendered) and its series."""
    series = history.history_series(frame)
    captured = {}

    def keep(figure, *args, **kwargs):
        captured["figure"] = figure
        return common.render(figure, *args, **kwargs)

    original = history.render
    history.render = keep
    try:
        chart = history.history_chart(frame, provenance=REAL)
    finally:
        history.render = original
    return captured["figure"], series, chart


def test_history_with_two_dates_labels_each_date_from_zero():
    figure, series, chart = history_figure(organisation_history(["2025-10-06", DAY]))
    assert [item.label for item in series] == ["oshs collections"]
    count_panels = figure.axes[:4]
    assert [axes.get_ylim()[0] for axes in count_panels] == [0, 0, 0, 0]
    ticks = [label.get_text() for label in count_panels[-1].get_xticklabels()]
    assert ticks == ["6 Oct 2025", "13 Oct 2025"]
    assert chart.title == "Repositories, stars, forks and open issues, 2025-10-06 to 2025-10-13"


def test_history_draws_imported_rows_as_their_own_labelled_series():
    days = pd.date_range("2021-03-01", "2025-09-30", freq="D").strftime("%Y-%m-%d").tolist()
    imported = organisation_history(days, source="nhsengland/open-health-statistics")
    own = organisation_history(["2025-10-06", DAY], source="oshs")
    figure, series, chart = history_figure(pd.concat([imported, own], ignore_index=True))
    label = "published by nhsengland/open-health-statistics; includes forks; open issues " \
        "include pull requests"  # fmt: skip
    assert [item.label for item in series] == ["oshs collections", label]
    assert [len(item.totals) for item in series] == [2, len(days)]
    assert label in comments(chart.svg)
    stars = figure.axes[1]
    styles = [(line.get_linestyle(), len(line.get_xdata())) for line in stars.lines]
    assert styles == [("-", 2), ("--", len(days))]
    assert stars.get_ylim()[0] == 0
    bottom = figure.axes[3]
    low, high = bottom.get_xlim()
    ticks = [label.get_text() for label, at in zip(bottom.get_xticklabels(), bottom.get_xticks(),
                                                   strict=True) if low <= at <= high]  # fmt: skip
    assert ticks == ["2021", "2022", "2023", "2024", "2025"]
    assert f"P{label[1:]}: {len(days):,} dates from 2021-03-01 to 2025-09-30" in (chart.description)


def test_history_needs_two_dates():
    frame = organisation_history([DAY])
    assert not charts.has_history(frame)
    with pytest.raises(ChartError) as caught:
        charts.history_chart(frame, provenance=REAL)
    assert caught.value.message == "history chart: expected at least 2 collection dates, got 1"


def test_charts_drawn_in_forked_processes_are_the_same_bytes(drawn):
    forked = charts.draw_charts(tiny_tables(), provenance=SAMPLE, processes=2)
    assert [(chart.name, chart.svg, chart.png) for chart in forked] == [
        (chart.name, chart.svg, chart.png) for chart in drawn.values()
    ]


def test_charts_drawn_while_this_process_works_are_the_same_bytes(drawn):
    jobs = charts.chart_jobs(tiny_tables(), provenance=SAMPLE)
    with parallel.drawing(jobs, 1) as later:
        meanwhile = os.getpid()  # this process goes on while one forked process draws
        forked = later()
    assert meanwhile == os.getpid()
    assert [(chart.name, chart.svg, chart.png) for chart in forked] == [
        (chart.name, chart.svg, chart.png) for chart in drawn.values()
    ]
