"""An offline GitHub API sandbox: a loopback HTTP server answering like GitHub from a dataset.

>>> with Sandbox(dataset) as sandbox:          # doctest: +SKIP
...     Github(auth=Auth.Token("x"), base_url=sandbox.url).get_organization("nhsengland")

The dataset format is described in docs/architecture.md; SPEC §6 says what the sandbox does.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from oshs.errors import SandboxError
from oshs.sandbox.gitlab import serve as serve_gitlab
from oshs.sandbox.graphql import serve as serve_graphql
from oshs.sandbox.ratelimit import RateLimiter, RateStatus
from oshs.sandbox.rest import DatasetIndex
from oshs.sandbox.server import (
    Context,
    Handler,
    Interceptor,
    Reply,
    RequestRecord,
    Route,
    SandboxServer,
)

__all__ = ["Context", "RateLimiter", "RateStatus", "Reply", "RequestRecord", "Sandbox"]

PREFIX = re.compile(r"(/[A-Za-z0-9._~\-]+)*")


class Sandbox:
    """A GitHub API sandbox serving `dataset` on ``http://host:port`` + `prefix`.

    `prefix` mounts the API below a path, e.g. ``"/api/v3"`` as on GitHub Enterprise Server;
    `latency` adds seconds to every response; `rate_limiter` replaces the default limits
    (5000/hour authenticated, 60/hour unauthenticated). `port=0` picks a free port.
    """

    def __init__(
        self,
        dataset: Mapping[str, Any],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        prefix: str = "",
        latency: float = 0.0,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        prefix = prefix.rstrip("/")
        if prefix and not prefix.startswith("/"):
            prefix = "/" + prefix
        if not PREFIX.fullmatch(prefix):
            raise SandboxError(f"sandbox prefix {prefix!r}: expected a path such as '/api/v3'")
        if latency < 0:
            raise SandboxError(f"sandbox latency {latency!r}: expected seconds >= 0")
        self._index = DatasetIndex(dataset)
        self._host, self._port, self._prefix, self._latency = host, port, prefix, latency
        self._limiter = rate_limiter or RateLimiter()
        self._extra_routes: list[Route] = []
        self._interceptors: list[Interceptor] = []
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None
        # POST /graphql below the mount prefix, as on GitHub, charged to its own resource
        self.add_route("POST", r"/graphql/?", serve_graphql, resource="graphql", cost=0)
        # GitLab's REST API below /gitlab/api/v4, with GitLab's own rate limit and headers
        self.add_route("GET", r"/gitlab/api/v4(/.*)?", serve_gitlab, resource="gitlab", cost=0)

    def __repr__(self) -> str:
        state = "running" if self._server else "stopped"
        return f"<Sandbox {self.url if self._server else self._host} {state}>"

    def start(self) -> Sandbox:
        """Bind and serve in a daemon thread; returns self. Starting twice is a no-op."""
        if self._server is not None:
            return self
        try:
            server = SandboxServer(
                (self._host, self._port),
                self._index,
                prefix=self._prefix,
                latency=self._latency,
                limiter=self._limiter,
            )
        except OSError as exc:
            raise SandboxError(
                f"sandbox cannot listen on {self._host}:{self._port}: {exc.strerror or exc}"
            ) from None
        server.routes[:0] = self._extra_routes
        server.interceptors.extend(self._interceptors)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.name = f"oshs-sandbox-{server.server_address[1]}"
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _running(self) -> SandboxServer:
        if self._server is None:
            raise SandboxError("sandbox is not running: call start() first")
        return self._server

    @property
    def port(self) -> int:
        """The TCP port the sandbox listens on (after start)."""
        return int(self._running().server_address[1])

    @property
    def url(self) -> str:
        """The API base URL, e.g. ``http://127.0.0.1:54321`` or ``…/api/v3``."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}{self._prefix}"

    @property
    def gitlab_url(self) -> str:
        """The GitLab instance URL (REST below ``/api/v4``), e.g. ``http://127.0.0.1:54321/gitlab``."""
        return f"{self.url}/gitlab"

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the request log (oldest first); tokens are never recorded."""
        server = self._running()
        with server.log_lock:
            return list(server.log)

    def reset_log(self) -> None:
        """Empty the request log."""
        server = self._running()
        with server.log_lock:
            server.log.clear()

    @property
    def rate_limiter(self) -> RateLimiter:
        """The rate-limit accounting shared by every endpoint (``reset()`` to refill)."""
        return self._limiter

    @property
    def dataset(self) -> Mapping[str, Any]:
        """The dataset being served."""
        return self._index.dataset

    def set_dataset(self, dataset: Mapping[str, Any]) -> None:
        """Serve `dataset` from now on (e.g. repositories added or removed between pages)."""
        self._index = DatasetIndex(dataset)
        if self._server is not None:
            self._server.index = self._index

    def add_route(
        self, method: str, pattern: str, handler: Handler, *, resource: str = "core", cost: int = 1
    ) -> None:
        """Serve `method` on paths (below the prefix) fully matching regex `pattern`.

        `handler(context) -> Reply` sees the match groups as `context.params`; each request
        costs `cost` points of `resource` unless the reply sets its own `cost`. Added routes
        take precedence over the built-in ones.
        """
        route = Route(method.upper(), re.compile(pattern), handler, resource, cost)
        self._extra_routes.append(route)
        if self._server is not None:
            self._server.routes.insert(len(self._extra_routes) - 1, route)

    def add_interceptor(self, interceptor: Interceptor) -> None:
        """Call `interceptor(context)` before routing; a `Reply` it returns is sent as is.

        For fault injection: the reply's `cost` (default 0) is charged to the route's resource.
        """
        self._interceptors.append(interceptor)
        if self._server is not None:
            self._server.interceptors.append(interceptor)
