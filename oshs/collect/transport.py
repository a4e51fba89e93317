"""What can go wrong with one HTTP request, named, and each request's overall deadline.

urllib3 (PyGithub's `GithubRetry`, see `oshs.collect.api.CountingRetry`) retries what happens
before an answer arrives: 5xx, 429 and secondary limits, refused or timed-out connections. What
goes wrong after (a body cut mid-way, one that trickles past the deadline, HTML or malformed
JSON, an answer of the wrong shape) is retried by `oshs.collect.api.ApiClient.attempt`. Both
charge the time they lose to the run's one `--max-wait` allowance.

`Deadline` bounds one attempt in wall-clock time, body included (a socket timeout bounds only
each read, so a body trickling one byte a second never times out): a `SIGALRM` timer, in the
main thread on POSIX; elsewhere only the socket timeouts apply. `failure_reason` turns any
exception a request can raise into one line naming the real cause (DNS, refused, timeout, TLS,
cut, HTTP status), never the token.
"""

from __future__ import annotations

import json
import signal
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
from github import GithubException
from urllib3 import exceptions as u3

from oshs.errors import CollectError
from oshs.text import shorten

DEADLINE_FLOOR = 10.0
"""An attempt always gets at least this many seconds (GitHub's own GraphQL timeout), even when
less of `--max-wait` is left; never more than twice `ApiSettings.timeout`."""


class RequestDeadline(Exception):  # not an OSError, so urllib3 never retries it
    """An attempt passed its overall deadline (raised by the `SIGALRM` handler)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


class Deadline:
    """One attempt's overall deadline; paused while a retry sleeps, re-armed after."""

    def __init__(self) -> None:
        self.seconds: float | None = None
        self._armed = False

    @staticmethod
    def available() -> bool:
        """True where a `SIGALRM` timer can interrupt a blocking read (POSIX, main thread)."""
        main = threading.current_thread() is threading.main_thread()
        return hasattr(signal, "setitimer") and main

    @contextmanager
    def running(self, seconds: float | None) -> Iterator[None]:
        """Raise `RequestDeadline` in the body if it runs longer than `seconds`."""
        if seconds is None or seconds <= 0 or not self.available():
            yield
            return

        def expire(signum: int, frame: Any) -> None:
            if self._armed:
                self._armed = False
                raise RequestDeadline(seconds)

        previous = signal.signal(signal.SIGALRM, expire)
        self.seconds = seconds
        self.resume()
        try:
            yield
        finally:
            self.pause()
            self.seconds = None
            signal.signal(signal.SIGALRM, previous)

    def pause(self) -> None:
        """Stop the timer (a retry is about to sleep, or the attempt is over)."""
        if self._armed:
            self._armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)

    def resume(self) -> None:
        """Start a full deadline again (the next attempt of a retry)."""
        if self.seconds is not None:
            self._armed = True
            signal.setitimer(signal.ITIMER_REAL, self.seconds)


def chain(error: BaseException) -> list[BaseException]:
    """`error` and every exception it wraps (`reason`, exception arguments, causes)."""
    seen: list[BaseException] = []
    todo: list[Any] = [error]
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is known for known in seen):
            continue
        seen.append(item)
        todo += [getattr(item, "reason", None), *item.args, item.__cause__, item.__context__]
    return seen


def host_of(url: str | None) -> str:
    """`host:port` of a URL, for messages."""
    parts = urlsplit(url or "")
    return parts.netloc.rpartition("@")[2] or "the API"


def failure_reason(error: BaseException, url: str | None = None) -> str:
    """One line saying why a request (or an organisation) failed: the real cause, no token."""
    if isinstance(error, CollectError):
        return error.message
    if isinstance(error, GithubException):
        meaning = {404: "not found", 451: "unavailable for legal reasons"}.get(error.status)
        return f"HTTP {error.status}: {meaning or shorten(error_message(error.data), 300)}"
    causes = chain(error)
    for kinds, describe in _CAUSES:
        found = next((cause for cause in causes if isinstance(cause, kinds)), None)
        if found is not None:
            return describe(found, host_of(url))
    return f"connection to {host_of(url)} failed ({type(error).__name__})"


def _gave_up(error: BaseException, host: str) -> str:
    text = str(error)
    if "--max-wait" in text:
        return f"gave up: {text}"
    status = next((word for word in text.split() if word.isdigit()), None)
    if status:
        return f"gave up after retries: HTTP {status} from {host} each time"
    if "exceeded" in text or "Max retries" in text:
        return "gave up after retries (server errors or rate limits)"
    return "gave up after retries (server errors or rate limits)"


_CAUSES: list[tuple[Any, Any]] = [
    ((RequestDeadline,), lambda e, host: f"{e} from {host} (deadline)"),
    ((u3.NameResolutionError, socket.gaierror), lambda e, host: f"DNS lookup of {host} failed"),
    ((ConnectionRefusedError,), lambda e, host: f"connection to {host} refused"),
    (
        (ssl.SSLError, u3.SSLError, requests.exceptions.SSLError),
        lambda e, host: f"TLS handshake with {host} failed",
    ),
    ((u3.NewConnectionError,), lambda e, host: f"could not connect to {host}"),
    ((u3.ConnectTimeoutError,), lambda e, host: f"timed out connecting to {host}"),
    (
        (u3.ReadTimeoutError, TimeoutError, requests.exceptions.Timeout),
        lambda e, host: f"timed out waiting for {host}",
    ),
    (
        (json.JSONDecodeError,),
        lambda e, host: f"malformed JSON from {host} ({e.msg} at offset {e.pos})",
    ),
    (
        (
            u3.ProtocolError,
            requests.exceptions.ChunkedEncodingError,
            ConnectionResetError,
            ConnectionAbortedError,
        ),
        lambda e, host: f"the connection to {host} was cut before the answer was complete",
    ),
    ((u3.ResponseError,), _gave_up),
    ((requests.exceptions.RetryError,), _gave_up),
]


def error_message(data: Any) -> str:
    """GitHub's message in an error body: REST's `message`, or GraphQL's first error."""
    if isinstance(data, dict) and isinstance(data.get("data"), str) and "message" not in data:
        return "an HTML or text page instead of JSON"
    if isinstance(data, dict):
        errors = data.get("errors")
        if data.get("message"):
            return str(data["message"])
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return " ".join(str(first.get(key)) for key in ("type", "message") if first.get(key))
    return "request failed"


LOST = (json.JSONDecodeError, requests.exceptions.RequestException)
"""What a request raises when its answer was lost or malformed (`lost_answer` tells which)."""


def asked(times: int) -> str:
    """`asked once`, `asked 3 times`."""
    return {1: "asked once", 2: "asked twice"}.get(times, f"asked {times} times")


def lost_answer(error: BaseException) -> bool:
    """True for a failure after the answer began (retried by `ApiClient.attempt`), False for
    one urllib3 already retried (connection refused, DNS, 5xx: a `MaxRetryError` inside)."""
    causes = chain(error)
    if any(isinstance(cause, u3.MaxRetryError) for cause in causes):
        return False
    return isinstance(
        error,
        RequestDeadline
        | json.JSONDecodeError
        | requests.exceptions.ChunkedEncodingError
        | requests.exceptions.ContentDecodingError
        | requests.exceptions.ConnectionError,
    )
