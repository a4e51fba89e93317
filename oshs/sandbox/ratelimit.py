"""Primary rate-limit accounting of the sandbox, shared by its REST and GraphQL endpoints.

Each identity (a token, or the client address when unauthenticated) has one window per
resource (``core`` for REST, ``graphql``, ``search``): the window opens with the first charge,
lasts an hour, and resets to the full limit afterwards, as GitHub's primary limits do.
"""

from __future__ import annotations

import hashlib
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

AUTHENTICATED_LIMITS: Mapping[str, int] = {"core": 5000, "graphql": 5000, "search": 30}
UNAUTHENTICATED_LIMITS: Mapping[str, int] = {"core": 60, "graphql": 0, "search": 10}
WINDOW_SECONDS = 3600
RATE_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"


@dataclass(frozen=True)
class RateStatus:
    """The state of one identity's window for one resource."""

    resource: str
    limit: int
    used: int
    reset: int

    @property
    def remaining(self) -> int:
        """Points left in the window (never negative)."""
        return max(0, self.limit - self.used)

    def headers(self) -> dict[str, str]:
        """The ``X-RateLimit-*`` response headers GitHub sends for this state."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
            "X-RateLimit-Used": str(self.used),
            "X-RateLimit-Resource": self.resource,
        }

    def as_json(self) -> dict[str, int]:
        """The ``rate-limit`` object of GitHub's ``/rate_limit`` body."""
        return {
            "limit": self.limit,
            "used": self.used,
            "remaining": self.remaining,
            "reset": self.reset,
        }


class RateLimiter:
    """Thread-safe per-identity, per-resource primary rate-limit windows."""

    def __init__(
        self,
        authenticated: Mapping[str, int] | None = None,
        unauthenticated: Mapping[str, int] | None = None,
        *,
        window: int = WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._limits = {
            True: {**AUTHENTICATED_LIMITS, **(authenticated or {})},
            False: {**UNAUTHENTICATED_LIMITS, **(unauthenticated or {})},
        }
        self._window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], tuple[int, int]] = {}  # -> (used, reset)

    def limit(self, resource: str, authenticated: bool) -> int:
        """The limit of `resource` per window for (un)authenticated identities."""
        return self._limits[authenticated].get(resource, 0)

    def _current(self, identity: str, resource: str) -> tuple[int, int]:
        now = int(self._clock())
        used, reset = self._windows.get((identity, resource), (0, now + self._window))
        if now >= reset:
            return 0, now + self._window
        return used, reset

    def status(self, identity: str, resource: str, authenticated: bool) -> RateStatus:
        """The window of `identity` for `resource`, without charging anything."""
        with self._lock:
            used, reset = self._current(identity, resource)
        return RateStatus(resource, self.limit(resource, authenticated), used, reset)

    def charge(self, identity: str, resource: str, authenticated: bool, cost: int) -> RateStatus:
        """Spend `cost` points of `resource` for `identity` and return the new state.

        The caller checks `status(...).remaining` first; a charge larger than what is left
        saturates the window (used may then exceed the limit, remaining stays 0).
        """
        with self._lock:
            used, reset = self._current(identity, resource)
            if cost > 0:
                used += cost
                self._windows[(identity, resource)] = (used, reset)
        return RateStatus(resource, self.limit(resource, authenticated), used, reset)

    def overview(self, identity: str, authenticated: bool) -> dict[str, object]:
        """GitHub's ``rate-limit-overview`` body (``GET /rate_limit``) for `identity`."""
        resources = {
            name: self.status(identity, name, authenticated).as_json()
            for name in sorted(self._limits[authenticated])
        }
        return {"resources": resources, "rate": resources["core"]}

    def reset(self) -> None:
        """Forget every window (all identities start afresh)."""
        with self._lock:
            self._windows.clear()


def identity_of(token: str | None, client_ip: str) -> str:
    """A rate-limit identity: a digest of the token (never the token), or the client address."""
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:24]
    return "ip:" + client_ip


def exceeded_body(identity: str, resource: str = "core") -> dict[str, str]:
    """GitHub's 403 body for an exhausted primary rate limit of `identity`."""
    if identity.startswith("token:"):
        user_id = zlib.crc32(identity.encode()) % 10**8
        message = f"API rate limit exceeded for user ID {user_id}."
    else:
        message = (
            f"API rate limit exceeded for {identity.removeprefix('ip:')}. (But here's the "
            "good news: Authenticated requests get a higher rate limit. Check out the "
            "documentation for more details.)"
        )
    if resource == "graphql":
        message = message.replace("API rate limit", "API rate limit already")
    return {"message": message, "documentation_url": RATE_DOCS, "status": "403"}
