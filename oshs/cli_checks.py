"""The checks of command-line values that no click type makes, each a one-line `UsageError`
(exit 2), and the one line for an error nothing else foresaw."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from oshs.errors import UsageError
from oshs.files import describe_os_error

CLOCK_SKEW = timedelta(minutes=5)
_URL_EXPECTED = "expected https://HOST[:PORT][/PATH] (http:// only on 127.0.0.1 or localhost)"


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(value: str, option: str = "--api-url") -> str:
    """`--api-url` (or `option`) as given, when it is a URL a client and a token may be sent to."""
    parts = urlsplit(value.strip())
    try:
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
    host = parts.hostname or ""
    problem = None
    if parts.scheme not in ("https", "http") or not host or not port_ok:
        problem = "not an http(s) URL with a host"
    elif parts.username or parts.password:
        problem = "credentials do not belong in the URL (the token is read from GITHUB_TOKEN)"
    elif parts.query or parts.fragment:
        problem = "a base URL has no query or fragment"
    elif parts.scheme == "http" and not is_loopback(host):
        problem = "plain http would send the token unencrypted"
    if problem:
        raise UsageError(f"{option} {value!r}: {problem}; {_URL_EXPECTED}")
    return value.strip()


def collection_time(collected_at: datetime | None, now: datetime | None = None) -> datetime:
    """The given collection time (read as UTC), else now, to the second; a time in the future
    is refused: it would date a collection that was not made (and outrank every real one)."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    moment = collected_at.replace(tzinfo=UTC) if collected_at else now
    if moment > now + CLOCK_SKEW:
        raise UsageError(
            f"--collected-at {moment:%Y-%m-%dT%H:%M:%SZ}: in the future (now "
            f"{now:%Y-%m-%dT%H:%M:%SZ}); expected the time of a collection already made"
        )
    return moment.replace(microsecond=0)


def unexpected_line(error: BaseException) -> str:
    """One line for an error no stage turned into an `OshsError`."""
    if isinstance(error, OSError):
        return f"error: {describe_os_error(error)}"
    return f"error: unexpected {type(error).__name__} (run with --debug for a traceback)"
