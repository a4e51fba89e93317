"""Where a package's data came from: the descriptor's `sources` entry of an API URL and of
each predecessor whose published history was imported, and the rule that sample data served by
the oshs sandbox is never taken as the history of real data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SANDBOX_SOURCE = "oshs GitHub API sandbox (bundled sample data, not GitHub)"
HISTORY_SOURCE = "History published by {name} (imported with oshs import-history)"


def source_entry(api_url: str) -> dict[str, str]:
    """The descriptor's source entry for an API URL; a loopback sandbox's port is left out.

    The sandbox listens on a free port, so keeping it would make two identical demo runs differ.
    """
    parts = urlsplit(api_url)
    if parts.hostname in {"127.0.0.1", "localhost", "::1"}:
        host = "127.0.0.1" if parts.hostname != "::1" else "[::1]"
        url = urlunsplit((parts.scheme, host, parts.path, "", ""))
        return {"title": SANDBOX_SOURCE, "path": url}
    return {"title": "GitHub API", "path": api_url.rstrip("/")}


def history_entry(name: str) -> dict[str, str]:
    """The descriptor's source entry of a predecessor (`owner/name` on GitHub) whose published
    history was imported."""
    return {"title": HISTORY_SOURCE.format(name=name), "path": f"https://github.com/{name}"}


def _imported(source: Any) -> bool:
    """True for the source entry of an imported history."""
    prefix = HISTORY_SOURCE.split("{", 1)[0]
    return isinstance(source, Mapping) and str(source.get("title", "")).startswith(prefix)


def with_history_sources(sources: Iterable[Any], imported: Iterable[str]) -> list[Any]:
    """`sources` (API URLs) without any imported-history entry, then one entry per predecessor
    name of `imported` (in that order): the sources follow the data, whatever came first."""
    return [s for s in sources if not _imported(s)] + [history_entry(n) for n in imported]


def from_sandbox(sources: Any) -> bool:
    """True when every source of a package or collection, imported histories aside, is the
    oshs sandbox."""
    collected = [source for source in sources or [] if not _imported(source)]
    return bool(collected) and all(source.get("title") == SANDBOX_SOURCE for source in collected)


def sample_state_replaced(descriptor: Mapping[str, Any], api_urls: Iterable[str | None]) -> bool:
    """True when the published package holds sandbox sample data (as this repository ships
    before its first scheduled run) and real data arrives (collections from any other API
    URL): the sample is not its history."""
    real = [url for url in api_urls if url and not from_sandbox([source_entry(url)])]
    return from_sandbox(descriptor.get("sources")) and bool(real)
