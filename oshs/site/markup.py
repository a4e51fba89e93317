"""HTML of what the report writes as Markdown, and the Jinja2 environment of the website.

The environment autoescapes every `{{ }}` value (HTML), so a description
`<script>alert(1)</script>` is shown as text; values are `one_line` (`oshs.text`) before they
reach a template. `Markup` is made only here, from text that is HTML already: the report's
findings (`MarkdownSafe`: `oshs.text.escape_markdown` turned every HTML special of GitHub's
text into an entity, so only the Markdown syntax is left to convert).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from oshs.report import MISSING, is_missing
from oshs.site.model import number, sort_key
from oshs.text import MarkdownSafe, one_line

_MARKDOWN = re.compile(r"\\(?P<escaped>.)|(?P<strong>\*\*)|`(?P<code>[^`]*)`")


def markdown_html(line: MarkdownSafe) -> Markup:
    """A line of the report's Markdown (`MarkdownSafe`: bold, code, backslash escapes, HTML
    entities) as HTML: `**…**` as `<strong>`, `` `…` `` as `<code>`, escapes undone."""
    if not isinstance(line, MarkdownSafe):
        raise TypeError("markdown_html: expected MarkdownSafe text (escaped by oshs.text)")
    strong = False

    def convert(match: re.Match[str]) -> str:
        nonlocal strong
        if match["escaped"] is not None:
            return match["escaped"]
        if match["code"] is not None:
            return f"<code>{match['code']}</code>"
        strong = not strong
        return "<strong>" if strong else "</strong>"

    html = _MARKDOWN.sub(convert, line)
    return Markup(html + ("</strong>" if strong else ""))


def text(value: Any) -> str:
    """A value as one line of text; "–" when missing."""
    return MISSING if is_missing(value) else one_line(value)


def percent_key(value: Any) -> str:
    """The number a share sorts by ("35%" → "35", "<1%" → "0.5", "–" → "-1")."""
    shown = str(value)
    if shown.startswith("<"):
        return "0.5"
    if shown.startswith(">"):
        return "99.5"
    return shown.rstrip("%") if shown.rstrip("%").replace(".", "", 1).isdigit() else "-1"


@cache
def environment() -> Environment:
    """The website's Jinja2 environment: HTML autoescape, strict undefined values, the
    templates of `oshs/site/templates`."""
    env = Environment(
        loader=PackageLoader("oshs.site", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # else every page checks its templates' files for changes
    )
    env.filters.update(number=number, sort_key=sort_key, markdown=markdown_html, text=text,
                       percent_key=percent_key)  # fmt: skip
    return env
