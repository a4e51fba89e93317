"""Where a package's data came from: the descriptor's `sources` entry of an API URL, and the
rule that sample data served by the oshs sandbox is never taken as the history of real data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SANDBOX_SOURCE = "oshs GitHub API sandbox (bundled sample data, not GitHub)"


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


def from_sandbox(sources: Any) -> bool:
    """True when every source of a package or collection is the oshs sandbox."""
    return bool(sources) and all(source.get("title") == SANDBOX_SOURCE for source in sources)


def sample_state_replaced(descriptor: Mapping[str, Any], api_urls: Iterable[str | None]) -> bool:
    """True when the published package holds sandbox sample data (as this repository ships
    before its first scheduled run) and real data arrives (collections from any other API
    URL): the sample is not its history."""
    real = [url for url in api_urls if url and not from_sandbox([source_entry(url)])]
    return from_sandbox(descriptor.get("sources")) and bool(real)
