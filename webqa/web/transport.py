"""An httpx transport for fetching untrusted URLs: connections go to the addresses the SSRF guard checked
(so a DNS answer that changes between the check and the connection cannot reach a private address), and
every read and write of a fetch shares one total deadline (so a server that trickles a byte a second
cannot hold a fetch forever; the per-read timeout alone would never fire).

Both are per fetch, and a client may serve several threads, so they live in context variables that
`guarded()` sets around one fetch. The TLS server name and the Host header still come from the URL: only
the address a socket connects to changes.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

_PINS: ContextVar[dict[str, tuple[str, ...]] | None] = ContextVar("webqa_pinned_addresses", default=None)
_DEADLINE: ContextVar[float | None] = ContextVar("webqa_fetch_deadline", default=None)


@contextlib.contextmanager
def guarded(pins: dict[str, tuple[str, ...]], deadline: float | None) -> Iterator[None]:
    """Within this block, connections to a host in `pins` go to its pinned addresses (tried in order), and
    no network operation lasts past `deadline` (a time.monotonic() value)."""
    pins_token = _PINS.set(pins)
    deadline_token = _DEADLINE.set(deadline)
    try:
        yield
    finally:
        _PINS.reset(pins_token)
        _DEADLINE.reset(deadline_token)


def deadline_passed() -> bool:
    deadline = _DEADLINE.get()
    return deadline is not None and time.monotonic() >= deadline


def guarded_client(timeout_s: float, user_agent: str) -> httpx.Client:
    """An httpx client whose connections honour `guarded()`."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout_s), headers={"User-Agent": user_agent}, transport=GuardedTransport()
    )


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport with a network backend that pins addresses and enforces the deadline. httpx
    has no parameter for a network backend, so the connection pool is built again with one."""

    def __init__(self) -> None:
        super().__init__()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(),
        )


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """The operation's timeout, cut to what is left before the deadline."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the fetch's total deadline has passed")
    return left if timeout is None else min(timeout, left)


class _GuardedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        pins = _PINS.get() or {}
        addresses = pins.get(host.lower().strip("[]")) or (host,)
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = self._sockets.connect_tcp(
                    address, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # the next checked address, as a resolver's other answers would be tried
                continue
            return _DeadlineStream(stream)
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("webqa fetches pages over TCP only")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)
