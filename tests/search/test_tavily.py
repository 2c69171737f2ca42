from __future__ import annotations

import pytest

from tests.http_server import FixtureServer
from tests.search.conftest import TAVILY_KEY, RecordingSleep, fixture_text
from webqa.config import Settings
from webqa.search.base import SearchError
from webqa.search.tavily import TavilyBackend

JSON = "application/json"


@pytest.fixture
def tavily(web: FixtureServer, sleeps: RecordingSleep) -> TavilyBackend:
    return TavilyBackend(Settings(tavily_api_key=TAVILY_KEY, tavily_api_url=web.url("/search")), sleep=sleeps)


def test_posts_query_and_bearer_key(web: FixtureServer, tavily: TavilyBackend):
    web.add("/search", fixture_text("tavily_search.json"), content_type=JSON)
    tavily.search(" albert einstein ", 4)
    (request,) = web.received
    assert request.method == "POST"
    assert request.json() == {"query": "albert einstein", "max_results": 4}
    assert request.headers["authorization"] == f"Bearer {TAVILY_KEY}"
    assert request.headers["content-type"] == "application/json"


def test_parses_results_keeping_plain_text(web: FixtureServer, tavily: TavilyBackend):
    web.add("/search", fixture_text("tavily_search.json"), content_type=JSON)
    results = tavily.search("albert einstein", 5)
    assert [r.title for r in results] == [
        "Albert Einstein - Wikipedia",
        "Albert Einstein – Biographical - NobelPrize.org",
        "Einstein's theory of relativity: E = mc² explained",
    ]
    assert "At everyday speeds (v < 0.1c) Newton's laws" in results[2].snippet  # not mistaken for a tag


def test_refused_key_names_the_setting(web: FixtureServer, tavily: TavilyBackend):
    web.add("/search", fixture_text("tavily_error_401.json"), 401, JSON)
    with pytest.raises(SearchError) as caught:
        tavily.search("einstein", 3)
    assert str(caught.value) == (
        "Tavily refused the request (HTTP 401: Unauthorized: missing or invalid API key.); "
        "the API key is wrong or expired: check WEBQA_TAVILY_API_KEY."
    )
    assert TAVILY_KEY not in str(caught.value)
