"""A fault-injecting HTTP proxy on 127.0.0.1: it forwards to a target (the sandbox) and spoils
chosen answers on the way, as networks and overloaded servers do.

>>> with FaultProxy(sandbox.url) as proxy:                       # doctest: +SKIP
...     proxy.add(Fault(r"/orgs/nhsx", "body", body=b"<html>busy</html>", times=2))
...     collect through proxy.url

Kinds of fault (`Fault.kind`):

- `body`: answer `status` with `body` (HTML, malformed JSON, any bytes) instead of the real one;
- `cut`: send the real headers (full `Content-Length`), `keep` bytes of the body, then close;
- `trickle`: send the real answer one byte every `interval` seconds;
- `reset`: close the connection without answering;
- `hang`: accept the request and never answer (until `interval` seconds have passed);
- `edit`: answer the real status with `edit(json_body)` (a function) as the body.

Each fault applies to the first `times` requests whose path (query string excluded) fully
matches `path` (and `method`, and holds `request_contains` in its body, if given); `times=-1`
means every one. `hits` counts them.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from oshs.errors import SandboxError
from oshs.sandbox.proxy import HOP_BY_HOP

KINDS = ("body", "cut", "trickle", "reset", "hang", "edit")


@dataclass
class Fault:
    """One fault: what to spoil (`path` regex, `method`), how (`kind`) and how often (`times`)."""

    path: str
    kind: str
    times: int = 1
    method: str | None = None
    request_contains: str | None = None
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    keep: int = 20
    interval: float = 1.0
    edit: Callable[[Any], Any] | None = None
    hits: int = 0
    pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SandboxError(f"fault kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        self.pattern = re.compile(self.path)

    def matches(self, method: str, path: str, body: bytes) -> bool:
        """True when this fault applies to a request (and still has uses left)."""
        if self.times >= 0 and self.hits >= self.times:
            return False
        if self.request_contains is not None and self.request_contains.encode() not in body:
            return False
        return (self.method in (None, method)) and bool(self.pattern.fullmatch(path))


class _QuietServer(ThreadingHTTPServer):
    """A threading server that does not print the errors of clients that hang up (normal here)."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing: a client giving up on a trickling answer is the point of the fault."""


class FaultProxy:
    """Forwards to `target` (a loopback `http://host:port[/prefix]`), applying `faults`."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target_host, self.target_port = parts.hostname or "127.0.0.1", parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The proxy's base URL, with the target's path prefix."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    def add(self, fault: Fault) -> Fault:
        """Apply `fault` from now on; returns it (its `hits` count the spoiled answers)."""
        with self.lock:
            self.faults.append(fault)
        return fault

    def take(self, method: str, path: str, body: bytes = b"") -> Fault | None:
        """The first fault that applies to a request, counted as used."""
        below = path.split("?", 1)[0]
        below = below[len(self.prefix) :] if below.startswith(self.prefix) else below
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, below, body):
                    fault.hits += 1
                    return fault
        return None

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def fetch_upstream(
    proxy: FaultProxy, method: str, path: str, headers: Any, body: bytes
) -> tuple[int, dict[str, str], bytes]:
    """The target's real answer to a request: status, headers (hop-by-hop left out), body."""
    sent = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
    connection = http.client.HTTPConnection(proxy.target_host, proxy.target_port, 60)
    try:
        connection.request(method, path, body=body or None, headers=sent)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    kept = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in HOP_BY_HOP | {"content-length"}
    }
    return response.status, kept, data


def send_body(out: Any, data: bytes, fault: Fault | None) -> bool:
    """Write `data` as `fault` says (whole, cut or trickling); True: close the connection."""
    if fault is None or fault.kind not in ("cut", "trickle"):
        out.write(data)
        return False
    if fault.kind == "cut":
        out.write(data[: fault.keep])
        return True
    for index in range(len(data)):
        out.write(data[index : index + 1])
        out.flush()
        time.sleep(fault.interval)
    return False


def _handler_for(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Spoil(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.request_body = self.rfile.read(length) if length else b""
            fault = proxy.take(self.command, self.path, self.request_body)
            if fault is not None and fault.kind in ("reset", "hang"):
                time.sleep(fault.interval if fault.kind == "hang" else 0)
                self.close_connection = True
                return
            if fault is not None and fault.kind == "body":
                self.answer(fault.status, {"Content-Type": fault.content_type}, fault.body)
                return
            status, headers, data = self.upstream()
            if fault is not None and fault.kind == "edit" and fault.edit is not None:
                data = json.dumps(fault.edit(json.loads(data))).encode()
            self.answer(status, headers, data, fault)

        def upstream(self) -> tuple[int, dict[str, str], bytes]:
            return fetch_upstream(proxy, self.command, self.path, self.headers, self.request_body)

        def answer(
            self, status: int, headers: dict[str, str], data: bytes, fault: Fault | None = None
        ) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.close_connection = send_body(self.wfile, data, fault)

        do_GET = do_POST = do_HEAD = forward

    return Spoil
