"""The compact search index of the repositories page: every repository in a few fields, as a
script (`search-index.js`) that sets `window.OSHS_INDEX`, so the page searches it from
`file://` too (a `fetch` of a JSON file is refused there).

The index is JSON (`ensure_ascii`: every character outside ASCII as `\\uXXXX`, so no line
separator ends the statement) inside a script file, never inline in HTML, so text from GitHub
cannot close a `<script>` element; the page's script puts it in the DOM as text only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas import DataFrame, Series

from oshs.site.model import NO_VALUE, OrganisationPage
from oshs.text import shorten

INDEX_FILE = "search-index.js"
_COLUMNS = ("key", "id", "name", "description", "topics", "language", "licence", "archived",
            "stars")  # fmt: skip
DESCRIPTION_LIMIT = 140  # characters of a description in the index (the pages hold it all)


def choices(values: Any) -> list[str]:
    """The distinct non-empty values, sorted case-insensitively (then exactly)."""
    distinct = {str(value) for value in values.dropna().unique().tolist() if value}
    return sorted(distinct, key=lambda v: (v.casefold(), v))


def _positions(values: Series, numbers: Mapping[str, int]) -> list[int]:
    """The number of each value in `numbers`, -1 when not in it (`map`, without pandas
    mapping Arrow strings one at a time)."""
    found = pd.Index(list(numbers), dtype=object).get_indexer(values.astype(object))
    codes = np.fromiter(numbers.values(), dtype=np.int64, count=len(numbers))
    return np.where(found >= 0, codes[np.maximum(found, 0)] if len(codes) else -1, -1).tolist()


def search_index(rows: DataFrame, pages: Sequence[OrganisationPage]) -> bytes:
    """The script of the index: organisations (`[slug, name]`), languages and licences (the
    filters' values, "None" for repositories without one), then one array per column of the
    current repositories (`organisation`, `id`, `name`, `description` cut to
    `DESCRIPTION_LIMIT`, `topics`, `language`, `licence`, `archived`, `stars`), the text ones
    `one_line` already, organisations, languages and licences as positions in their lists
    (-1: none); most stars first (then by name)."""
    current = rows.loc[~rows["removed"], list(_COLUMNS)]
    order = DataFrame({"stars": -current["stars"].fillna(-1),
                       "name": current["name"].str.casefold(), "id": current["id"]})  # fmt: skip
    current = current.loc[order.sort_values(["stars", "name", "id"], kind="stable").index]
    organisations = {page.key: number for number, page in enumerate(pages)}
    languages = choices(current["language"])
    licences = choices(current["licence"])
    language_of = {name: number for number, name in enumerate(languages)}
    licence_of = {name: number for number, name in enumerate(licences)}
    text = current["description"].astype(object)
    long = text.str.len() > DESCRIPTION_LIMIT
    if long.any():
        text = text.copy()
        text.loc[long] = [shorten(value, DESCRIPTION_LIMIT) for value in text.loc[long]]
    document = {
        "organisations": [[page.slug, page.name] for page in pages],
        "languages": languages,
        "licences": licences,
        "none": NO_VALUE,
        "organisation": _positions(current["key"], organisations),
        "id": current["id"].astype(str).tolist(),
        "name": current["name"].tolist(),
        "description": text.tolist(),
        "topics": current["topics"].tolist(),
        "language": _positions(current["language"], language_of),
        "licence": _positions(current["licence"], licence_of),
        "archived": current["archived"].astype("int64").tolist(),
        "stars": current["stars"].fillna(-1).astype("int64").tolist(),
    }
    script = json.dumps(document, ensure_ascii=True, separators=(",", ":"))
    return f"window.OSHS_INDEX = {script};\n".encode("ascii")
