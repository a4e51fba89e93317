"""oshs.text: one control filter, and the exact escaping of GitHub text for each destination."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

from oshs.cli import cli
from oshs.console import configure_logging
from oshs.text import (
    CONTROL,
    MarkdownSafe,
    actions_line,
    commit_message_line,
    escape_html,
    escape_markdown,
    escape_svg,
    has_control,
    one_line,
    printable_lines,
    shorten,
    strip_controls,
    workflow_command,
)

HOSTILE = "a\x00b\x1b[31mc\x7fd\x85e\x9bf\u061cg\u200eh\u200fi\u202aj\u202ek\u2066l\u2069m"


def test_one_filter_removes_c0_c1_del_and_bidi_controls():
    assert strip_controls(HOSTILE) == "ab[31mcdefghijklm"
    assert has_control("\u061c") and has_control("\x9f") and not has_control("plain ü 漢字")
    assert CONTROL.findall("\t\xa0\u200b\u2028") == ["\t"]  # spaces are not controls


def test_one_line_collapses_whitespace_then_removes_controls():
    assert (
        one_line("  line one\r\nline\ttwo\u2028three\xa0four  ") == "line one line two three four"
    )
    assert one_line(HOSTILE) == "ab[31mcd efghijklm"  # U+0085 is a line break: a space
    assert one_line(None) == "None" and one_line(12) == "12"


def test_shorten_cuts_with_an_ellipsis():
    assert shorten("x" * 1000, 80) == "x" * 79 + "…"
    assert shorten("x" * 80, 80) == "x" * 80
    assert shorten("abc  \n def", 5) == "abc…"  # no space left before the ellipsis


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert\\(1\\)&gt;"),
        ("| pipe", "\\| pipe"),
        ("[x](javascript:alert(1))", "\\[x\\]\\(javascript:alert\\(1\\)\\)"),
        ("=cmd|' /C calc'!A0", "\\=cmd\\|&#39; /C calc&#39;\\!A0"),
        ("abc\u202edef\u2066g\u2069\u200f", "abcdefg"),
        ("line one\r\nline\ttwo\n", "line one line two"),
        ('"quoted" & <b>bold</b>', "&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;"),
        (
            "**bold** _it_ `code` ~~del~~ $x$ [^1]",
            "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~del\\~\\~ \\$x\\$ \\[\\^1\\]",
        ),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("1. item", "1\\. item"),
        ("2) item", "2\\) item"),
        ("1.2.0 and 3-4", "1.2.0 and 3-4"),
        ("see www.evil.example", "see www\\.evil.example"),
        ("see https://evil.example", "see https\\://evil.example"),
        ("mail a.b@evil.example or @someone", "mail a.b<span>@</span>evil.example or \\@someone"),
        ("back\\slash", "back\\\\slash"),
        ("&lt;already&gt;", "&amp;lt;already&amp;gt;"),
    ],
)
def test_escape_markdown(raw, escaped):
    assert escape_markdown(raw) == escaped
    assert isinstance(escape_markdown(raw), MarkdownSafe)


def test_escape_markdown_in_alt_text_keeps_the_at_sign_plain():
    assert escape_markdown("by a@b.example", alt=True) == "by a\\@b.example"


def test_escape_html():
    assert escape_html("<b>\"Tom\" & 'Jerry'</b>\u202e\x9b\n!") == (
        "&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt; !"
    )


def test_escape_svg():
    assert escape_svg("<title>a & b</title>\x0c\"c\" 'd'\u2066") == (
        "&lt;title&gt;a &amp; b&lt;/title&gt; &quot;c&quot; &apos;d&apos;"
    )
    assert escape_svg("Public repositories of 31 organisations") == (
        "Public repositories of 31 organisations"
    )


def test_commit_message_line_drops_u061c_and_c1_controls():
    assert commit_message_line("org/\u061cname\x9b[2J\x85x\nNext: line") == (
        "org/name[2J x Next: line"
    )


def test_printable_lines_keep_line_breaks_and_drop_other_controls():
    assert printable_lines("a\r\nb\x1b[31m\n\u202ec\rd\u2028e\n") == "a\nb[31m\nc\nd\ne\n"
    assert printable_lines("") == ""


def test_actions_line_neutralises_workflow_commands_on_every_line():
    assert actions_line("HTTP 403: forbidden\n::error::pwned") == (
        "HTTP 403: forbidden\n\\::error::pwned"
    )
    assert actions_line("  ::set-output name=x::1\r::stop-commands::t") == (
        "  \\::set-output name=x::1\n\\::stop-commands::t"
    )
    assert actions_line("\x1b::add-mask::x") == "\\::add-mask::x"  # no control hides it
    assert actions_line("a :: b") == "a :: b"


def test_workflow_command_escapes_data_and_properties():
    assert workflow_command("warning", "50% done\r\n::error::x\x1b") == (
        "::warning::50%25 done%0A::error::x"
    )
    assert workflow_command("error", "m", file="a:b,c%.py", line=3) == (
        "::error file=a%3Ab%2Cc%25.py,line=3::m"
    )


@pytest.fixture(autouse=True)
def restore_the_oshs_logger(monkeypatch):
    """`configure_logging` sets the `oshs` logger up; undo that after each test."""
    logger = logging.getLogger("oshs")
    for name in ("handlers", "level", "propagate"):
        monkeypatch.setattr(logger, name, getattr(logger, name))
    logger.handlers = list(logger.handlers)


def log_lines(capsys, message: str, level: int) -> list[str]:
    """What `message`, logged at `level` through the `oshs` logger, prints on stderr."""
    configure_logging(0)
    logging.getLogger("oshs.collect").log(level, message)
    return capsys.readouterr().err.splitlines()


API_ERROR = "organisation evil failed: HTTP 502: Bad gateway\n::error::pwned%0A\x1b[2J"


def test_api_error_text_issues_no_workflow_command_under_actions(capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert log_lines(capsys, API_ERROR, logging.INFO) == [
        "organisation evil failed: HTTP 502: Bad gateway",
        "\\::error::pwned%0A[2J",
    ]
    assert log_lines(capsys, API_ERROR, logging.WARNING) == [
        "::warning::organisation evil failed: HTTP 502: Bad gateway%0A::error::pwned%250A[2J"
    ]
    assert log_lines(capsys, API_ERROR, logging.ERROR) == [
        "::error::organisation evil failed: HTTP 502: Bad gateway%0A::error::pwned%250A[2J"
    ]


def test_log_lines_on_a_terminal_lose_their_controls(capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert log_lines(capsys, API_ERROR, logging.WARNING) == [
        "warning: organisation evil failed: HTTP 502: Bad gateway",
        "::error::pwned%0A[2J",
    ]


def test_an_error_line_of_the_cli_issues_no_workflow_command_under_actions(tmp_path):
    result_file = tmp_path / "a\n::error::b.json"
    result_file.write_text(json.dumps([1]), encoding="utf-8")
    args = ["summary", "--raw-dir", str(tmp_path), "--result", str(result_file)]
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": None, "GITHUB_OUTPUT": None}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 1
    assert result.output == (
        f"error: {tmp_path}/a\n\\::error::b.json: expected a JSON object, got a list\n"
    )


COLUMN_TEXTS = ["a b", "a  b", " x ", "\u202eevil\u202c", "tab\there", None, "<script>\"x'&",
                "nb\xa0sp", "é ü 😀", "line\u2028break", "\x1b[2Jterm", "", "ok"]  # fmt: skip


def test_a_column_at_once_is_cleaned_and_escaped_as_one_value_at_a_time():
    import pandas as pd

    from oshs.text import escape_html, escape_html_texts, one_line, one_line_texts

    values = pd.Series(COLUMN_TEXTS, dtype="string")
    cleaned = one_line_texts(values)
    assert [None if v is pd.NA else v for v in cleaned] == [
        None if v is None else one_line(v) for v in COLUMN_TEXTS
    ]
    expected = ["" if v is None else escape_html(v).replace("&#x27;", "'") for v in COLUMN_TEXTS]
    assert [v.replace("&#x27;", "'") for v in escape_html_texts(values)] == expected
    assert escape_html_texts(cleaned, cleaned=True) == escape_html_texts(values)
