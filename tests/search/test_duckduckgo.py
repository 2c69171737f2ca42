"""The duckduckgo backend with a fake client: the `ddgs` library is optional and not needed here."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from tests.search.conftest import FakeDDGS
from webqa.config import Settings
from webqa.search.base import SearchError
from webqa.search.duckduckgo import DuckDuckGoBackend


# Stand-ins named like the classes in ddgs.exceptions, which the backend recognises by name.
class DDGSException(Exception):
    pass


class RatelimitException(DDGSException):
    pass


class TimeoutException(DDGSException):
    pass


def backend(client: FakeDDGS) -> DuckDuckGoBackend:
    return DuckDuckGoBackend(Settings(), client=client)


def test_maps_rows_to_results():
    client = FakeDDGS()
    results = backend(client).search(" albert einstein ", 10)
    assert client.calls == [("albert einstein", 10)]
    assert [(r.title, r.url, r.snippet, r.source) for r in results] == [
        (
            "Albert Einstein - Wikipedia",
            "https://en.wikipedia.org/wiki/Albert_Einstein",
            "Albert Einstein was a German-born theoretical physicist.",
            "duckduckgo",
        ),
        ("Einstein biography", "https://www.nobelprize.org/einstein", "Born at Ulm, 1879.", "duckduckgo"),
        ("https://example.org/untitled", "https://example.org/untitled", "", "duckduckgo"),
    ]


def test_blank_query_makes_no_call():
    client = FakeDDGS()
    assert backend(client).search("  ", 5) == []
    assert client.calls == []


@pytest.mark.parametrize("rows", [[], None])
def test_empty_results(rows: Any):
    client = FakeDDGS(rows=[])
    client.rows = rows
    assert backend(client).search("qwxzvbnm", 5) == []


def test_the_librarys_no_results_exception_is_an_empty_list():
    assert backend(FakeDDGS(error=DDGSException("No results found."))).search("qwxzvbnm", 5) == []


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (RatelimitException("https://html.duckduckgo.com/html 202 Ratelimit"), r"^DuckDuckGo is rate limiting"),
        (TimeoutException("timed out"), r"^DuckDuckGo did not answer in time; .*WEBQA_SEARCH_TIMEOUT_S"),
        (DDGSException("engine\nblew up"), r"^DuckDuckGo search failed \(engine blew up\); try again later"),
    ],
)
def test_library_errors_become_search_errors(error: Exception, message: str):
    with pytest.raises(SearchError, match=message) as caught:
        backend(FakeDDGS(error=error)).search("einstein", 5)
    assert "--backend" in str(caught.value)


def test_other_exceptions_are_not_disguised():
    with pytest.raises(KeyError):
        backend(FakeDDGS(error=KeyError("bug"))).search("einstein", 5)


def test_rows_of_an_unexpected_shape_are_reported():
    with pytest.raises(SearchError, match=r"unexpected shape; update it with `pip install -U ddgs`"):
        backend(FakeDDGS(rows=[{"href": ["not", "a", "string"]}])).search("einstein", 5)


def test_missing_library_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "ddgs", None)  # makes `import ddgs` raise ImportError
    with pytest.raises(SearchError, match=r"needs the ddgs library: install it with `pip install ddgs`"):
        DuckDuckGoBackend(Settings())


def test_builds_the_library_client_when_none_is_given(monkeypatch: pytest.MonkeyPatch):
    made: list[FakeDDGS] = []
    timeouts: list[int] = []

    def make_client(timeout: int) -> FakeDDGS:
        timeouts.append(timeout)
        made.append(FakeDDGS())
        return made[-1]

    monkeypatch.setitem(sys.modules, "ddgs", types.SimpleNamespace(DDGS=make_client))
    results = DuckDuckGoBackend(Settings(search_timeout_s=2.5)).search("einstein", 2)
    assert timeouts == [3]  # ddgs takes whole seconds
    assert made[0].calls == [("einstein", 2)]
    assert len(results) == 2
