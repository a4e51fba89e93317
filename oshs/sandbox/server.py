"""The sandbox's HTTP layer: a loopback ThreadingHTTPServer answering like GitHub's REST API.

Every request goes through `SandboxHandler._serve`: strip the mount prefix, identify the caller
(token or client address), check the primary rate limit, run the route, answer 304 to a
matching ``If-None-Match`` (free), charge the rest, add GitHub's headers, log the request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import math
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from oshs.sandbox import rest
from oshs.sandbox.ratelimit import RateLimiter, exceeded_body, identity_of
from oshs.sandbox.rest import DatasetIndex, Viewer, error_body

LOG = logging.getLogger("oshs.sandbox")
HOST_HEADER = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


@dataclass(frozen=True)
class RequestRecord:
    """One served request; the token is never kept, only whether one was sent."""

    method: str
    path: str  # below the mount prefix, e.g. "/orgs/nhsengland/repos"
    query: dict[str, str]
    status: int
    authenticated: bool
    cost: int
    resource: str = "core"


@dataclass
class Context:
    """What a route handler sees of a request."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Any  # http.client.HTTPMessage
    body: bytes
    base_url: str  # scheme, host and port the client used, plus the mount prefix
    viewer: Viewer
    identity: str
    index: DatasetIndex
    limiter: RateLimiter
    mounted: bool = True  # False when the path is outside the mount prefix
    params: tuple[str, ...] = ()

    def arg(self, name: str, default: str = "") -> str:
        """The first value of query parameter `name`."""
        return next((value for key, value in self.query if key == name), default)


@dataclass
class Reply:
    """A route's answer; `cost` None means the route's default cost."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    cost: int | None = None


Handler = Callable[[Context], Reply]
Interceptor = Callable[[Context], "Reply | None"]


@dataclass(frozen=True)
class Route:
    """A method and path pattern served by `handler`, charged `cost` points of `resource`."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    resource: str = "core"
    cost: int = 1


class SandboxServer(ThreadingHTTPServer):
    """The HTTP server and the sandbox state its handlers share."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], index: DatasetIndex, **options: Any) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, SandboxHandler)
        self.index = index
        self.prefix: str = options.get("prefix", "")
        self.latency: float = options.get("latency", 0.0)
        self.limiter: RateLimiter = options.get("limiter") or RateLimiter()
        self.routes: list[Route] = list(default_routes())
        self.interceptors: list[Interceptor] = []
        self.log: list[RequestRecord] = []
        self.log_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet on stderr (clients that hang up are normal); keep it in the logger."""
        LOG.debug("sandbox connection error from %s", client_address, exc_info=True)

    def record(self, entry: RequestRecord) -> None:
        """Append `entry` to the request log."""
        with self.log_lock:
            self.log.append(entry)


def read_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: token X`` / ``Bearer X`` / ``Basic`` header."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "basic":
        try:
            credentials = base64.b64decode(credentials).decode().partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return None
    return credentials or None


def first_values(query: list[tuple[str, str]]) -> dict[str, str]:
    """The first value of each query parameter, in order, never an ``access_token``."""
    values: dict[str, str] = {}
    for key, value in query:
        if key != "access_token":
            values.setdefault(key, value)
    return values


def encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON as GitHub sends it (ASCII escapes if a string is not valid UTF-8)."""
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        return json.dumps(body, separators=(",", ":")).encode()


def etag_of(payload: bytes) -> str:
    """A weak validator of a response body, as GitHub sends (``W/"<sha256>"``)."""
    return 'W/"' + hashlib.sha256(payload).hexdigest() + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison of ``If-None-Match`` (a list of tags, or ``*``) with `etag`."""
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    bare = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == bare for tag in tags)


class SandboxHandler(BaseHTTPRequestHandler):
    """Serves one connection (keep-alive, HTTP/1.1, Content-Length on every body)."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, delayed ACKs add ~40 ms each.
    disable_nagle_algorithm = True
    server: SandboxServer

    def version_string(self) -> str:
        """The ``Server`` header GitHub sends."""
        return "github.com"

    def log_message(self, format: str, *args: Any) -> None:
        """No stderr logging (the request log is `Sandbox.requests`)."""

    def do_GET(self) -> None:
        """Serve a GET."""
        self._serve()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _context(self) -> Context:
        length = rest.bounded(self.headers.get("Content-Length") or "", 0, 0)
        body = self.rfile.read(length) if length > 0 else b""
        parts = urlsplit(self.path)
        prefix, path = self.server.prefix, parts.path
        if prefix.endswith("/v3") and path.rstrip("/") == prefix[:-3] + "/graphql":
            path = prefix + "/graphql"  # GitHub Enterprise Server: …/api/v3 → …/api/graphql
        mounted = not prefix or path == prefix or path.startswith(prefix + "/")
        path = path[len(prefix) :] if prefix and mounted else path
        token = read_token(self.headers.get("Authorization"))
        host = self.headers.get("Host", "")
        if not HOST_HEADER.fullmatch(host):
            host = "{}:{}".format(*self.server.server_address[:2])
        return Context(
            method=self.command,
            path=path or "/",
            mounted=mounted,
            query=parse_qsl(parts.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
            base_url=f"http://{host}{prefix}",
            viewer=Viewer.from_token(token),
            identity=identity_of(token, self.client_address[0]),
            index=self.server.index,
            limiter=self.server.limiter,
        )

    def _route(self, ctx: Context) -> Route | None:
        if not ctx.mounted:
            return None
        method = "GET" if ctx.method == "HEAD" else ctx.method
        for route in self.server.routes:
            match = route.pattern.fullmatch(ctx.path)
            if route.method == method and match:
                ctx.params = tuple(match.groups())
                return route
        return None

    def _answer(self, ctx: Context) -> tuple[Reply, str, int]:
        """Run the request; returns the reply, the rate-limit resource and the points spent."""
        route = self._route(ctx)
        resource, cost = (route.resource, route.cost) if route else ("core", 1)
        auth = ctx.viewer.authenticated
        for intercept in self.server.interceptors:
            reply = intercept(ctx)
            if reply is not None:
                return reply, resource, 0 if reply.cost is None else reply.cost
        if cost and ctx.limiter.status(ctx.identity, resource, auth).remaining <= 0:
            return Reply(403, exceeded_body(ctx.identity, resource)), resource, 0
        reply = route.handler(ctx) if route else Reply(404, error_body(404))
        cost = cost if reply.cost is None else reply.cost
        return reply, resource, cost

    def _serve(self) -> None:
        started = time.monotonic()
        ctx = self._context()
        try:
            reply, resource, cost = self._answer(ctx)
        except Exception:
            LOG.exception("sandbox route failed: %s %s", ctx.method, ctx.path)
            reply, resource, cost = Reply(500, error_body(500, "Server Error")), "core", 1
        payload = b"" if reply.body is None else encode_json(reply.body)
        headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
        if reply.status == 200 and ctx.method in ("GET", "HEAD"):
            headers["ETag"] = etag_of(payload)
            if etag_matches(self.headers.get("If-None-Match"), headers["ETag"]):
                reply, payload, cost = Reply(304), b"", 0
        status = ctx.limiter.charge(ctx.identity, resource, ctx.viewer.authenticated, cost)
        if resource != "gitlab":  # GitLab's routes send their own RateLimit-* headers
            headers.update(status.headers())
        self.server.record(
            RequestRecord(
                method=ctx.method,
                path=ctx.path,
                query=first_values(ctx.query),
                status=reply.status,
                authenticated=ctx.viewer.authenticated,
                cost=cost,
                resource=resource,
            )
        )
        delay = self.server.latency - (time.monotonic() - started)
        if delay > 0:
            time.sleep(delay)
        self._send(reply.status, headers, payload)

    def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        self.send_response(status, rest.REASONS.get(status))
        headers.setdefault("Vary", "Accept, Authorization, Cookie, Accept-Encoding")
        headers.setdefault("X-GitHub-Media-Type", "github.v3; format=json")
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if status != 304 and self.command != "HEAD":
            self.wfile.write(payload)


# --- REST routes ---------------------------------------------------------------------------

REPO_TYPES = ("all", "public", "private", "forks", "sources", "member")
SORT_FIELDS = {"created": "created_at", "updated": "updated_at", "pushed": "pushed_at"}


def not_found() -> Reply:
    """GitHub's 404."""
    return Reply(404, error_body(404))


def select_repositories(org: rest.Json, viewer: Viewer, kind: str) -> list[rest.Json]:
    """The repositories of `org` that `viewer` sees, filtered by the ``type`` parameter.

    As on GitHub: ``all`` (also any unknown value) is every visible repository, ``private``
    is private and internal ones (members only), ``member`` is what membership gives (nothing
    for non-members), ``forks`` and ``sources`` split forks from the rest.
    """
    visible = [repo for repo in org.get("repositories", []) if viewer.can_see(org, repo)]
    selectors: dict[str, Callable[[rest.Json], bool]] = {
        "public": lambda repo: repo.get("visibility", "public") == "public",
        "private": lambda repo: repo.get("visibility", "public") != "public",
        "forks": lambda repo: bool(repo.get("fork")),
        "sources": lambda repo: not repo.get("fork"),
        "member": lambda repo: viewer.is_member(org),
    }
    keep = selectors.get(kind)
    return visible if keep is None else [repo for repo in visible if keep(repo)]


def sort_repositories(repos: list[rest.Json], sort: str, direction: str) -> list[rest.Json]:
    """Order by ``sort`` (created, updated, pushed, full_name) and ``direction`` (ties: id)."""
    sort = sort if sort in (*SORT_FIELDS, "full_name") else "created"
    if direction not in ("asc", "desc"):
        direction = "asc" if sort == "full_name" else "desc"
    if sort == "full_name":
        return sorted(
            repos, key=lambda r: (r["name"].lower(), r["id"]), reverse=direction == "desc"
        )
    field_name = SORT_FIELDS[sort]
    return sorted(
        repos, key=lambda r: (r.get(field_name) or "", r["id"]), reverse=direction == "desc"
    )


def repositories_page(ctx: Context, org: rest.Json | None) -> Reply:
    """One page of an organisation's repositories, with its ``Link`` header."""
    if org is None:
        return not_found()
    repos = select_repositories(org, ctx.viewer, ctx.arg("type", "all"))
    repos = sort_repositories(repos, ctx.arg("sort"), ctx.arg("direction"))
    per_page = rest.bounded(ctx.arg("per_page"), 30, 1, 100)
    page = rest.bounded(ctx.arg("page"), 1, 1)
    last = max(1, math.ceil(len(repos) / per_page))
    items = repos[(page - 1) * per_page : page * per_page]
    body = [rest.minimal_repository(org, repo, ctx.base_url) for repo in items]
    link = rest.link_header(
        f"{ctx.base_url}/organizations/{org['id']}/repos", ctx.query, page, last
    )
    return Reply(200, body, {"Link": link} if link else {})


def visible_repository(ctx: Context) -> tuple[rest.Json, rest.Json] | None:
    """(organisation, repository) of ``/repos/{owner}/{repo}/…`` if the viewer may see it."""
    found = ctx.index.repo(unquote(ctx.params[0]), unquote(ctx.params[1]))
    return found if found is not None and ctx.viewer.can_see(*found) else None


def get_org(ctx: Context) -> Reply:
    """``GET /orgs/{org}``."""
    org = ctx.index.org(unquote(ctx.params[0]))
    if org is None:
        return not_found()
    return Reply(200, rest.organization_full(org, ctx.base_url, ctx.viewer))


def list_org_repos(ctx: Context) -> Reply:
    """``GET /orgs/{org}/repos``."""
    return repositories_page(ctx, ctx.index.org(unquote(ctx.params[0])))


def list_org_repos_by_id(ctx: Context) -> Reply:
    """``GET /organizations/{id}/repos`` (where GitHub's ``Link`` headers point)."""
    return repositories_page(ctx, ctx.index.org_by_id(int(ctx.params[0])))


def get_languages(ctx: Context) -> Reply:
    """``GET /repos/{owner}/{repo}/languages``."""
    found = visible_repository(ctx)
    return Reply(200, rest.languages_body(found[1].get("languages"))) if found else not_found()


def get_community_profile(ctx: Context) -> Reply:
    """``GET /repos/{owner}/{repo}/community/profile``."""
    found = visible_repository(ctx)
    return Reply(200, rest.community_profile(*found, ctx.base_url)) if found else not_found()


def get_rate_limit(ctx: Context) -> Reply:
    """``GET /rate_limit`` (free, as on GitHub)."""
    return Reply(200, ctx.limiter.overview(ctx.identity, ctx.viewer.authenticated))


def default_routes() -> list[Route]:
    """The REST endpoints the sandbox serves (a trailing slash is tolerated)."""
    name, number = r"([^/]+)", r"(\d+)"
    table: list[tuple[str, Handler, int]] = [
        (f"/orgs/{name}", get_org, 1),
        (f"/orgs/{name}/repos", list_org_repos, 1),
        (f"/organizations/{number}/repos", list_org_repos_by_id, 1),
        (f"/repos/{name}/{name}/languages", get_languages, 1),
        (f"/repos/{name}/{name}/community/profile", get_community_profile, 1),
        ("/rate_limit", get_rate_limit, 0),
    ]
    return [
        Route("GET", re.compile(path + "/?"), handler, cost=cost) for path, handler, cost in table
    ]
