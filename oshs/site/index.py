"""The compact search index of the repositories page: every repository in a few fields, as a
script (`search-index.js`) that sets `window.OSHS_INDEX`, so the page searches it from
`file://` too (a `fetch` of a JSON file is refused there).

The index is JSON (`ensure_ascii`: every character outside ASCII as `\\uXXXX`, so no line
separator ends the statement) inside a script file, never inline in HTML, so text from GitHub
cannot close a `<script>` element; the page's script puts it in the DOM as text only.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from pandas import DataFrame, Index, Series

from oshs.background import return_free_memory
from oshs.site.model import NO_VALUE, OrganisationPage
from oshs.tables import sorted_positions
from oshs.text import casefolded, shorten

INDEX_FILE = "search-index.js"
DESCRIPTION_LIMIT = 140  # characters of a description in the index (the pages hold it all)
CHUNK_VALUES = 100_000


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
    shown = current.index[sorted_positions({"stars": -current["stars"].fillna(-1),
                                            "name": casefolded(current["name"]),
                                            "id": current["id"]})]  # fmt: skip
    del current

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
        "id": lambda: column("id").astype(str),
        "name": lambda: column("name"),
        "description": lambda: (column("description"), _descriptions),
        "topics": lambda: column("topics"),
        "language": lambda: positions(column("language"), language_of),
        "licence": lambda: positions(column("licence"), licence_of),
        "archived": lambda: column("archived").astype("int64"),
        "stars": lambda: column("stars").fillna(-1).astype("int64"),
    })  # fmt: skip


def positions(values: Series, numbers: Mapping[str, int]) -> Series:
    """The number of each value in `numbers` (-1: none)."""
    at = Index(list(numbers)).get_indexer(values)  # no Python object per value, as `map` makes
    result = np.full(len(at), -1, dtype="int64")
    found = at >= 0
    result[found] = np.fromiter(numbers.values(), dtype="int64", count=len(numbers))[at[found]]
    return Series(result, index=values.index)


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
    (compact, `ensure_ascii`), made one member at a time. A member is a value, a column (made
    Python values `CHUNK_VALUES` at a time: never a list of a million of them) or a column and
    the function that makes its values."""
    script = io.BytesIO()  # each part written as it is made: no list of them and a copy
    script.write(b"window.OSHS_INDEX = {")
    for number, (name, member) in enumerate(members.items()):
        script.write(f"{',' if number else ''}{json.dumps(name)}:".encode("ascii"))
        value = member()
        if isinstance(value, tuple | Series):
            column, values = value if isinstance(value, tuple) else (value, Series.tolist)
            _write_array(script, column, values)
            del value, column
            return_free_memory()  # the column's copy and chunks, else kept by the allocators:
            # 1M repositories, 180 MB more by the last column
        else:
            script.write(_json(value).encode("ascii"))
    script.write(b"};\n")
    return script.getvalue()  # CPython hands over its buffer, without a copy


def _write_array(script: io.BytesIO, column: Series, values: Callable[[Series], list[Any]]) -> None:
    """`values(column)` as a JSON array, made and written a chunk at a time (the array's items
    are its chunks' items joined by commas)."""
    script.write(b"[")
    for start in range(0, len(column), CHUNK_VALUES):
        chunk = _json(values(column.iloc[start : start + CHUNK_VALUES]))
        script.write((b"," if start else b"") + chunk[1:-1].encode("ascii"))
    script.write(b"]")


def _json(value: Any) -> str:
    """Compact JSON, every character outside ASCII escaped."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))
