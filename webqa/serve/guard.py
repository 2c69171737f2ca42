"""Checks every HTTP request passes before the app sees it: the bearer key and the body size.

An ASGI middleware rather than a route dependency, so that an oversized body is refused while it is
read, before any of it is parsed, and a wrong key is refused before the body is read at all."""

from __future__ import annotations

import hmac
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webqa.serve.api_errors import ApiError, body_too_large, wrong_key

OPEN_PATHS = frozenset({"/health"})  # for load balancers and probes, which hold no key


class RequestGuard:
    def __init__(self, app: ASGIApp, *, api_key: str | None, max_body_bytes: int) -> None:
        self.app = app
        self.api_key = api_key
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.api_key and scope["path"] not in OPEN_PATHS and not self._key_matches(headers):
            await _refuse(wrong_key(), scope, receive, send)
            return
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _refuse(body_too_large(self.max_body_bytes), scope, receive, send)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        # A chunked body declares no length: read it here, counting, and hand the app what was read.
        body: list[Message] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                body.append(message)
                break
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                await _refuse(body_too_large(self.max_body_bytes), scope, receive, send)
                return
            body.append(message)
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return body.pop(0) if body else await receive()

        await self.app(scope, replay, send)

    def _key_matches(self, headers: Headers) -> bool:
        assert self.api_key is not None
        scheme, _, given = headers.get("authorization", "").partition(" ")
        # A constant-time comparison: the time taken must not tell how much of a guessed key was right.
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.api_key.encode())


async def _refuse(error: ApiError, scope: Scope, receive: Receive, send: Send) -> None:
    response: Any = JSONResponse(error.body(), status_code=error.status, headers=error.headers)
    await response(scope, receive, send)
