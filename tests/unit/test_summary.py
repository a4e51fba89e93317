"""oshs.summary: the Action's job summary and outputs, every GitHub string escaped."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from oshs.cli import cli
from oshs.errors import SummaryError
from oshs.summary import (
    action_outputs,
    change_lines,
    rate_limit_line,
    read_json,
    render_summary,
    write_outputs,
)

MANIFEST = {
    "collected_at": "2025-10-06T06:00:00Z",
    "organisations": {"collected": ["nhsx", "Org_*x*"], "failed": {"ghost": "404 <b>Not</b>"}},
    "requests": 7,
    "rate_limit": {"limit": 5000, "remaining": 4990, "reset": 1759737600, "used": 10},
}
REPOSITORIES = [
    {"id": "1", "organisation": "nhsx", "full_name": "nhsx/a", "stars": "3", "removed": "false"},
    {"id": "2", "organisation": "nhsx", "full_name": "nhsx/b", "stars": "4", "removed": "true"},
    {"id": "3", "organisation": "Org_*x*", "full_name": "Org_*x*/c", "stars": "", "removed": ""},
]
RESULT = {
    "changed": True, "version": "1.1.0", "previous_version": "1.0.0", "tag": "data-v1.1.0",
    "commit": "0123456789abcdef", "added": ["Org_*x*/c"], "removed": [], "dry_run": False,
}  # fmt: skip


def test_the_summary_has_totals_a_table_the_change_and_the_rate_limit():
    text = render_summary(MANIFEST, {"title": "T", "version": "1.1.0"}, REPOSITORIES, RESULT)
    assert text.splitlines() == [
        "## T",
        "",
        "**Partial collection: 2 of 3 organisations collected on 2025-10-06.** Not collected: "
        "ghost (`ghost`): 404 &lt;b&gt;Not&lt;/b&gt;, never collected, not in the figures.",
        "",
        "**2** repositories of **2** organisations (**1** failed), collected at "
        "2025-10-06T06:00:00Z, data package version **1.1.0**.",
        "",
        "| Organisation | Status | Repositories | Stars |",
        "| --- | --- | --- | ---: |",
        "| ghost | failed: 404 &lt;b&gt;Not&lt;/b&gt; | 0 | 0 |",
        "| nhsx | collected | 1 | 3 |",
        "| Org\\_\\*x\\* | collected | 1 | 0 |",
        "",
        "### What changed",
        "",
        "Version 1.0.0 → 1.1.0, committed as `0123456789ab` and tagged `data-v1.1.0`.",
        "",
        "Added: 1 repositories",
        "- Org\\_\\*x\\*/c",
        "",
        "Removed: 0 repositories",
        "",
        "### API usage",
        "",
        "7 API requests; rate limit: 10 of 5000 used, 4990 remaining, resets at "
        "2025-10-06 08:00 UTC.",
    ]


def test_sample_data_and_stale_organisations_are_said_first():
    sources = [{"title": "oshs GitHub API sandbox (bundled sample data, not GitHub)"}]
    manifest = {**MANIFEST, "organisations": {"collected": ["nhsx"], "failed": {}}}
    organisations = [
        {"login": "nhsx", "name": "NHSX", "stale": "false", "collected_on": "2025-10-06"},
        {"login": "gone", "name": "Gone Trust", "stale": "true", "collected_on": "2025-09-29"},
    ]
    text = render_summary(manifest, {"sources": sources}, REPOSITORIES, RESULT, organisations)
    assert text.splitlines()[2:6] == [
        "**SAMPLE DATA**: invented repositories shaped on published counts, served by the oshs "
        "GitHub API sandbox; not figures from GitHub.",
        "",
        "**Partial collection: 1 of 2 organisations collected on 2025-10-06.** Not collected: "
        "Gone Trust (`gone`): not in the organisations of this run, figures as last collected "
        "on 2025-09-29.",
        "",
    ]


def test_change_lines_without_a_publication_or_a_change():
    assert change_lines(None) == [
        "Nothing was published: the run stopped before a package could be built."
    ]
    assert change_lines({"changed": False}) == [
        "No change since the last publication: nothing was committed."
    ]
    assert rate_limit_line({"requests": 3}) == "3 API requests."
    assert render_summary(None, None, [], None).splitlines() == [
        "## oshs data package",
        "",
        "No collection manifest: nothing was collected.",
    ]


def test_outputs_are_written_in_the_delimited_form(tmp_path):
    outputs = action_outputs(MANIFEST, {"version": "1.1.0"}, REPOSITORIES, RESULT)
    assert outputs == {
        "changed": "true",
        "version": "1.1.0",
        "repositories": "2",
        "organisations-failed": "ghost",
    }
    path = tmp_path / "output"
    write_outputs(path, {"changed": "true"})
    lines = path.read_text().splitlines()
    assert lines[0].startswith("changed<<oshs_") and lines[1:] == ["true", lines[0][9:]]


def write_inputs(tmp_path) -> list[str]:
    """A raw folder with one manifest and a publish result; the `oshs summary` arguments."""
    raw = tmp_path / "raw" / "2025-10-06"
    raw.mkdir(parents=True)
    (raw / "manifest.json").write_text(json.dumps(MANIFEST))
    (tmp_path / "result.json").write_text(json.dumps(RESULT))
    args = ["--raw-dir", str(tmp_path / "raw"), "--package", str(tmp_path / "missing.json")]
    return [*args, "--result", str(tmp_path / "result.json")]


NO_ACTIONS_FILES = {"GITHUB_STEP_SUMMARY": None, "GITHUB_OUTPUT": None}  # unset, even in CI


def test_oshs_summary_reads_the_files_and_writes_summary_and_outputs(tmp_path):
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    args = [*write_inputs(tmp_path), "--summary-file", str(summary), "--output-file", str(output)]
    result = CliRunner().invoke(cli, ["summary", *args])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert "| ghost | failed: 404 &lt;b&gt;Not&lt;/b&gt; | 0 | 0 |" in summary.read_text()
    assert "organisations-failed<<" in output.read_text()


def test_oshs_summary_takes_its_files_from_the_actions_environment(tmp_path):
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    result = CliRunner().invoke(cli, ["summary", *write_inputs(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    assert summary.read_text().startswith("## oshs data package\n")
    assert "changed<<" in output.read_text()


def test_oshs_summary_prints_the_summary_without_a_summary_file(tmp_path):
    result = CliRunner().invoke(cli, ["summary", *write_inputs(tmp_path)], env=NO_ACTIONS_FILES)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("## oshs data package\n\n**Partial collection: 2 of 3 ")
    assert "\n\n**0** repositories of **2** organisations (**1** failed)" in result.output


def test_an_unreadable_result_is_one_error_line(tmp_path):
    args = write_inputs(tmp_path)
    (tmp_path / "result.json").write_text("[1, 2]")
    result = CliRunner().invoke(cli, ["summary", *args], env=NO_ACTIONS_FILES)
    assert result.exit_code == 1
    assert result.output == (
        f"error: {tmp_path / 'result.json'}: expected a JSON object, got a list\n"
    )
    (tmp_path / "result.json").write_text("{")
    with pytest.raises(SummaryError) as caught:
        read_json(tmp_path / "result.json")
    assert caught.value.message == (
        f"{tmp_path / 'result.json'}: expected a JSON object, could not read it "
        "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"
    )


def test_the_rate_limit_line_counts_gitlabs_requests_apart():
    manifest = {
        "requests": 44,
        "rate_limit": {"used": 44, "limit": 5000},
        "gitlab": {"requests": 607, "rate_limit": {"remaining": 1393}},
    }
    assert rate_limit_line(manifest) == (
        "44 API requests; rate limit: 44 of 5000 used; GitLab: 607 requests, 1393 left in its "
        "rate limit."
    )
