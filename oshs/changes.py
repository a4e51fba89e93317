"""Repositories added and removed between two texts of a published `repositories.csv`.

`oshs publish` names them in its commit message and its result (which the Action's job summary
shows). This reads the published CSV text as it is in git, so it needs no table code.
"""

from __future__ import annotations

import csv
import io


def repository_rows(text: str | None) -> dict[str, tuple[str, bool]]:
    """`id -> (full_name, removed)` of a repositories.csv text (empty when there is none)."""
    if not text:
        return {}
    rows = csv.DictReader(io.StringIO(text))
    return {
        row["id"]: (row.get("full_name") or row["id"], row.get("removed") == "true")
        for row in rows
        if row.get("id")
    }


def repository_changes(old_text: str | None, new_text: str | None) -> tuple[list[str], list[str]]:
    """Full names of the repositories added and removed between two repositories.csv texts.

    A repository is removed when its row disappears or becomes `removed = true`.
    """
    old, new = repository_rows(old_text), repository_rows(new_text)
    present_before = {key for key, (_, removed) in old.items() if not removed}
    present_now = {key for key, (_, removed) in new.items() if not removed}
    names = {key: name for key, (name, _) in {**old, **new}.items()}
    added = sorted(names[key] for key in present_now - present_before)
    removed = sorted(names[key] for key in present_before - present_now)
    return added, removed
