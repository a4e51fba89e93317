"""A counting HTTP proxy on 127.0.0.1: it forwards every request to a target (the sandbox) and
counts what passes, so a client's cost is measured outside the client."""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


class CountingProxy:
    """Forwards to `target` (scheme, host and port of a loopback server); counts requests.

    `statuses` counts responses by status; `last_used` keeps the latest `X-RateLimit-Used`
    header per `X-RateLimit-Resource`, the points the server says were spent.
    """

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target_host, self.target_port = parts.hostname or "127.0.0.1", parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.statuses: Counter[int] = Counter()
        self.last_used: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The proxy's base URL, with the target's path prefix."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    @property
    def requests(self) -> int:
        """How many requests went through."""
        return sum(self.statuses.values())

    def record(self, status: int, headers: http.client.HTTPMessage) -> None:
        """Count one response."""
        with self._lock:
            self.statuses[status] += 1
            used, resource = headers.get("X-RateLimit-Used"), headers.get("X-RateLimit-Resource")
            if used is not None and resource:
                self.last_used[resource] = int(used)

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(proxy: CountingProxy) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            upstream = http.client.HTTPConnection(proxy.target_host, proxy.target_port, timeout=60)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
            finally:
                upstream.close()
            proxy.record(response.status, response.headers)
            self.send_response(response.status)
            for key, value in response.headers.items():
                if key.lower() not in HOP_BY_HOP | {"content-length"}:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_HEAD = forward

    return Forward
