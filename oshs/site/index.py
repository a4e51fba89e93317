"""The compact search index of the repositories page: every repository in a few fields, as a
script (`search-index.js`) that sets `window.OSHS_INDEX`, so the page searches it from
`file://` too (a `fetch` of a JSON file is refused there).

The index is JSON (`ensure_ascii`: every character outside ASCII as `\\uXXXX`, so no line
separator ends the statement) inside a script file, never inline in HTML, so text from GitHub
cannot close a `<script>` element; the page's script puts it in the DOM as text only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pandas import DataFrame

from oshs.site.model import NO_VALUE, OrganisationPage
from oshs.text import shorten

INDEX_FILE = "search-index.js"
DESCRIPTION_LIMIT = 140  # characters of a description in the index (the pages hold it all)
COLUMNS = ("organisation", "id", "name", "description", "topics", "language", "licence",
           "archived", "stars")  # fmt: skip


def choices(values: Any) -> list[str]:
    """The distinct non-empty values, sorted case-insensitively (then exactly)."""
    return sorted({str(value) for value in values if value}, key=lambda v: (v.casefold(), v))


def search_index(rows: DataFrame, pages: Sequence[OrganisationPage]) -> bytes:
    """The script of the index: organisations (`[slug, name]`), languages and licences (the
    filters' values, "None" for repositories without one), and one array per current
    repository in `COLUMNS` order, the text ones `one_line` already, organisations, languages
    and licences as positions in their lists; most stars first (then by name)."""
    current = rows.loc[~rows["removed"]]
    order = DataFrame({"stars": -current["stars"].fillna(-1),
                       "name": current["name"].str.casefold(), "id": current["id"]})  # fmt: skip
    current = current.loc[order.sort_values(["stars", "name", "id"], kind="stable").index]
    organisations = {page.key: number for number, page in enumerate(pages)}
    languages = choices(current["language"])
    licences = choices(current["licence"])
    language_of = {name: number for number, name in enumerate(languages)}
    licence_of = {name: number for number, name in enumerate(licences)}
    description = [shorten(text, DESCRIPTION_LIMIT) if len(text) > DESCRIPTION_LIMIT else text
                   for text in current["description"]]  # fmt: skip
    stars = current["stars"].fillna(-1).astype("int64").tolist()
    entries = [
        [organisations.get(key, -1), int(identifier), name, text, topics,
         language_of.get(language, -1), licence_of.get(licence, -1), int(archived), count]
        for key, identifier, name, text, topics, language, licence, archived, count in zip(
            current["key"], current["id"], current["name"], description, current["topics"],
            current["language"], current["licence"], current["archived"], stars, strict=True)
    ]  # fmt: skip
    document = {
        "columns": list(COLUMNS),
        "organisations": [[page.slug, page.name] for page in pages],
        "languages": languages,
        "licences": licences,
        "none": NO_VALUE,
        "repositories": entries,
    }
    text = json.dumps(document, ensure_ascii=True, separators=(",", ":"))
    return f"window.OSHS_INDEX = {text};\n".encode("ascii")
