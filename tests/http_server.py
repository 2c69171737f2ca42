"""A small HTTP server on 127.0.0.1 serving fixture routes, for tests that fetch pages or call APIs."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay_s: float = 0.0  # wait this long before answering, to provoke client timeouts


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the server saw it, for tests that check what a client sent."""

    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        return json.loads(self.body)


NOT_FOUND = Route(b"not found", 404, {"Content-Type": "text/plain"})


class FixtureServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.once: dict[str, deque[Route]] = {}  # served first, one request each, then the route
        self.requests: list[str] = []  # raw request paths, query string included
        self.received: list[ReceivedRequest] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._answer(b"")

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                self._answer(self.rfile.read(length))

            def _answer(self, body: bytes) -> None:
                route = server._record(self.command, self.path, dict(self.headers.items()), body)
                if route.delay_s:
                    time.sleep(route.delay_s)
                try:
                    self.send_response(route.status)
                    for key, value in route.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        # A short poll interval: shutdown() waits up to one interval, and every test stops its server.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _record(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Route:
        parts = urlsplit(raw_path)
        request = ReceivedRequest(
            method, parts.path, parse_qs(parts.query), {k.lower(): v for k, v in headers.items()}, body
        )
        with self._lock:
            self.requests.append(raw_path)
            self.received.append(request)
            # An exact path (query included) wins; API routes are registered without their query string.
            for key in (raw_path, parts.path):
                queued = self.once.get(key)
                if queued:
                    return queued.popleft()
                if key in self.routes:
                    return self.routes[key]
        return NOT_FOUND

    def url(self, path: str) -> str:
        return self.base + path

    def add(
        self,
        path: str,
        body: str | bytes,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        *,
        delay_s: float = 0.0,
        once: bool = False,
        **headers: str,
    ) -> None:
        """Serve `body` at `path`. With once=True the answer is used for one request, before the
        route's regular answer (queue several to script a sequence such as 429, 429, 200)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(data, status, {"Content-Type": content_type, **headers}, delay_s)
        if once:
            self.once.setdefault(path, deque()).append(route)
        else:
            self.routes[path] = route

    def add_json(self, path: str, data: Any, status: int = 200, **options: Any) -> None:
        self.add(path, json.dumps(data), status, "application/json", **options)

    def redirect(self, path: str, target: str, status: int = 302) -> None:
        self.routes[path] = Route(b"", status, {"Location": target})


@pytest.fixture
def web() -> Iterator[FixtureServer]:
    server = FixtureServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
