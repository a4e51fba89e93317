"""Text from GitHub, made safe for each place it goes: one way per place, used by every renderer.

Names, descriptions, language names and API error messages come from GitHub and may hold
anything: control characters (terminal escapes, line breaks that start a new Markdown block or a
new log line), bidi controls that reorder what is shown (U+061C, U+200E/F, U+202A-E,
U+2066-9), and markup. `CONTROL` is the one filter of those characters; each function below
applies it and then escapes for one destination:

- `one_line`: plain text on one line (chart labels, the base of the others);
- `escape_markdown` (and `MarkdownSafe`): inline GitHub-flavoured Markdown (report, summary,
  changelog);
- `escape_html`: HTML text or a quoted attribute value; the website's Jinja2 templates
  autoescape values made `one_line` (one by one, or a column at once with `one_line_texts`),
  and its tables of every repository use `escape_html_texts` (a column at once);
- `escape_svg`: XML text or a quoted attribute value in an SVG (a chart's `<title>`);
- `commit_message_line`: a line of a git commit message (publish);
- `printable_lines`, `actions_line`, `workflow_command`: what is printed on stdout or stderr,
  where under GitHub Actions a line that starts with `::` is a workflow command.
"""

from __future__ import annotations

import html
import re
from typing import Any

from pandas import NA, concat

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls, DEL, and the bidi controls: never shown, always removed."""

_SPACE = re.compile(r"\s+")
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # as `str.splitlines`
_MARKDOWN = re.compile(
    r"""^(?P<number>\d{1,9})(?P<mark>[.)])(?=\s|$)|(?P<mail>(?<=[\w.+-])@(?=\w))"""
    r"""|^[-+=]|(?<=[wW]{3})\.|:(?=//)|[\\`*_{}\[\]()#!|~^@$&<>"']"""
)
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_XML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
_XML_SPECIAL = re.compile("[&<>\"']")
_COMMAND = re.compile(r"^(\s*)::")
_DATA_ESCAPES = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY_ESCAPES = {**_DATA_ESCAPES, ":": "%3A", ",": "%2C"}


class MarkdownSafe(str):
    """A string that is already valid, escaped Markdown: renderers output it unchanged."""


def has_control(text: str) -> bool:
    """True when `text` holds a control or bidi character (one that `CONTROL` removes)."""
    return CONTROL.search(text) is not None


def strip_controls(value: Any) -> str:
    """`value` as text with every control and bidi character removed (line breaks too)."""
    return CONTROL.sub("", str(value))


def one_line(value: Any) -> str:
    """`value` as one line: whitespace runs collapsed to a space, controls and bidi removed."""
    return strip_controls(_SPACE.sub(" ", str(value))).strip()


_BLOCK = 1024
_CASEFOLD_CHUNK = 100_000


def _is_one_line(text: str) -> bool:
    """True when `one_line(text) == text`: printable (`str.isprintable` is False for every
    control, bidi control and whitespace but " "), no double space, no space at either end."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def one_line_texts(values: Any) -> Any:
    """`one_line` of every value of a pandas Series of text (missing stays missing), fast for
    the 250,000 repositories of the website: only a value that is not `one_line` already goes
    through `one_line`."""
    text = values.astype("string")
    items = text.tolist()
    dirty = []
    for start in range(0, len(items), _BLOCK):  # a block of clean values is checked at once
        block = [value for value in items[start : start + _BLOCK] if value is not NA]
        joined = "\n".join(block)
        lines = joined.count("\n") == len(block) - 1 and " \n" not in joined
        if lines and "\n " not in joined and _is_one_line(joined.replace("\n", "-")):
            continue
        dirty += [at for at in range(start, min(start + _BLOCK, len(items)))
                  if items[at] is not NA and not _is_one_line(items[at])]  # fmt: skip
    if dirty:
        text = text.copy()
        text.iloc[dirty] = [one_line(items[at]) for at in dirty]
    return text


def casefolded(values: Any) -> Any:
    """`values.str.casefold()` of a pandas Series of text, made `_CASEFOLD_CHUNK` values at a
    time: pandas casefolds each value as a Python string (1M names at once: 210 MB more)."""
    if len(values) <= _CASEFOLD_CHUNK:
        return values.str.casefold()
    return concat([values.iloc[at : at + _CASEFOLD_CHUNK].str.casefold()
                   for at in range(0, len(values), _CASEFOLD_CHUNK)])  # fmt: skip


def escape_html_texts(values: Any, *, cleaned: bool = False) -> list[str]:
    """`escape_html` of every value of a pandas Series of text (missing as ""), in order;
    `cleaned`: the values are `one_line_texts` already (not cleaned twice)."""
    lines = (values if cleaned else one_line_texts(values)).fillna("").tolist()
    escaped = html.escape("\n".join(lines)).split("\n")  # one line each: "\n" splits them
    if len(escaped) != len(lines):  # a value with a line break: it was not `one_line`
        return [html.escape(one_line(value)) for value in lines]
    return escaped


def shorten(value: Any, limit: int) -> str:
    """`one_line(value)` cut to `limit` characters, ending with an ellipsis when cut."""
    text = one_line(value)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _escape_match(match: re.Match[str], *, alt: bool = False) -> str:
    if match["number"] is not None:  # "1. " at the start would begin an ordered list
        return match["number"] + "\\" + match["mark"]
    if match["mail"] is not None and not alt:  # GitHub links e-mail addresses even with "\\@"
        return "<span>@</span>"
    return _ENTITIES.get(match[0], "\\" + match[0])


def escape_markdown(value: Any, *, alt: bool = False) -> MarkdownSafe:
    """Escape any value as inline GitHub-flavoured Markdown that shows exactly its text.

    HTML specials become entities; Markdown syntax (emphasis, code, links, images, footnotes,
    tables, strikethrough, math, mentions, autolinks, list and heading markers at the start) is
    backslash-escaped; line breaks collapse to spaces; bidi and control characters are removed.
    The "@" of an e-mail address becomes `<span>@</span>`, the one thing that stops GitHub from
    linking it, except in image alt text (`alt=True`), where it cannot link and a tag would show.
    """
    text = one_line(value)
    return MarkdownSafe(_MARKDOWN.sub(lambda match: _escape_match(match, alt=alt), text))


def escape_html(value: Any) -> str:
    """`one_line(value)` as HTML text, also safe inside a quoted attribute value."""
    return html.escape(one_line(value), quote=True)


def escape_svg(value: Any) -> str:
    """`one_line(value)` as XML text (an SVG `<title>`), also safe in a quoted attribute."""
    return _XML_SPECIAL.sub(lambda match: _XML_ENTITIES[match[0]], one_line(value))


def commit_message_line(value: Any) -> str:
    """`value` as one line of a git commit message (a subject, or a name in its body)."""
    return one_line(value)


def printable_lines(value: Any) -> str:
    """`value` as lines to print: each line break kept as "\\n", every other control removed."""
    return "\n".join(strip_controls(line) for line in _LINE_BREAK.split(str(value)))


def actions_line(value: Any) -> str:
    """`printable_lines(value)` with no line that GitHub Actions would run as a workflow command.

    The runner reads any output line that starts with `::` (after spaces) as a command, so a
    message from the API could otherwise set outputs, add annotations or stop command
    processing. Such a line gets a backslash before its `::` and is printed as text.
    """
    return "\n".join(_COMMAND.sub(r"\1\\::", line) for line in printable_lines(value).split("\n"))


def workflow_command(command: str, message: Any, **properties: Any) -> str:
    """One GitHub Actions workflow command line, e.g. `::warning file=a.py::message`.

    The message keeps its line breaks as `%0A` (GitHub's escaping of command data: `%`, CR and
    LF); property values are also escaped for `:` and `,`. Controls and bidi are removed.
    """
    data = _escape(printable_lines(message), _DATA_ESCAPES)
    listed = ",".join(
        f"{name}={_escape(one_line(value), _PROPERTY_ESCAPES)}"
        for name, value in properties.items()
    )
    return f"::{command}{' ' + listed if listed else ''}::{data}"


def _escape(text: str, escapes: dict[str, str]) -> str:
    """Replace each character that is a key of `escapes` by its value."""
    return "".join(escapes.get(char, char) for char in text)
