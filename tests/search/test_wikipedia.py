from __future__ import annotations

import pytest

from tests.http_server import FixtureServer
from tests.search.conftest import RecordingSleep, fixture_text
from webqa.config import Settings
from webqa.search.base import SearchError
from webqa.search.wikipedia import WikipediaBackend

JSON = "application/json"


@pytest.fixture
def wikipedia(web: FixtureServer, sleeps: RecordingSleep) -> WikipediaBackend:
    return WikipediaBackend(Settings(wikipedia_api_url=web.url("/w/api.php")), sleep=sleeps)


def test_sends_a_mediawiki_search_query(web: FixtureServer, wikipedia: WikipediaBackend):
    web.add("/w/api.php", fixture_text("wikipedia_search.json"), content_type=JSON)
    wikipedia.search("  albert einstein ", 3)
    (request,) = web.received
    assert request.method == "GET"
    assert {key: request.param(key) for key in request.query} == {
        "action": "query",
        "list": "search",
        "srsearch": "albert einstein",
        "srlimit": "3",
        "format": "json",
        "formatversion": "2",
    }


def test_results_are_article_urls_with_clean_snippets(web: FixtureServer, wikipedia: WikipediaBackend):
    web.add("/w/api.php", fixture_text("wikipedia_search.json"), content_type=JSON)

    results = wikipedia.search("albert einstein", 3)

    assert [(r.title, r.url) for r in results] == [
        ("Albert Einstein", web.url("/wiki/Albert_Einstein")),
        ("Einstein–Szilard letter", web.url("/wiki/Einstein%E2%80%93Szilard_letter")),
        ("Hans Albert Einstein", web.url("/wiki/Hans_Albert_Einstein")),
    ]
    assert results[0].snippet.startswith(
        "Albert Einstein (14 March 1879 – 18 April 1955) was a German-born theoretical physicist"
    )
    assert "mass–energy equivalence" in results[0].snippet  # &#8211; decoded
    assert results[2].snippet.endswith('son of "Albert Einstein" & Mileva Marić')
    assert all("<" not in r.snippet and "&" not in r.snippet.replace(" & ", "") for r in results)
    assert {r.doc_id for r in results} == {None}


def test_article_urls_follow_the_api_host_and_mediawiki_escaping():
    backend = WikipediaBackend(Settings(wikipedia_api_url="https://de.wikipedia.org/w/api.php"))
    assert backend.article_url("Albert Einstein") == "https://de.wikipedia.org/wiki/Albert_Einstein"
    assert backend.article_url("AC/DC") == "https://de.wikipedia.org/wiki/AC/DC"
    assert backend.article_url("What? (film)") == "https://de.wikipedia.org/wiki/What%3F_(film)"
    assert backend.article_url("C++ & C#") == "https://de.wikipedia.org/wiki/C%2B%2B_%26_C%23"


def test_k_above_the_api_limit_is_capped(web: FixtureServer, wikipedia: WikipediaBackend):
    web.add("/w/api.php", fixture_text("wikipedia_empty.json"), content_type=JSON)
    wikipedia.search("einstein", 5000)
    assert web.received[0].param("srlimit") == "500"


def test_api_error_object_becomes_a_search_error(web: FixtureServer, wikipedia: WikipediaBackend):
    web.add("/w/api.php", fixture_text("wikipedia_error.json"), content_type=JSON)
    with pytest.raises(SearchError, match=r'^Wikipedia refused the search \(nosrsearch: The "srsearch" parameter'):
        wikipedia.search("einstein", 3)


def test_hits_without_a_title_are_skipped(web: FixtureServer, wikipedia: WikipediaBackend):
    web.add_json("/w/api.php", {"query": {"search": [{"pageid": 1, "snippet": "x"}, {"title": "Nile"}]}})
    (result,) = wikipedia.search("nile", 5)
    assert (result.title, result.url, result.snippet) == ("Nile", web.url("/wiki/Nile"), "")
