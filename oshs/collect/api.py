"""The API client of a collection: PyGithub configured for GitHub, every request counted,
and the rate-limit budget that decides whether the next piece of work can be paid for."""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from github import Auth, Github, GithubRetry
from urllib3.exceptions import MaxRetryError, ResponseError

from oshs.api_settings import ApiSettings
from oshs.collect.transport import (
    DEADLINE_FLOOR,
    LOST,
    Deadline,
    RequestDeadline,
    asked,
    failure_reason,
    lost_answer,
)
from oshs.errors import BudgetExhausted, CollectError, OddAnswer

log = logging.getLogger(__name__)

PER_PAGE = 100
ATTEMPTS = 3
"""Attempts of one request whose answer was lost or odd (urllib3's own retries aside)."""
T = TypeVar("T")


@dataclass
class Waits:
    """Seconds a run has spent waiting (retry backoffs, `Retry-After`, rate-limit resets),
    against its one allowance, `--max-wait`."""

    limit: float
    spent: float = 0.0
    attempt_started: float = field(default_factory=time.monotonic)
    timer: Deadline = field(default_factory=Deadline)

    def allows(self, seconds: float) -> bool:
        """True when waiting `seconds` more stays within the allowance."""
        return self.spent + seconds <= self.limit

    @property
    def remaining(self) -> float:
        """Seconds of the allowance not spent yet."""
        return max(0.0, self.limit - self.spent)

    def exhausted(self) -> bool:
        """True once failed requests and waits have cost more than the allowance."""
        return self.spent > self.limit

    def charge_attempt(self) -> float:
        """Charge the time since the current attempt started (it failed without an answer)."""
        now = time.monotonic()
        lost = max(0.0, now - self.attempt_started)
        self.spent += lost
        self.attempt_started = now
        return lost


class CountingRetry(GithubRetry):
    """PyGithub's GitHub-aware retry, counting every retry and charging every wait to the
    run's `Waits`, which all its copies share (urllib3 makes a new Retry on each attempt)."""

    def __init__(
        self, *, counter: list[int] | None = None, waits: Waits | None = None, **kwargs: Any
    ) -> None:
        self.counter = counter if counter is not None else [0]
        self.waits = waits if waits is not None else Waits(float("inf"))
        super().__init__(**kwargs)

    def new(self, **kwargs: Any) -> CountingRetry:
        """A copy for the next attempt, sharing the counter and the waits."""
        retry = super().new(counter=self.counter, waits=self.waits, **kwargs)
        assert isinstance(retry, CountingRetry)  # urllib3 builds it with type(self)
        return retry

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> CountingRetry:
        """Count the retry, charge an attempt that got no answer (a timeout, a refused
        connection) to `--max-wait`, then let PyGithub decide whether and how long to wait."""
        self.counter[0] += 1
        if error is not None and response is None:
            self.waits.charge_attempt()
            if self.waits.exhausted():
                raise MaxRetryError(_pool, url or "", error)
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        assert isinstance(retry, CountingRetry)  # GithubRetry builds the next one with `new`
        return retry

    def sleep(self, response: Any = None) -> None:
        """Wait as PyGithub decided, unless that would pass `--max-wait` in all: then give up.

        The attempt's deadline is paused while sleeping; the next attempt gets a full one."""
        after = self.get_retry_after(response) if response is not None else None
        wait = after if after is not None else self.get_backoff_time()
        if not self.waits.allows(wait):
            limit = f"--max-wait {self.waits.limit:g} s"
            reason = ResponseError(f"waiting {wait:g} s more would pass {limit}")
            raise MaxRetryError(None, "", reason)  # type: ignore[arg-type]
        self.waits.timer.pause()
        started = time.monotonic()
        try:
            super().sleep(response)
        finally:
            self.waits.spent += time.monotonic() - started
            self.waits.attempt_started = time.monotonic()
            self.waits.timer.resume()


def connect(settings: ApiSettings) -> Github:
    """A PyGithub client for `settings`: GitHub-aware retries (5xx, 429 and secondary limits
    with `Retry-After`) whose waits are bounded by `max_wait`. `github.retries` counts them."""
    retry = CountingRetry(
        waits=Waits(settings.max_wait),
        total=5,
        status_forcelist=[*range(500, 600), 429],
        backoff_factor=settings.backoff_factor,
        backoff_max=min(60.0, settings.max_wait),
        max_rate_limit_wait=settings.max_wait,
        secondary_rate_wait=min(60.0, settings.max_wait),
    )
    auth = Auth.Token(settings.token) if settings.token else None
    github = Github(
        auth=auth,
        base_url=settings.api_url.rstrip("/"),
        per_page=PER_PAGE,
        retry=retry,
        timeout=max(1, math.ceil(settings.timeout)),  # per read; `Deadline` bounds the whole
        seconds_between_requests=settings.seconds_between_requests,
        seconds_between_writes=settings.seconds_between_requests,  # GraphQL queries are POSTs
    )
    github.retries = retry.counter  # type: ignore[attr-defined]
    github.waits = retry.waits  # type: ignore[attr-defined]
    return github


class ApiClient:
    """Sends GET requests through PyGithub's requester, counting each and its rate limit.

    With an ETag cache (`{url: {"etag", "body"}}`), requests are conditional: a 304 costs no
    rate limit and the cached body is used. Only public data is ever put in the cache.
    """

    def __init__(
        self,
        github: Github,
        api_url: str,
        etags: dict[str, Any] | None = None,
        *,
        timeout: float = 30.0,
        backoff_factor: float = 0.5,
    ) -> None:
        self.requester = github.requester
        self.retries: list[int] = getattr(github, "retries", [0])
        self.waits: Waits = getattr(github, "waits", None) or Waits(float("inf"))
        self.api_url = api_url.rstrip("/")
        self.etags = etags
        self.timeout = timeout
        self.backoff_factor = backoff_factor
        self.requests = 0
        self.not_modified = 0
        self.rate_limit: dict[str, int] = {}

    def get(
        self,
        url: str,
        parameters: dict[str, Any] | None = None,
        check: Callable[[Any], None] | None = None,
    ) -> tuple[dict, Any]:
        """GET `url` (a path below the API URL, or an absolute URL the API gave us).

        `check(body)` raises `OddAnswer` for an answer that is not what GitHub sends; like a
        lost answer, it is asked again (`attempt`)."""
        absolute = self.absolute(url, parameters)
        cached = self.etags.get(absolute) if self.etags is not None else None
        conditional = {"If-None-Match": cached["etag"]} if cached else None

        def once() -> tuple[dict, Any]:
            self.requests += 1
            headers, body = self.requester.requestJsonAndCheck("GET", url, parameters, conditional)
            self._remember_rate_limit(headers)
            if body is None and cached is not None:  # 304 Not Modified: may come without a Link
                self.not_modified += 1
                headers = {"link": cached.get("link"), **headers}
                body = copy.deepcopy(cached["body"])
            if check is not None:
                check(body)
            return headers, body

        return self.attempt(absolute, once)

    def deadline(self) -> float:
        """The overall deadline of the next attempt, body included: twice `timeout` (which bounds
        each read), or what is left of `--max-wait` when that is less, but never less than
        `DEADLINE_FLOOR` (unless twice `timeout` is less)."""
        return min(2 * self.timeout, max(self.waits.remaining, DEADLINE_FLOOR))

    def attempt(self, url: str, once: Callable[[], T]) -> T:
        """`once()` with an overall deadline, asked again (with backoff) when its answer was lost
        (cut, past the deadline, malformed) or odd, while `--max-wait` allows. Every second lost
        is charged; past the allowance, or after `ATTEMPTS`, a `CollectError` names the cause."""
        for number in range(1, ATTEMPTS + 1):
            started, charged = time.monotonic(), self.waits.spent
            self.waits.attempt_started = started
            try:
                with self.waits.timer.running(self.deadline()):
                    return once()
            except (OddAnswer, RequestDeadline, *LOST) as error:
                if not isinstance(error, OddAnswer | RequestDeadline) and not lost_answer(error):
                    raise
                failure: Exception = error
            self.waits.spent += max(0.0, time.monotonic() - started - (self.waits.spent - charged))
            backoff = self.backoff_factor * 2 ** (number - 1)
            if number == ATTEMPTS or self.waits.exhausted() or not self.waits.allows(backoff):
                break
            log.info("%s (attempt %d): asking again", failure_reason(failure, url), number)
            self.retries[0] += 1
            time.sleep(backoff)
            self.waits.spent += backoff
        spent = f"; --max-wait {self.waits.limit:g} s spent" if self.waits.exhausted() else ""
        raise CollectError(f"{failure_reason(failure, url)} ({asked(number)}){spent}") from failure

    def remember(self, absolute_url: str, headers: dict[str, Any], public_body: Any) -> None:
        """Cache the public part of a response under its ETag, for the next run's 304."""
        etag = headers.get("etag")
        if self.etags is not None and etag:
            entry = {"etag": etag, "body": public_body, "link": headers.get("link")}
            self.etags[absolute_url] = entry

    def absolute(self, url: str, parameters: dict[str, Any] | None = None) -> str:
        """The absolute URL of a request, for the raw snapshot's record."""
        full = url if "://" in url else f"{self.api_url}{url}"
        if parameters:
            query = "&".join(f"{key}={value}" for key, value in parameters.items())
            full = f"{full}{'&' if '?' in full else '?'}{query}"
        return full

    def _remember_rate_limit(self, headers: dict[str, Any]) -> None:
        """Keep the `X-RateLimit-*` headers of the latest response."""
        for name in ("limit", "remaining", "used", "reset"):
            value = headers.get(f"x-ratelimit-{name}")
            if value is not None and str(value).isdigit():
                self.rate_limit[name] = int(value)


@dataclass
class Budget:
    """The run's rate-limit budget: it waits for a reset only within `max_wait` in all."""

    max_wait: float
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    waited: float = 0.0
    waits: Waits | None = None  # shared with the retries; made from max_wait and waited if None

    def __post_init__(self) -> None:
        if self.waits is None:
            self.waits = Waits(self.max_wait, self.waited)

    @property
    def allowance(self) -> Waits:
        """The waiting allowance this budget shares with the retries."""
        assert self.waits is not None  # set by __post_init__
        return self.waits

    def ensure(self, client: ApiClient, needed: int) -> None:
        """Return when `needed` points are left, waiting for the reset if that fits."""
        remaining, reset = client.rate_limit.get("remaining"), client.rate_limit.get("reset")
        if remaining is None or remaining >= needed:
            return
        wait = max(0.0, (reset or 0) - self.clock()) + 1.0
        if not self.allowance.allows(wait):
            when = datetime.fromtimestamp(reset or 0, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            raise BudgetExhausted(
                f"rate limit exhausted: {needed} needed, {remaining} left until {when}, "
                f"beyond --max-wait {self.max_wait:g} s"
            )
        log.warning(
            "rate limit: %d left, %d needed; waiting %.0f s for the reset", remaining, needed, wait
        )
        self.sleep(wait)
        self.allowance.spent += wait
        client.rate_limit.pop("remaining", None)  # unknown until the next response
