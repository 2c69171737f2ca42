"""Helpers for the search backend tests: response fixtures, a recording sleep, a fake ddgs client, and one
case per HTTP backend so the shared behaviour (retries, errors, limits) is tested the same way for each."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.http_server import FixtureServer
from webqa.config import Settings
from webqa.search.base import SearchBackend
from webqa.search.brave import BraveBackend
from webqa.search.http_json import Sleep
from webqa.search.searxng import SearxngBackend
from webqa.search.tavily import TavilyBackend
from webqa.search.wikipedia import WikipediaBackend

FIXTURES = Path(__file__).parent / "fixtures"
BRAVE_KEY = "brave-test-token"
TAVILY_KEY = "tvly-test-key"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_json(name: str) -> Any:
    return json.loads(fixture_text(name))


class FakeDDGS:
    """Stands in for `ddgs.DDGS`: answers `text` from a script and records each call."""

    def __init__(self, rows: Any = None, error: Exception | None = None) -> None:
        self.rows = DDGS_ROWS if rows is None else rows
        self.error = error
        self.calls: list[tuple[str, int]] = []

    def text(self, query: str, *, max_results: int) -> Any:
        self.calls.append((query, max_results))
        if self.error is not None:
            raise self.error
        return self.rows


DDGS_ROWS = [
    {
        "title": "Albert Einstein - Wikipedia",
        "href": "https://en.wikipedia.org/wiki/Albert_Einstein",
        "body": "Albert Einstein was a German-born theoretical physicist.",
    },
    {"title": "Einstein biography", "href": "https://www.nobelprize.org/einstein", "body": "Born at Ulm,\n 1879."},
    {"title": "No link here", "body": "skipped"},
    {"href": "https://example.org/untitled"},
]


class RecordingSleep:
    """Stands in for time.sleep: remembers each delay instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@dataclass(frozen=True)
class HttpCase:
    name: str
    service: str  # as the error messages name it
    route: str  # the path the backend calls on the fixture server
    url_setting: str
    results_fixture: str  # at least three results
    empty_fixture: str
    bad_shape: Any  # valid JSON in a shape the API never sends
    build: Callable[[FixtureServer, Sleep, dict[str, Any]], SearchBackend]

    def backend(self, web: FixtureServer, sleep: Sleep, **settings: Any) -> SearchBackend:
        return self.build(web, sleep, settings)


HTTP_CASES = [
    HttpCase(
        "wikipedia",
        "Wikipedia",
        "/w/api.php",
        "WEBQA_WIKIPEDIA_API_URL",
        "wikipedia_search.json",
        "wikipedia_empty.json",
        {"query": {"search": "not a list"}},
        lambda web, sleep, s: WikipediaBackend(Settings(wikipedia_api_url=web.url("/w/api.php"), **s), sleep=sleep),
    ),
    HttpCase(
        "searxng",
        "SearxNG",
        "/searx/search",
        "WEBQA_SEARXNG_URL",
        "searxng_search.json",
        "searxng_empty.json",
        {"results": {"url": "https://example.org"}},
        lambda web, sleep, s: SearxngBackend(Settings(searxng_url=web.url("/searx"), **s), sleep=sleep),
    ),
    HttpCase(
        "brave",
        "Brave Search",
        "/res/v1/web/search",
        "WEBQA_BRAVE_API_URL",
        "brave_search.json",
        "brave_empty.json",
        {"type": "search", "web": {"results": [{"url": 42}]}},
        lambda web, sleep, s: BraveBackend(
            Settings(brave_api_key=BRAVE_KEY, brave_api_url=web.url("/res/v1/web/search"), **s), sleep=sleep
        ),
    ),
    HttpCase(
        "tavily",
        "Tavily",
        "/search",
        "WEBQA_TAVILY_API_URL",
        "tavily_search.json",
        "tavily_empty.json",
        {"query": "q", "results": None},
        lambda web, sleep, s: TavilyBackend(
            Settings(tavily_api_key=TAVILY_KEY, tavily_api_url=web.url("/search"), **s), sleep=sleep
        ),
    ),
]


HTTP_CASES_BY_NAME = {case.name: case for case in HTTP_CASES}


@pytest.fixture(params=HTTP_CASES, ids=[case.name for case in HTTP_CASES])
def case(request: pytest.FixtureRequest) -> HttpCase:
    return request.param
