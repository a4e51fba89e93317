"""The loading recipes of the demo's data page run as shown: the Python code on the page is
executed from the descriptor's folder against the demo package, so the page cannot lie."""

from __future__ import annotations

import contextlib
import html
import io
import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("demo")


def shown_code(page: str, language: str) -> list[str]:
    """The code blocks of `language` on a page, as a reader copies them."""
    pattern = rf'<code class="language-{language}">(.*?)</code>'
    return [html.unescape(block) for block in re.findall(pattern, page, flags=re.S)]


def test_the_python_recipes_of_the_data_page_run(demo_package: Path) -> None:
    page = (demo_package / "outputs" / "site" / "data.html").read_text(encoding="utf-8")
    blocks = shown_code(page, "python")
    assert len(blocks) == 2 and "pd.read_csv" in blocks[0] and "Package(" in blocks[1]
    assert len(shown_code(page, "sql")) == 1 and len(shown_code(page, "r")) == 1
    here = Path.cwd()
    printed = io.StringIO()
    try:
        os.chdir(demo_package)
        with contextlib.redirect_stdout(printed):
            for block in blocks:
                exec(compile(block, "data.html", "exec"), {})  # the page's own code
    finally:
        os.chdir(here)
    lines = printed.getvalue().splitlines()
    assert lines[0].startswith("organisation") and lines[-1].endswith("repositories")
    assert int(lines[-1].split()[0]) > 2000
