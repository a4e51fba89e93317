"""Tests of oshs.charts: content, escaping, mathtext off, determinism, no global state leaked."""

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
from matplotlib.ft2font import FT2Font

from oshs import charts
from oshs.charts import cambrian, cambrian_explosion_chart, common
from oshs.errors import ChartError

COLLECTED_ON = "2025-10-06"
SVG_NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)"  # labels are cut at 24 characters


def sample_repositories() -> pd.DataFrame:
    """A tiny `repositories` table (only the columns the chart reads, plus a few more)."""
    languages = (
        ["Python"] * 5 + ["R"] * 4 + ["Jupyter Notebook"] * 2 + [HOSTILE] * 3
        + ["Go", "Rust", None, None]
    )  # fmt: skip
    count = len(languages)
    return pd.DataFrame(
        {
            "id": pd.array(range(1, count + 1), dtype="Int64"),
            "organisation": (["nhsengland", "nhsx", "nhsdigital"] * count)[:count],
            "name": [f"repo-{i}" for i in range(count)],
            "created_at": [f"{2015 + i % 9}-{1 + i % 12:02d}-0{1 + i % 9}T10:00:00Z"
                           for i in range(count)],
            "language": pd.array(languages, dtype="string"),
            "removed": pd.array([False] * count, dtype="boolean"),
        }
    )  # fmt: skip


def chart(**kwargs) -> bytes:
    return cambrian_explosion_chart(
        sample_repositories(),
        language_groups=kwargs.pop("language_groups", {"Jupyter Notebook": "Python"}),
        top=kwargs.pop("top", 3),
        collected_on=COLLECTED_ON,
        **kwargs,
    )


def comments(svg: bytes) -> list[str]:
    """The text matplotlib writes as XML comments next to each text drawn as glyph paths."""
    return [text.strip() for text in re.findall(r"<!--(.*?)-->", svg.decode("utf-8"), re.S)]


def labels(svg: bytes) -> list[str]:
    """The direct labels ("name (count)"), bottom band first."""
    return [text for text in comments(svg) if re.fullmatch(r".* \(\d[\d,]*\)", text)]


def glyph_id(char: str) -> str:
    """The SVG id matplotlib gives the DejaVu Sans glyph of `char`."""
    font = FT2Font(str(Path(matplotlib.get_data_path(), "fonts/ttf/DejaVuSans.ttf")))
    return f"DejaVuSans-{font.get_char_index(ord(char)):x}"


def test_svg_is_xml_with_title_and_dated_heading():
    svg = chart()
    root = ET.fromstring(svg)
    title = (
        "Public repositories of 3 organisations, cumulative by creation date, "
        "as collected on 2025-10-06"
    )
    assert root.tag == f"{SVG_NS}svg"
    assert root.find(f"{SVG_NS}title").text == title
    assert title in comments(svg)


def test_direct_labels_name_top_languages_other_and_no_language():
    # Python 5 + Jupyter Notebook 2 grouped as Python; ties broken by name; Go and Rust are Other.
    assert labels(chart()) == [
        "Python (7)",
        "R (4)",
        "&lt;script&gt;alert(1) (3)",
        "Other (2)",
        "No language (2)",
    ]


def test_hostile_language_name_is_escaped():
    svg = chart()
    assert b"<script" not in svg
    assert b"&lt;script&gt;alert(1)" in svg
    assert not [element for element in ET.fromstring(svg).iter() if "script" in element.tag]


def test_dollar_signs_do_not_trigger_mathtext():
    frame = sample_repositories()
    frame["language"] = pd.array(["$x$"] * len(frame), dtype="string")
    svg = cambrian_explosion_chart(frame, collected_on=COLLECTED_ON)
    assert "$x$ (18)" in comments(svg)
    assert glyph_id("$").encode() in svg  # the dollar sign is drawn...
    assert b"DejaVuSans-Oblique" not in svg  # ...and no math italic x


def test_no_date_and_no_version_in_metadata():
    svg = chart()
    assert b"<dc:date>" not in svg
    assert b"Matplotlib v" not in svg
    assert b"<dc:title>oshs</dc:title>" in svg


def test_same_process_gives_same_bytes():
    assert chart() == chart()


def test_other_hash_seed_and_time_zone_give_same_bytes():
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('t', {str(Path(__file__))!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "sys.stdout.buffer.write(module.chart())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "TZ": "Pacific/Chatham"}
    env.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, check=True, timeout=120
    )
    assert result.stdout == chart()


def test_global_matplotlib_state_is_untouched():
    before = dict(matplotlib.rcParams)
    chart()
    assert dict(matplotlib.rcParams) == before
    assert matplotlib.rcParams["text.parse_math"] is True


def test_y_axis_starts_at_zero_and_time_axis_ends_at_collection():
    with matplotlib.rc_context(common.RC):
        figure, _ = cambrian._cambrian_figure(sample_repositories(), {}, 3, COLLECTED_ON)
    axes = figure.axes[0]
    assert axes.get_ylim()[0] == 0
    end = matplotlib.dates.num2date(axes.get_xlim()[1]).date().isoformat()
    assert end == COLLECTED_ON


def test_language_groups_are_optional_and_every_row_counts():
    frame = sample_repositories()
    frame.loc[0, "removed"] = True  # counted: the caller filters removed repositories if needed
    svg = cambrian_explosion_chart(frame, top=3, collected_on=COLLECTED_ON)
    assert labels(svg)[0] == "Python (5)"
    assert "Other (4)" in labels(svg)  # Jupyter Notebook 2, Go, Rust


def test_empty_table_gives_a_chart():
    svg = cambrian_explosion_chart(sample_repositories().iloc[0:0], collected_on=COLLECTED_ON)
    assert "No public repositories" in comments(svg)


def test_bad_collection_date_is_refused():
    with pytest.raises(ChartError) as caught:
        cambrian_explosion_chart(sample_repositories(), collected_on="06/10/2025")
    assert caught.value.message == (
        "chart date '06/10/2025': expected a collection date as YYYY-MM-DD"
    )


def test_labels_are_spread_apart_or_refused():
    placed = cambrian._spread([1.0, 1.0, 1.1, 50.0], gap=2.0, low=0.0, high=100.0)
    assert placed == [1.0, 3.0, 5.0, 50.0]
    assert cambrian._spread([99.5, 99.6], gap=2.0, low=0.0, high=100.0) == [97.0, 99.0]
    assert cambrian._spread([1.0] * 60, gap=2.0, low=0.0, high=100.0) is None


def test_crowded_labels_fall_back_to_a_legend():
    frame = sample_repositories()
    frame["language"] = pd.array([f"Lang{i:02d}" for i in range(len(frame))], dtype="string")
    with matplotlib.rc_context(common.RC):
        figure, _ = cambrian._cambrian_figure(frame, {}, 40, COLLECTED_ON)
    assert figure.axes[0].get_legend() is None  # 16 labels still fit beside the plot
    many = pd.concat([frame] * 3, ignore_index=True)
    many["language"] = pd.array([f"Lang{i:02d}" for i in range(len(many))], dtype="string")
    with matplotlib.rc_context(common.RC):
        figure, _ = cambrian._cambrian_figure(many, {}, 48, COLLECTED_ON)
    assert figure.axes[0].get_legend() is not None


def organisation_history(dates: list[str]) -> pd.DataFrame:
    """Two organisations on each date, counts growing; open issues unknown for one."""
    rows = []
    for n, day in enumerate(dates):
        rows.append({"collected_on": day, "organisation": "a", "stars": 10 + n, "forks": 2,
                     "open_issues": 3 + n})  # fmt: skip
        rows.append({"collected_on": day, "organisation": "b", "stars": 5, "forks": n,
                     "open_issues": pd.NA})  # fmt: skip
    frame = pd.DataFrame(rows)
    return frame.astype({"stars": "Int64", "forks": "Int64", "open_issues": "Int64"})


def test_history_chart_is_deterministic_titled_and_labelled():
    frame = organisation_history(["2025-10-06", "2025-10-13", "2025-10-20"])
    assert charts.has_history(frame)
    svg = charts.history_chart(frame)
    assert svg == charts.history_chart(frame.sample(frac=1, random_state=1))
    root = ET.fromstring(svg)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == (
        "Stars, forks and open issues of 2 organisations on each collection date, "
        "2025-10-06 to 2025-10-20"
    )
    assert b"<dc:date>" not in svg


def test_history_chart_needs_two_collection_dates():
    frame = organisation_history(["2025-10-06"])
    assert not charts.has_history(frame)
    with pytest.raises(ChartError) as caught:
        charts.history_chart(frame)
    assert caught.value.message == "history chart: expected at least 2 collection dates, got 1"
