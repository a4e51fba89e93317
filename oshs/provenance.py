"""Where a package's data came from: the descriptor's `sources` entry of an API URL and of
each predecessor whose published history was imported, and the rule that sample data served by
the oshs sandbox is never taken as the history of real data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SANDBOX_SOURCE = "oshs GitHub API sandbox (bundled sample data, not GitHub)"
HISTORY_SOURCE = "History published by {name} (imported with oshs import-history)"


def source_entry(api_url: str, platform: str = "github") -> dict[str, str]:
    """The descriptor's source entry for an API URL (GitHub's, or GitLab's); a loopback
    sandbox's port is left out.

    The sandbox listens on a free port, so keeping it would make two identical demo runs differ.
    """
    parts = urlsplit(api_url)
    if parts.hostname in {"127.0.0.1", "localhost", "::1"}:
        host = "127.0.0.1" if parts.hostname != "::1" else "[::1]"
        url = urlunsplit((parts.scheme, host, parts.path, "", ""))
        return {"title": SANDBOX_SOURCE, "path": url}
    title = "GitLab API" if platform == "gitlab" else "GitHub API"
    return {"title": title, "path": api_url.rstrip("/")}


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


SAMPLE_LABEL = "SAMPLE DATA"
SAMPLE_WHAT = "invented repositories shaped on published counts"
SAMPLE_SENTENCE = (
    f"{SAMPLE_LABEL}: {SAMPLE_WHAT}, served by the oshs GitHub API sandbox; "
    "not figures from GitHub."
)
REASON_NOT_IN_RUN = "not in the organisations of this run"
REASON_UNKNOWN = "reason not recorded (only marked stale in the published data)"


@dataclass(frozen=True)
class NotCollected:
    """An organisation not collected on the latest collection date, and why."""

    login: str
    name: str
    reason: str
    last_collected: str | None = None  # None: never collected (not in the published data)


@dataclass(frozen=True)
class Provenance:
    """What the charts, the report and the job summary must say about where the data came
    from: sample data or not, and which organisations the latest collection missed."""

    collected_on: str
    sample: bool = False
    organisations: int = 0  # every organisation of the package or of the run
    not_collected: tuple[NotCollected, ...] = ()

    @property
    def partial(self) -> bool:
        """True when some organisation was not collected on `collected_on`."""
        return bool(self.not_collected)

    @property
    def collected(self) -> int:
        """How many organisations were collected on `collected_on`."""
        return self.organisations - len(self.not_collected)

    def coverage(self) -> str:
        """E.g. "22 of 31 organisations collected on 2025-10-13" (for a partial run)."""
        return f"{self.collected:,} of {self.organisations:,} organisations collected on " + (
            self.collected_on
        )

    def carried_forward(self) -> int:
        """How many of the organisations not collected are shown with earlier figures."""
        return sum(item.last_collected is not None for item in self.not_collected)


def not_collected(
    organisations: Iterable[Mapping[str, Any]],
    failed: Mapping[str, str],
    configured: Iterable[str] | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[NotCollected, ...]:
    """The organisations a collection missed: those the run's manifests name as failed (with
    their reasons) and those the published data marks stale (a reason from the manifests when
    they give one, else said to be unknown, or that the organisation was not in the run).

    `organisations` are rows of `organisations.csv` (`login`, `name`, `stale`, `collected_on`);
    `configured` the logins of the run, when known; `names` display names by login (config).
    """
    reasons = {str(login).casefold(): str(reason) for login, reason in failed.items()}
    run = {login.casefold() for login in configured} if configured is not None else None
    shown = {str(k).casefold(): str(v) for k, v in (names or {}).items() if v}
    found: dict[str, NotCollected] = {}
    for row in organisations:
        login = str(row["login"])
        key = login.casefold()
        if not _is_true(row.get("stale")) and key not in reasons:
            continue
        reason = reasons.get(key) or (
            REASON_NOT_IN_RUN if run is not None and key not in run else REASON_UNKNOWN
        )
        last = row.get("collected_on") if _is_true(row.get("stale")) else None
        name = row.get("name") if isinstance(row.get("name"), str) else None
        found[key] = NotCollected(login, name or shown.get(key) or login, reason,
                                  str(last) if isinstance(last, str) else None)  # fmt: skip
    for login, reason in failed.items():
        key = str(login).casefold()
        if key not in found:
            found[key] = NotCollected(str(login), shown.get(key) or str(login), str(reason))
    return tuple(sorted(found.values(), key=lambda item: (item.name.casefold(), item.login)))


def _is_true(value: Any) -> bool:
    """True for True and "true" (a boolean column read as text or typed)."""
    return value is True or str(value).lower() == "true"


def build_provenance(
    collected_on: str,
    *,
    sources: Any,
    organisations: Iterable[Mapping[str, Any]],
    failed: Mapping[str, str],
    configured: Iterable[str] | None = None,
    names: Mapping[str, str] | None = None,
    collected: Iterable[str] = (),
) -> Provenance:
    """The `Provenance` of a package's latest collection: sample data when every source is the
    oshs sandbox; the organisations it missed (`not_collected`), out of all it knows of: those
    in the package, those `collected` in the run and those that failed."""
    rows = list(organisations)
    missing = not_collected(rows, failed, configured, names)
    known = {str(row["login"]).casefold() for row in rows}
    known |= {str(login).casefold() for login in collected}
    known |= {item.login.casefold() for item in missing}
    return Provenance(collected_on, from_sandbox(sources), len(known), missing)
