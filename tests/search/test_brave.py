from __future__ import annotations

import pytest

from tests.http_server import FixtureServer
from tests.search.conftest import BRAVE_KEY, RecordingSleep, fixture_text
from webqa.config import Settings
from webqa.search.base import SearchError
from webqa.search.brave import BraveBackend

JSON = "application/json"
ROUTE = "/res/v1/web/search"


@pytest.fixture
def brave(web: FixtureServer, sleeps: RecordingSleep) -> BraveBackend:
    return BraveBackend(Settings(brave_api_key=BRAVE_KEY, brave_api_url=web.url(ROUTE)), sleep=sleeps)


def test_sends_query_count_and_token(web: FixtureServer, brave: BraveBackend):
    web.add(ROUTE, fixture_text("brave_search.json"), content_type=JSON)
    brave.search("albert einstein", 50)
    (request,) = web.received
    assert request.method == "GET"
    assert (request.param("q"), request.param("count")) == ("albert einstein", "20")  # the API's page limit
    assert request.headers["x-subscription-token"] == BRAVE_KEY
    assert request.headers["accept"] == "application/json"


def test_descriptions_lose_their_markup(web: FixtureServer, brave: BraveBackend):
    web.add(ROUTE, fixture_text("brave_search.json"), content_type=JSON)
    results = brave.search("albert einstein", 3)
    assert results[0].snippet.startswith("Albert Einstein (14 March 1879 – 18 April 1955) was a German-born")
    assert "It's said he later began" in results[1].snippet
    assert results[2].title == "Albert Einstein | Biography, Education, Discoveries, & Facts | Britannica"
    assert all("<" not in r.snippet for r in results)


def test_missing_web_section_means_no_results(web: FixtureServer, brave: BraveBackend):
    web.add(ROUTE, fixture_text("brave_empty.json"), content_type=JSON)
    assert brave.search("qwxzvbnmplkjhgf", 5) == []


def test_refused_key_names_the_setting_and_hides_the_key(web: FixtureServer, brave: BraveBackend):
    web.add(ROUTE, fixture_text("brave_error_401.json"), 401, JSON)
    with pytest.raises(SearchError) as caught:
        brave.search("einstein", 3)
    assert str(caught.value) == (
        "Brave Search refused the request (HTTP 401: The provided subscription token is invalid.); "
        "the API key is wrong or expired: check WEBQA_BRAVE_API_KEY."
    )
    assert BRAVE_KEY not in str(caught.value)
