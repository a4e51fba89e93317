"""The rows of every organisation's table of repositories, as HTML made a column at a time.

The pages of 250,000 repositories hold 250,000 table rows; a template loop over them takes
longer than the whole build may. So these rows are built here with vectorised string
operations, every text from GitHub escaped by `oshs.text.escape_html_texts` (the same escaping
as `escape_html`), links only to the `https://` URLs `repository_rows` kept; the templates
insert the result as `Markup`, and escape everything else themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pandas import DataFrame, Series

from oshs.background import return_free_memory
from oshs.report import MISSING
from oshs.text import escape_html_texts

CHUNK_ROWS = 16_384


def _counts(values: Series) -> list[str]:
    """Counts with thousands separators; "–" when not known (each distinct count formatted
    once: 250,000 repositories have a few thousand)."""
    known = values.notna().to_numpy()
    distinct, inverse = np.unique(values.fillna(0).astype("int64").to_numpy(), return_inverse=True)
    texts = np.array([f"{n:,}" for n in distinct.tolist()] + [MISSING], dtype=object)
    return texts[np.where(known, inverse.reshape(-1), len(distinct))].tolist()


def _status(rows: DataFrame) -> list[str]:
    """ "removed", "archived", "fork" or a pair of them, else ""."""
    state = np.select([rows["removed"].to_numpy(), rows["archived"].to_numpy()],
                      ["removed", "archived"], default="")  # fmt: skip
    fork = np.where(rows["fork"].to_numpy(), "fork", "")
    both = np.where((state != "") & (fork != ""), ", ", "")
    return np.char.add(np.char.add(state, both), fork).tolist()


def row_html(rows: DataFrame) -> list[str]:
    """One `<tr>` per row of `repository_rows` (same order): name (linked), description,
    topics, language, licence, stars, forks, open issues, last push, status."""

    def escaped(column: str) -> list[str]:
        return escape_html_texts(rows[column], cleaned=True)  # `one_line` in repository_rows

    names = [f'<a href="{url}">{name}</a>' if url else name
             for name, url in zip(escaped("name"), escaped("url"), strict=True)]  # fmt: skip
    columns = zip(
        rows["id"].astype(str).tolist(), names, escaped("description"), escaped("topics"),
        escaped("language"), escaped("licence"), *(_counts(rows[column]) for column in
        ("stars", "forks", "open_issues")), rows["pushed"].tolist(), _status(rows), strict=True,
    )  # fmt: skip
    return [
        f'<tr id="r-{i}"><th scope="row">{name}</th><td>{text}</td><td>{topics}</td>'
        f'<td>{language}</td><td>{licence}</td><td class="n">{stars}</td><td class="n">{forks}'
        f'</td><td class="n">{issues}</td><td>{pushed}</td><td>{status}</td></tr>'
        for i, name, text, topics, language, licence, stars, forks, issues, pushed, status
        in columns
    ]  # fmt: skip


class RowChunks:
    """`row_html` of `rows` made `CHUNK_ROWS` rows at a time, when a span of them is asked for,
    only the last chunk kept: the pages ask in the order of `rows`, and the HTML of every row
    (100 MB at 250,000 repositories) is never held at once."""

    def __init__(self, rows: DataFrame) -> None:
        self.rows = rows
        self.start = 0
        self.html: list[str] = []

    def span(self, start: int, end: int) -> str:
        """The rows `start` to `end` (excluded), one line each."""
        if start < self.start or end > self.start + len(self.html):
            self.html = []  # freed, and handed back, before the next chunk is made: else the
            return_free_memory()  # allocators keep what every chunk freed (1M: 70 MB more)
            self.html = row_html(self.rows.iloc[start : max(end, start + CHUNK_ROWS)])
            self.start = start
        return "\n".join(self.html[start - self.start : end - self.start])


@dataclass(frozen=True)
class RowsHtml:
    """The rows of one organisation: `start` to `end` of `chunks`, made only when a template
    inserts them (`__html__`, as `Markup`)."""

    chunks: RowChunks
    start: int
    end: int

    def __html__(self) -> str:
        return self.chunks.span(self.start, self.end)


def rows_by_organisation(rows: DataFrame) -> dict[str, tuple[int, RowsHtml]]:
    """Per case-folded login (`rows` sorted by it): how many rows, and their HTML."""
    if rows.empty:
        return {}
    chunks = RowChunks(rows)
    keys = rows["key"].to_numpy()
    starts = [0, *(np.flatnonzero(keys[1:] != keys[:-1]) + 1).tolist()]
    ends = [*starts[1:], len(keys)]
    return {str(keys[start]): (end - start, RowsHtml(chunks, start, end))
            for start, end in zip(starts, ends, strict=True)}  # fmt: skip


__all__ = ["RowChunks", "RowsHtml", "row_html", "rows_by_organisation"]
