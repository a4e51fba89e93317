"""The loading recipes of the data page: pandas, frictionless, DuckDB, R and Excel.

The Python recipes are code the test suite runs against a published package (from the
descriptor's folder), so the page cannot show a recipe that does not work. Paths are those of
the package, relative to the descriptor's folder; only plain path characters are shown.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

_PLAIN_PATH = re.compile(r"[\w./-]+")
DEFAULT_DESCRIPTOR = "datapackage.json"
DEFAULT_REPOSITORIES = "outputs/data/repositories.csv"


@dataclass(frozen=True)
class Recipe:
    """One recipe: its heading, the language of its code (None: instructions), the text."""

    heading: str
    language: str | None
    code: str


def _paths(package_link: str, resources: Sequence[dict[str, str]]) -> tuple[str, str]:
    """The descriptor's file name and the repositories CSV's path relative to it."""
    descriptor = posixpath.basename(package_link) or DEFAULT_DESCRIPTOR
    base = posixpath.dirname(package_link)
    repositories = next((r["href"] for r in resources if r["name"] == "repositories"), "")
    if base and repositories.startswith(base + "/"):
        repositories = repositories[len(base) + 1 :]
    if not _PLAIN_PATH.fullmatch(descriptor):
        descriptor = DEFAULT_DESCRIPTOR
    if not _PLAIN_PATH.fullmatch(repositories) or ".." in repositories:
        repositories = DEFAULT_REPOSITORIES
    return descriptor, repositories


def recipes(package_link: str, resources: Sequence[dict[str, str]]) -> list[Recipe]:
    """The recipes, for a package whose descriptor the site links as `package_link`."""
    descriptor, repositories = _paths(package_link, resources)
    return [
        Recipe("pandas", "python", (
            "import pandas as pd\n\n"
            f'repositories = pd.read_csv("{repositories}", dtype={{"description": "string"}})\n'
            'current = repositories[~repositories["removed"]]\n'
            'print(current.groupby("organisation").size().sort_values(ascending=False).head())\n'
        )),
        Recipe("frictionless (Python, with the types of the descriptor)", "python", (
            "from frictionless import Package\n\n"
            f'package = Package("{descriptor}")\n'
            'repositories = package.get_resource("repositories").to_pandas()\n'
            'print(len(repositories), "repositories")\n'
        )),
        Recipe("DuckDB", "sql", (
            "SELECT organisation, count(*) AS repositories\n"
            f"FROM read_csv('{repositories}')\n"
            "WHERE NOT removed\nGROUP BY organisation\nORDER BY repositories DESC;\n"
        )),
        Recipe("R (frictionless and readr)", "r", (
            "library(frictionless)\n"
            f'package <- read_package("{descriptor}")\n'
            'repositories <- read_resource(package, "repositories")\n'
            f'# or: repositories <- readr::read_csv("{repositories}")\n'
        )),
        Recipe("Excel", None, (
            "Use Data › From Text/CSV and set the columns to Text before loading (not a "
            "double-click on the file): descriptions come from GitHub as written, and one that "
            "begins with = would otherwise be read as a formula; ids keep all their digits."
        )),
    ]  # fmt: skip
