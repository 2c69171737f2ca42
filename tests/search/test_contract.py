"""What every search backend must do, whatever it calls: the HTTP APIs on a local server, DuckDuckGo through
a fake ddgs client, and the local index."""

from __future__ import annotations

import pytest

from tests.http_server import FixtureServer
from tests.search.conftest import HTTP_CASES, HTTP_CASES_BY_NAME, FakeDDGS, RecordingSleep, fixture_text
from webqa.config import Settings
from webqa.search.base import SearchBackend
from webqa.search.duckduckgo import DuckDuckGoBackend
from webqa.search.local import LocalSearch

NAMES = [*(case.name for case in HTTP_CASES), "duckduckgo", "local"]
QUERY = "Albert Einstein physicist"


@pytest.fixture(params=NAMES)
def backend(request: pytest.FixtureRequest, web: FixtureServer, sleeps: RecordingSleep) -> SearchBackend:
    """Each backend, with results to give for QUERY."""
    if request.param == "local":
        return LocalSearch(request.getfixturevalue("sample_index"))
    if request.param == "duckduckgo":
        return DuckDuckGoBackend(Settings(), client=FakeDDGS())
    case = HTTP_CASES_BY_NAME[request.param]
    web.add(case.route, fixture_text(case.results_fixture), content_type="application/json")
    return case.backend(web, sleeps)


@pytest.mark.parametrize("query", ["", "   \n"])
def test_a_blank_query_finds_nothing(backend: SearchBackend, query: str):
    assert backend.search(query, 5) == []


@pytest.mark.parametrize("k", [0, -1])
def test_no_results_asked_for_none_given(backend: SearchBackend, k: int):
    assert backend.search(QUERY, k) == []


@pytest.mark.parametrize("k", [1, 2])
def test_at_most_k_results_named_after_the_backend(backend: SearchBackend, k: int):
    results = backend.search(QUERY, k)
    assert 1 <= len(results) <= k
    assert all(result.source == backend.name for result in results)
