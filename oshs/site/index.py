"""The compact search index of the repositories page: every repository in a few fields, as a
script (`search-index.js`) that sets `window.OSHS_INDEX`, so the page searches it from
`file://` too (a `fetch` of a JSON file is refused there).

The index is JSON (`ensure_ascii`: every character outside ASCII as `\\uXXXX`, so no line
separator ends the statement) inside a script file, never inline in HTML, so text from GitHub
cannot close a `<script>` element; the page's script puts it in the DOM as text only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pandas import DataFrame, Series

from oshs.site.model import NO_VALUE, OrganisationPage
from oshs.text import shorten

INDEX_FILE = "search-index.js"
DESCRIPTION_LIMIT = 140  # characters of a description in the index (the pages hold it all)


def choices(values: Any) -> list[str]:
    """The distinct non-empty values, sorted case-insensitively (then exactly)."""
    distinct = {str(value) for value in values.dropna().unique().tolist() if value}
    return sorted(distinct, key=lambda v: (v.casefold(), v))


def search_index(rows: DataFrame, pages: Sequence[OrganisationPage]) -> bytes:
    """The script of the index: organisations (`[slug, name]`), languages and licences (the
    filters' values, "None" for repositories without one), then one array per column of the
    current repositories (`organisation`, `id`, `name`, `description` cut to
    `DESCRIPTION_LIMIT`, `topics`, `language`, `licence`, `archived`, `stars`), the text ones
    `one_line` already, organisations, languages and licences as positions in their lists
    (-1: none); most stars first (then by name)."""
    current = rows.loc[~rows["removed"], ["stars", "name", "id"]]
    order = DataFrame({"stars": -current["stars"].fillna(-1),
                       "name": current["name"].str.casefold(), "id": current["id"]})  # fmt: skip
    shown = order.sort_values(["stars", "name", "id"], kind="stable").index
    del current, order

    def column(name: str) -> Series:  # one column of the rows at a time: not all of them again
        return rows[name].loc[shown]

    organisations = {page.key: number for number, page in enumerate(pages)}
    languages = choices(column("language"))
    licences = choices(column("licence"))
    language_of = {name: number for number, name in enumerate(languages)}
    licence_of = {name: number for number, name in enumerate(licences)}
    return _script({
        "organisations": lambda: [[page.slug, page.name] for page in pages],
        "languages": lambda: languages,
        "licences": lambda: licences,
        "none": lambda: NO_VALUE,
        "organisation": lambda: positions(column("key"), organisations),
        "id": lambda: column("id").astype(str).tolist(),
        "name": lambda: column("name").tolist(),
        "description": lambda: _descriptions(column("description")),
        "topics": lambda: column("topics").tolist(),
        "language": lambda: positions(column("language"), language_of),
        "licence": lambda: positions(column("licence"), licence_of),
        "archived": lambda: column("archived").astype("int64").tolist(),
        "stars": lambda: column("stars").fillna(-1).astype("int64").tolist(),
    })  # fmt: skip


def positions(values: Series, numbers: Mapping[str, int]) -> list[int]:
    """The number of each value in `numbers` (-1: none)."""
    return values.map(numbers).fillna(-1).astype("int64").tolist()


def _descriptions(descriptions: Series) -> list[Any]:
    """The descriptions, those longer than `DESCRIPTION_LIMIT` cut to it."""
    text = descriptions.astype(object)
    long = text.str.len() > DESCRIPTION_LIMIT
    if long.any():
        text = text.copy()
        text.loc[long] = [shorten(value, DESCRIPTION_LIMIT) for value in text.loc[long]]
    return text.tolist()


def _script(members: Mapping[str, Callable[[], Any]]) -> bytes:
    """`window.OSHS_INDEX = <JSON object>;`, the same bytes as `json.dumps` of the object
    (compact, `ensure_ascii`), made one member at a time: only one column of 250,000
    repositories is a list of Python objects at once."""
    parts = [b"window.OSHS_INDEX = {"]
    for number, (name, value) in enumerate(members.items()):
        data = json.dumps(value(), ensure_ascii=True, separators=(",", ":"))
        parts += [b"," if number else b"", f"{json.dumps(name)}:".encode("ascii")]
        parts.append(data.encode("ascii"))  # not an f-string of it: one copy fewer
    parts.append(b"};\n")
    return b"".join(parts)
