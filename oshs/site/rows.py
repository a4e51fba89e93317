"""The rows of every organisation's table of repositories, as HTML made a column at a time.

The pages of 250,000 repositories hold 250,000 table rows; a template loop over them takes
longer than the whole build may. So these rows are built here with vectorised string
operations, every text from GitHub escaped by `oshs.text.escape_html_texts` (the same escaping
as `escape_html`), links only to the `https://` URLs `repository_rows` kept; the templates
insert the result as `Markup`, and escape everything else themselves.
"""

from __future__ import annotations

import numpy as np
from markupsafe import Markup
from pandas import DataFrame, Series

from oshs.report import MISSING
from oshs.text import escape_html_texts


def _counts(values: Series) -> Series:
    """Counts with thousands separators; "–" when not known."""
    known = values.notna().to_numpy()
    numbers = values.fillna(0).astype("int64").to_numpy()
    shown = [f"{n:,}" if k else MISSING for n, k in zip(numbers.tolist(), known, strict=True)]
    return Series(shown, index=values.index, dtype=object)


def _status(rows: DataFrame) -> Series:
    """ "removed", "archived", "fork" or a pair of them, else ""."""
    state = np.select([rows["removed"].to_numpy(), rows["archived"].to_numpy()],
                      ["removed", "archived"], default="")  # fmt: skip
    fork = np.where(rows["fork"].to_numpy(), "fork", "")
    both = np.where((state != "") & (fork != ""), ", ", "")
    return Series(np.char.add(np.char.add(state, both), fork), index=rows.index, dtype=object)


def row_html(rows: DataFrame) -> Series:
    """One `<tr>` per row of `repository_rows` (same order): name (linked), description,
    topics, language, licence, stars, forks, open issues, last push, status."""
    def escaped(column: str) -> Series:
        return Series(escape_html_texts(rows[column]), index=rows.index, dtype=object)

    name, url = escaped("name"), escaped("url")
    link = Series(np.where(rows["url"].to_numpy() != "", '<a href="' + url + '">' + name + "</a>",
                           name), index=rows.index, dtype=object)  # fmt: skip
    cells = [escaped(column) for column in ("description", "topics", "language", "licence")]
    numbers = [_counts(rows[column]) for column in ("stars", "forks", "open_issues")]
    html = '<tr id="r-' + rows["id"].astype(str) + '"><th scope="row">' + link + "</th>"
    for cell in cells:
        html = html + "<td>" + cell + "</td>"
    for number in numbers:
        html = html + '<td class="n">' + number + "</td>"
    html = (
        html + "<td>" + rows["pushed"].astype(object) + "</td><td>" + _status(rows) + "</td></tr>"
    )
    return html


def rows_by_organisation(rows: DataFrame) -> dict[str, tuple[int, Markup]]:
    """Per case-folded login (`rows` sorted by it): how many rows, and their HTML."""
    if rows.empty:
        return {}
    html = row_html(rows).tolist()
    keys = rows["key"].to_numpy()
    starts = [0, *(np.flatnonzero(keys[1:] != keys[:-1]) + 1).tolist()]
    ends = [*starts[1:], len(keys)]
    return {str(keys[start]): (end - start, Markup("\n".join(html[start:end])))
            for start, end in zip(starts, ends, strict=True)}  # fmt: skip


__all__ = ["row_html", "rows_by_organisation"]
