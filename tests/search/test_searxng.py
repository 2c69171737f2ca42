from __future__ import annotations

import pytest

from tests.http_server import FixtureServer
from tests.search.conftest import RecordingSleep, fixture_text
from webqa.config import Settings
from webqa.search.base import SearchError
from webqa.search.searxng import SearxngBackend

JSON = "application/json"


@pytest.mark.parametrize("base", ["/searx", "/searx/"])
def test_sends_the_query_as_json_format(web: FixtureServer, sleeps: RecordingSleep, base: str):
    web.add("/searx/search", fixture_text("searxng_search.json"), content_type=JSON)
    SearxngBackend(Settings(searxng_url=web.url(base)), sleep=sleeps).search("albert einstein", 3)
    (request,) = web.received
    assert (request.method, request.path) == ("GET", "/searx/search")
    assert (request.param("q"), request.param("format")) == ("albert einstein", "json")


def test_parses_results_in_order(web: FixtureServer, sleeps: RecordingSleep):
    web.add("/searx/search", fixture_text("searxng_search.json"), content_type=JSON)
    results = SearxngBackend(Settings(searxng_url=web.url("/searx")), sleep=sleeps).search("albert einstein", 10)
    assert [r.url for r in results] == [
        "https://en.wikipedia.org/wiki/Albert_Einstein",
        "https://www.nobelprize.org/prizes/physics/1921/einstein/biographical/",
        "https://www.britannica.com/biography/Albert-Einstein",
    ]
    assert results[1].snippet == (
        "Albert Einstein was born at Ulm, in Württemberg, Germany, on March 14, 1879. "
        "Six weeks later the family moved to Munich, where he later on began his schooling at the Luitpold Gymnasium."
    )
    assert results[2].snippet == ""  # SearxNG sends empty content for some engines


def test_forbidden_explains_the_json_format(web: FixtureServer, sleeps: RecordingSleep):
    web.add("/searx/search", "403 Forbidden", 403, "text/plain")
    with pytest.raises(SearchError, match=r"refused the request \(HTTP 403: 403 Forbidden\); enable the json format"):
        SearxngBackend(Settings(searxng_url=web.url("/searx")), sleep=sleeps).search("q", 5)
