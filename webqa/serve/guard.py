"""Checks every HTTP request passes before the app sees it: the Host header (without a key), the bearer
key and the body size.

ASGI middlewares rather than route dependencies, so that an oversized body is refused while it is read,
before any of it is parsed, and a wrong key or host is refused before the body is read at all."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Sequence
from typing import Any

from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webqa.serve.api_errors import ApiError, body_too_large, untrusted_host, wrong_key

OPEN_PATHS = frozenset({"/health"})  # for load balancers and probes, which hold no key
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
_TRUSTED = "webqa.trusted_host"


def trusted_hosts(host: str, api_key: str | None) -> tuple[str, ...] | None:
    """The Host header values a server bound to `host` answers; None for any.

    Without a key, a web page the user visits could rebind its own domain name to 127.0.0.1 and have the
    browser ask this server questions (DNS rebinding): the browser sends that page's domain as the Host, so
    only loopback names (and the address served on, when told to serve beyond loopback) are answered. A
    wildcard address (0.0.0.0, ::) with no key was asked for with --allow-without-key: "anyone who
    reaches it", whatever name they reach it by. With a key, the key is the check."""
    if api_key:
        return None
    name = host.strip("[]").lower()
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return (*LOOPBACK_HOSTS, name) if name not in LOOPBACK_HOSTS else LOOPBACK_HOSTS
    if address.is_unspecified:
        return None
    shown = f"[{address.compressed}]" if address.version == 6 else address.compressed
    return LOOPBACK_HOSTS if shown in LOOPBACK_HOSTS else (*LOOPBACK_HOSTS, shown)


class HostGuard:
    """Starlette's TrustedHostMiddleware decides; a refused request gets OpenAI's error JSON (400)."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: Sequence[str]) -> None:
        self.app = app
        self.allowed_hosts = list(allowed_hosts)
        self._check = TrustedHostMiddleware(_admit, allowed_hosts=self.allowed_hosts, www_redirect=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        probe = dict(scope)
        await self._check(probe, receive, _discard)  # calls _admit only for a trusted Host
        if probe.get(_TRUSTED):
            await self.app(scope, receive, send)
            return
        await _refuse(untrusted_host(Headers(scope=scope).get("host"), self.allowed_hosts), scope, receive, send)


async def _admit(scope: Scope, receive: Receive, send: Send) -> None:
    scope[_TRUSTED] = True


async def _discard(message: Message) -> None:
    """The checker's own refusal, replaced by the error JSON."""


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
