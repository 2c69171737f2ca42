"""Fetch a web page with httpx: a per-read timeout and a total deadline, size cap, bounded redirects,
content-type check, and a guard against requests into private networks (SSRF) that is checked on every
redirect hop, with each connection made to the very address the guard checked (webqa.web.transport)."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from webqa.errors import FetchError
from webqa.web.transport import deadline_passed, guarded, guarded_client

MAX_REDIRECTS = 5
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


@dataclass(frozen=True)
class FetchedPage:
    url: str  # the address asked for
    final_url: str  # after redirects
    content_type: str
    body: bytes
    charset: str | None

    def text(self) -> str:
        for encoding in (self.charset, "utf-8"):
            if encoding:
                try:
                    return self.body.decode(encoding)
                except (LookupError, UnicodeDecodeError):
                    continue
        return self.body.decode("cp1252", errors="replace")


def check_url_allowed(url: str, allow_private: bool) -> tuple[str, ...]:
    """Refuse non-http(s) schemes, and hosts resolving to loopback/private/link-local/reserved addresses.
    Returns the checked addresses, which the connection must use (empty when private ones are allowed and
    nothing was resolved)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"Refused {url}: only http and https addresses can be fetched.")
    if not parts.hostname:
        raise FetchError(f"Refused {url}: the address has no host.")
    if allow_private:
        return ()
    checked = []
    for address in resolve(_ascii_host(url), parts.port or (443 if parts.scheme == "https" else 80)):
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
        if not address.is_global or address.is_multicast:
            raise FetchError(
                f"Refused {url}: {parts.hostname} is a private, loopback or link-local address ({address}). "
                "Set WEBQA_ALLOW_PRIVATE_URLS=true to allow it."
            )
        if str(address) not in checked:
            checked.append(str(address))
    return tuple(checked)


def _ascii_host(url: str) -> str:
    """The host as httpx will connect to it (IDNA-encoded, lower case), so pins match its connections."""
    try:
        return httpx.URL(url).raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError):
        raise FetchError(f"Refused {url}: the host is not a valid name.") from None


def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address the host resolves to: all must be public, or a DNS answer could smuggle one in."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"Cannot resolve {host}: {exc.strerror}.") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def fetch(
    url: str,
    *,
    timeout_s: float,
    max_bytes: int,
    allow_private: bool,
    user_agent: str,
    client: httpx.Client | None = None,
    accept_pdf: bool = False,
    deadline_s: float | None = None,
) -> FetchedPage:
    """GET a text page, following at most MAX_REDIRECTS redirects, each checked against the guard. The
    whole fetch, redirects included, ends after `deadline_s` (a client from guarded_client() bounds every
    read by it; any other client is bounded between the pieces of the body only)."""
    own_client = client is None
    http = client or guarded_client(timeout_s, user_agent)
    deadline = None if deadline_s is None else time.monotonic() + deadline_s
    pins: dict[str, tuple[str, ...]] = {}
    try:
        with guarded(pins, deadline):
            current = url
            for _hop in range(MAX_REDIRECTS + 1):
                checked = check_url_allowed(current, allow_private)
                if checked:
                    pins[_ascii_host(current)] = checked
                try:
                    with http.stream("GET", current, follow_redirects=False) as response:
                        if response.is_redirect:
                            location = response.headers.get("location", "")
                            current = urljoin(current, location)
                            continue
                        return _read(url, current, response, max_bytes, accept_pdf)
                except httpx.TimeoutException:
                    raise _timed_out(current, timeout_s, deadline_s) from None
                except httpx.HTTPError as exc:
                    raise FetchError(f"Cannot fetch {current}: {exc}.") from None
            raise FetchError(f"Too many redirects fetching {url} (more than {MAX_REDIRECTS}).")
    finally:
        if own_client:
            http.close()


def _timed_out(url: str, timeout_s: float, deadline_s: float | None) -> FetchError:
    if deadline_s is not None and deadline_passed():
        return FetchError(
            f"Gave up on {url}: the page did not arrive within the {deadline_s:g}s deadline for one fetch "
            "(WEBQA_FETCH_DEADLINE_S)."
        )
    return FetchError(f"Timed out fetching {url} (after {timeout_s:g}s).")


def _read(url: str, final_url: str, response: httpx.Response, max_bytes: int, accept_pdf: bool) -> FetchedPage:
    if response.status_code >= 400:
        raise FetchError(f"{final_url} answered HTTP {response.status_code}.")
    content_type = response.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in TEXT_TYPES and not (accept_pdf and media_type == "application/pdf"):
        raise FetchError(f"{final_url} is {media_type or 'of unknown type'}, not an HTML or text page.")
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{final_url} is larger than the {max_bytes:,}-byte limit.")
    body = bytearray()
    for piece in response.iter_bytes():
        body.extend(piece)
        if len(body) > max_bytes:
            raise FetchError(f"{final_url} is larger than the {max_bytes:,}-byte limit.")
        if deadline_passed():  # for a client whose reads are not bounded by the deadline themselves
            raise httpx.ReadTimeout("the fetch's total deadline has passed")
    return FetchedPage(url, final_url, media_type, bytes(body), response.charset_encoding)
