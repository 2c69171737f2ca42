"""What every HTTP search backend must do, run against each one on a local server."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.http_server import FixtureServer
from tests.search.conftest import HTTP_CASES_BY_NAME, HttpCase, RecordingSleep, fixture_text
from webqa.config import Settings
from webqa.search.base import SearchBackend, SearchError, SearchResult
from webqa.search.brave import BraveBackend
from webqa.search.http_json import ELSEWHERE
from webqa.search.searxng import SearxngBackend
from webqa.search.tavily import TavilyBackend

JSON = "application/json"


def test_parses_results_and_keeps_at_most_k(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    web.add(case.route, fixture_text(case.results_fixture), content_type=JSON)
    backend = case.backend(web, sleeps)

    results = backend.search("albert einstein", 2)

    assert len(results) == 2
    assert all(isinstance(r, SearchResult) for r in results)
    assert all(r.source == case.name == backend.name for r in results)
    assert all(r.url and r.url.startswith("http") and r.title and r.snippet for r in results)
    assert len(backend.search("albert einstein", 10)) >= 3


def test_no_results_is_an_empty_list(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    web.add(case.route, fixture_text(case.empty_fixture), content_type=JSON)
    assert case.backend(web, sleeps).search("qwxzvbnmplkjhgf", 5) == []


@pytest.mark.parametrize(("query", "k"), [("", 5), ("   \n", 5), ("einstein", 0)])
def test_blank_query_or_zero_k_makes_no_request(
    case: HttpCase, web: FixtureServer, sleeps: RecordingSleep, query: str, k: int
):
    assert case.backend(web, sleeps).search(query, k) == []
    assert web.received == []


@pytest.mark.parametrize(
    ("make", "setting"),
    [
        (BraveBackend, "WEBQA_BRAVE_API_KEY"),
        (TavilyBackend, "WEBQA_TAVILY_API_KEY"),
        (SearxngBackend, "WEBQA_SEARXNG_URL"),
    ],
)
def test_a_missing_setting_is_named(make: Callable[[Settings], SearchBackend], setting: str):
    with pytest.raises(SearchError, match=rf"^The \w+ backend needs .+: set {setting}\b") as caught:
        make(Settings())
    assert str(caught.value).endswith(f", {ELSEWHERE}.")


HITS = [{"title": "No link"}, {"url": "https://example.org/a"}, {"url": None}]


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("brave", {"type": "search", "web": {"results": HITS}}),
        ("searxng", {"query": "q", "results": HITS}),
        ("tavily", {"query": "q", "results": HITS}),
    ],
)
def test_tolerates_missing_fields_and_skips_results_without_url(
    name: str, body: Any, web: FixtureServer, sleeps: RecordingSleep
):
    case = HTTP_CASES_BY_NAME[name]
    web.add_json(case.route, body)
    results = case.backend(web, sleeps).search("q", 5)
    assert [(r.title, r.url, r.snippet) for r in results] == [("https://example.org/a", "https://example.org/a", "")]


def test_one_http_client_serves_every_request(
    case: HttpCase, web: FixtureServer, sleeps: RecordingSleep, monkeypatch: pytest.MonkeyPatch
):
    real_client = httpx.Client
    made: list[httpx.Client] = []

    def counted_client(**options: Any) -> httpx.Client:
        made.append(real_client(**options))
        return made[-1]

    web.add(case.route, fixture_text(case.results_fixture), content_type=JSON)
    backend = case.backend(web, sleeps)
    monkeypatch.setattr(httpx, "Client", counted_client)
    backend.search("einstein", 3)
    backend.search("relativity", 3)
    assert len(made) == 1 and len(web.received) == 2


def test_sends_the_user_agent(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    web.add(case.route, fixture_text(case.results_fixture), content_type=JSON)
    case.backend(web, sleeps, user_agent="webqa-test/1.0").search("einstein", 3)
    assert [r.headers["user-agent"] for r in web.received] == ["webqa-test/1.0"]


def test_retries_after_429_with_exponential_backoff(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    web.add(case.route, "slow down", 429, "text/plain", once=True)
    web.add(case.route, "slow down", 429, "text/plain", once=True)
    web.add(case.route, fixture_text(case.results_fixture), content_type=JSON)

    results = case.backend(web, sleeps, search_backoff_s=0.5).search("einstein", 3)

    assert len(results) == 3
    assert len(web.received) == 3
    assert sleeps.delays == [0.5, 1.0]


def test_honours_a_numeric_retry_after_capped(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    web.add(case.route, "", 429, "text/plain", once=True, **{"Retry-After": "7"})
    web.add(case.route, "", 429, "text/plain", once=True, **{"Retry-After": "3600"})
    web.add(case.route, "", 503, "text/plain", once=True, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    web.add(case.route, fixture_text(case.results_fixture), content_type=JSON)

    assert case.backend(web, sleeps, search_backoff_s=1.0).search("einstein", 3)
    # Seconds are honoured, an hour is capped at 30 s, and an HTTP date falls back to the backoff (1 * 2**2).
    assert sleeps.delays == [7.0, 30.0, 4.0]


def test_rate_limited_forever_gives_up_after_the_retries(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    web.add(case.route, "slow down", 429, "text/plain")

    with pytest.raises(SearchError) as caught:
        case.backend(web, sleeps, search_max_retries=3, search_backoff_s=1.0).search("einstein", 3)

    assert str(caught.value) == (
        f"{case.service} is rate limiting requests (HTTP 429) after 3 retries; wait and try again, "
        "or use another backend with --backend."
    )
    assert len(web.received) == 4
    assert sleeps.delays == [1.0, 2.0, 4.0]


def test_no_retries_when_turned_off(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    web.add(case.route, "slow down", 429, "text/plain")
    with pytest.raises(SearchError, match=r"\(HTTP 429\); wait"):
        case.backend(web, sleeps, search_max_retries=0).search("einstein", 3)
    assert len(web.received) == 1
    assert sleeps.delays == []


def test_server_error_is_retried_then_reported(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    web.add(case.route, "<html><body><h1>Internal Server Error</h1></body></html>", 500)

    with pytest.raises(SearchError) as caught:
        case.backend(web, sleeps, search_max_retries=2).search("einstein", 3)

    message = str(caught.value)
    assert message.startswith(f"{case.service} is failing (HTTP 500: Internal Server Error) after 2 retries;")
    assert "--backend" in message and "\n" not in message
    assert len(web.received) == 3


def test_timeout_is_a_clear_error_without_retries(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    # The server holds its reply well past the timeout, and the timeout leaves a loaded machine time to
    # deliver the request (at 0.1 s the client sometimes gave up before the server had read it).
    web.add(case.route, fixture_text(case.results_fixture), content_type=JSON, delay_s=3.0)

    with pytest.raises(SearchError) as caught:
        case.backend(web, sleeps, search_timeout_s=1.0).search("einstein", 3)

    assert str(caught.value) == (
        f"{case.service} did not answer within 1s; try again, raise WEBQA_SEARCH_TIMEOUT_S, "
        "or use another backend with --backend."
    )
    assert len(web.received) == 1


def test_non_json_body_is_reported(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    web.add(case.route, "<html><body>Welcome to my homepage</body></html>")
    with pytest.raises(SearchError, match=rf"did not answer with JSON \(got text/html\); .*{case.url_setting}"):
        case.backend(web, sleeps).search("einstein", 3)


def test_unexpected_json_shape_is_reported(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    web.add_json(case.route, case.bad_shape)
    with pytest.raises(SearchError, match=rf"answered in an unexpected shape .*{case.url_setting}"):
        case.backend(web, sleeps).search("einstein", 3)


def test_other_client_errors_name_the_url_setting(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    with pytest.raises(SearchError, match=rf"rejected the request \(HTTP 404: not found\); check {case.url_setting}"):
        case.backend(web, sleeps).search("einstein", 3)
    assert sleeps.delays == []


def test_unreachable_server_is_reported(case: HttpCase, web: FixtureServer, sleeps: RecordingSleep):
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    web.base = f"http://127.0.0.1:{port}"
    with pytest.raises(SearchError, match=rf"Cannot reach {case.service} at .*; check your connection"):
        case.backend(web, sleeps).search("einstein", 3)


def test_every_backend_is_registered(case: HttpCase, web: FixtureServer):
    from webqa.search.base import SearchContext, make_backend

    settings = Settings(
        searxng_url=web.url("/searx"),
        brave_api_key="k",
        tavily_api_key="k",
    )
    assert make_backend(case.name, SearchContext(settings)).name == case.name
