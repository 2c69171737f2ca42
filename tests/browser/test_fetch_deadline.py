"""Every fetch has a total deadline, and connects to the address the SSRF guard checked."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from webqa.browser.fetchers import WebPages
from webqa.config import Settings
from webqa.errors import FetchError, InputError
from webqa.index.sources import read_sources
from webqa.web.fetch import fetch

HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 200\r\n\r\n"
GAP_S = 0.2  # well under the read timeout, so only a total deadline can stop the fetch
STREAM_FOR_S = 4.0  # the server gives up after this: without a deadline the test fails instead of hanging


class _Trickle(socketserver.BaseRequestHandler):
    """Answers every request one byte at a time: the status line and headers too (`slow_headers`)."""

    slow_headers = False

    def handle(self) -> None:
        self.request.recv(65536)
        started = time.monotonic()
        data = HEADERS + b"<p>" + b"x" * 196 + b"</p>"
        if not self.slow_headers:
            self.request.sendall(HEADERS)
            data = data[len(HEADERS) :]
        try:
            for byte in data:
                if time.monotonic() - started > STREAM_FOR_S:
                    return
                self.request.sendall(bytes([byte]))
                time.sleep(GAP_S)
        except OSError:
            pass  # the client hung up: what the deadline is for


def _serve(slow_headers: bool) -> Iterator[str]:
    handler = type("Handler", (_Trickle,), {"slow_headers": slow_headers})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/page"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["slow body", "slow headers"])
def trickle_url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _serve(slow_headers=request.param == "slow headers")


@pytest.fixture
def quick(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "i", allow_private_urls=True, fetch_timeout_s=5.0, fetch_deadline_s=1.0)


def test_a_server_sending_a_byte_at_a_time_is_cut_at_the_deadline(trickle_url, quick):
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"within the 1s deadline .*WEBQA_FETCH_DEADLINE_S"):
        WebPages(quick).get(trickle_url)
    assert time.monotonic() - started < 2.5


def test_the_browser_shows_the_deadline_as_an_observation(make_browser, trickle_url):
    browser = make_browser(fetch_timeout_s=5.0, fetch_deadline_s=1.0)
    observation = browser.run("open", trickle_url)
    assert not observation.ok and "deadline" in observation.text and browser.page is None


def test_a_url_list_build_names_the_line_that_ran_out_of_time(trickle_url, quick, tmp_path):
    urls = tmp_path / "pages.urls"
    urls.write_text(f"# slow\n{trickle_url}\n", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(InputError, match=r"pages.urls:2: Gave up on .*deadline"):
        read_sources([str(urls)], quick)
    assert time.monotonic() - started < 2.5


# --- DNS rebinding: the connection goes to the address that was checked --------------------------

PUBLIC = "93.184.216.34"  # a global address: the guard lets it through


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch, web) -> dict[str, list]:
    """A resolver for rebind.example that answers with a public address first and with 127.0.0.1 (where a
    server holds a secret) after that; and a socket layer that records connections instead of making them
    beyond this machine."""
    web.add("/secret", "<p>internal secret</p>")
    port = int(web.base.rsplit(":", 1)[1])
    seen: dict[str, list] = {"lookups": [], "connects": []}
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host, service, *args, **kwargs):  # noqa: ANN001, ANN202
        if host != "rebind.example":
            return real_getaddrinfo(host, service, *args, **kwargs)
        seen["lookups"].append(host)
        address = PUBLIC if len(seen["lookups"]) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(service or port)))]

    def connect(self, address):  # noqa: ANN001, ANN202
        seen["connects"].append(address)
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError(111, "refused by the test")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    seen["port"] = [port]
    return seen


def test_the_connection_uses_the_address_the_guard_checked(rebinding, web):
    port = rebinding["port"][0]
    with pytest.raises(FetchError, match="Cannot fetch"):
        fetch(
            f"http://rebind.example:{port}/secret",
            timeout_s=1.0,
            max_bytes=10_000,
            allow_private=False,
            user_agent="test",
            deadline_s=5.0,
        )
    assert [address[0] for address in rebinding["connects"]] == [PUBLIC]
    assert web.requests == []  # the second answer, 127.0.0.1, was never connected to


def test_pinning_keeps_the_host_header_of_the_url(monkeypatch, web):
    """With the guard on, a name that resolves to a public address is connected to by that address, while the
    request still names the host (the same holds for TLS: the server name comes from the URL)."""
    web.add("/page", "<p>hello</p>")
    port = int(web.base.rsplit(":", 1)[1])
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *a, **k: (
            [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port))]
            if host == "pages.example"
            else real_getaddrinfo(host, *a, **k)
        ),
    )
    # The public address is routed to the local server, as a network would route it to the real one.
    monkeypatch.setattr(
        socket.socket, "connect", lambda self, a: real_connect(self, ("127.0.0.1", a[1]) if a[0] == PUBLIC else a)
    )
    page = fetch(
        f"http://pages.example:{port}/page", timeout_s=1.0, max_bytes=10_000, allow_private=False, user_agent="t"
    )
    assert page.text() == "<p>hello</p>"
    assert web.received[0].headers["host"] == f"pages.example:{port}"
