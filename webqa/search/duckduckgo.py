"""DuckDuckGo (and the other engines it aggregates) through the `ddgs` library; no key needed.
`ddgs` is optional (`pip install ddgs`, or the `web` extra) and imported only when this backend is used."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import Field, TypeAdapter, ValidationError

from webqa.search.base import SearchError, SearchResult
from webqa.search.http_json import ELSEWHERE, Hit, plain_text, to_results

if TYPE_CHECKING:
    from webqa.config import Settings
    from webqa.search.base import SearchContext


class TextSearch(Protocol):
    """The part of `ddgs.DDGS` this backend uses; tests pass a fake."""

    def text(self, query: str, *, max_results: int) -> list[dict[str, Any]]: ...


class _Row(Hit):
    url: str | None = Field(None, alias="href")
    snippet: str | None = Field(None, alias="body")


_ROWS = TypeAdapter(list[_Row])


class DuckDuckGoBackend:
    name = "duckduckgo"

    def __init__(self, settings: Settings, *, client: TextSearch | None = None) -> None:
        self.client = client if client is not None else _default_client(settings.search_timeout_s)

    def search(self, query: str, k: int) -> list[SearchResult]:
        if not query.strip() or k <= 0:
            return []
        try:
            raw = self.client.text(query.strip(), max_results=k)
        except Exception as exc:
            # Recognised by class name rather than imported classes: ddgs is optional, an injected client may
            # run without it, and these names (ddgs.exceptions) are the library's public API.
            classes = {cls.__name__ for cls in type(exc).__mro__}
            if "DDGSException" not in classes:
                raise  # not the library reporting a failed search: a bug, which must stay visible
            if str(exc).strip().lower().startswith("no results found"):
                return []  # ddgs reports an empty result list as an exception; for us it is an ordinary answer
            raise _search_error(classes, exc) from None
        try:
            rows = _ROWS.validate_python(raw or [])
        except ValidationError:
            raise SearchError(
                "The ddgs library returned results in an unexpected shape; update it with "
                f"`pip install -U ddgs`, {ELSEWHERE}."
            ) from None
        return to_results(rows, k, self.name, plain_text)


def _default_client(timeout_s: float) -> TextSearch:
    try:
        from ddgs import DDGS
    except ImportError:
        raise SearchError(
            "The duckduckgo backend needs the ddgs library: install it with `pip install ddgs` "
            f"(or `pip install 'webqa[web]'`), {ELSEWHERE}."
        ) from None
    client: TextSearch = DDGS(timeout=max(1, math.ceil(timeout_s)))  # ddgs takes whole seconds
    return client


def _search_error(classes: set[str], exc: Exception) -> SearchError:
    """The message for a failed ddgs search, by the names of the exception's classes."""
    if "RatelimitException" in classes:
        return SearchError(f"DuckDuckGo is rate limiting requests; wait a minute and try again, {ELSEWHERE}.")
    if "TimeoutException" in classes:
        return SearchError(f"DuckDuckGo did not answer in time; try again, raise WEBQA_SEARCH_TIMEOUT_S, {ELSEWHERE}.")
    reason = plain_text(str(exc)) or type(exc).__name__
    return SearchError(f"DuckDuckGo search failed ({reason}); try again later, {ELSEWHERE}.")


def create(context: SearchContext) -> DuckDuckGoBackend:
    return DuckDuckGoBackend(context.settings)
