"""Raw snapshot documents → one internal record per organisation and per repository.

One normaliser per API, chosen by the snapshot's `api` (the pip-audit pattern for a family of
interchangeable parts): `oshs.normalise.rest`, `oshs.normalise.graphql`,
`oshs.normalise.gitlab`; what they share is in `oshs.normalise.common`. Every normaliser
returns an `OrganisationCollection` of records with the same columns (see
`oshs.normalise.rest` for the conventions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oshs.errors import SnapshotError
from oshs.normalise.common import OrganisationCollection
from oshs.normalise.gitlab import normalise_gitlab
from oshs.normalise.graphql import normalise_graphql
from oshs.normalise.rest import normalise_rest
from oshs.snapshot import SNAPSHOT_FORMAT

__all__ = ["OrganisationCollection", "normalise_snapshot"]

_NORMALISERS: dict[str, Callable[[dict[str, Any]], OrganisationCollection]] = {
    "rest": normalise_rest,
    "graphql": normalise_graphql,
    "gitlab": normalise_gitlab,
}


def normalise_snapshot(doc: dict[str, Any]) -> OrganisationCollection:
    """Normalise one raw snapshot document (see docs/architecture.md) by its `api`."""
    if not isinstance(doc, dict):
        raise SnapshotError("snapshot: expected a JSON object at the top level")
    fmt = doc.get("format", SNAPSHOT_FORMAT)
    if fmt != SNAPSHOT_FORMAT:
        raise SnapshotError(f"snapshot: unsupported format {fmt!r}, expected {SNAPSHOT_FORMAT}")
    api = doc.get("api")
    normaliser = _NORMALISERS.get(api) if isinstance(api, str) else None
    if normaliser is None:
        known = ", ".join(sorted(_NORMALISERS))
        raise SnapshotError(f"snapshot: unknown api {api!r}, expected one of: {known}")
    return normaliser(doc)
