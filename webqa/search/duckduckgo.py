"""DuckDuckGo (and the other engines it aggregates) through the `ddgs` library; no key needed.
`ddgs` is optional (`pip install ddgs`, or the `web` extra) and imported only when this backend is used."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, TypeAdapter, ValidationError

from webqa.search.base import SearchBackend, SearchError, SearchResult, register
from webqa.search.http_json import ELSEWHERE, plain_text

if TYPE_CHECKING:
    from webqa.config import Settings


class TextSearch(Protocol):
    """The part of `ddgs.DDGS` this backend uses; tests pass a fake."""

    def text(self, query: str, *, max_results: int) -> list[dict[str, Any]]: ...


class _Row(BaseModel):
    title: str | None = None
    href: str | None = None
    body: str | None = None


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
            kind = _ddgs_error_kind(exc)
            if kind is None:
                raise  # not the library reporting a failed search: a bug, which must stay visible
            if kind == "empty":
                return []
            raise _search_error(kind, exc) from None
        try:
            rows = _ROWS.validate_python(raw or [])
        except ValidationError:
            raise SearchError(
                "The ddgs library returned results in an unexpected shape; update it with "
                f"`pip install -U ddgs`, {ELSEWHERE}."
            ) from None
        return [
            SearchResult(plain_text(row.title) or row.href, row.href, plain_text(row.body), source=self.name)
            for row in rows
            if row.href
        ][:k]


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


def _ddgs_error_kind(exc: Exception) -> str | None:
    # Matched by class name rather than imported classes: ddgs is optional, an injected client may run
    # without it, and these names (ddgs.exceptions) are the library's public API.
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "RatelimitException" in names:
        return "ratelimit"
    if "TimeoutException" in names:
        return "timeout"
    if "DDGSException" in names:
        # ddgs reports an empty result list as an exception; for us it is an ordinary empty answer.
        return "empty" if str(exc).strip().lower().startswith("no results found") else "other"
    return None


def _search_error(kind: str, exc: Exception) -> SearchError:
    if kind == "ratelimit":
        return SearchError(f"DuckDuckGo is rate limiting requests; wait a minute and try again, {ELSEWHERE}.")
    if kind == "timeout":
        return SearchError(f"DuckDuckGo did not answer in time; try again, raise WEBQA_SEARCH_TIMEOUT_S, {ELSEWHERE}.")
    reason = plain_text(str(exc)) or type(exc).__name__
    return SearchError(f"DuckDuckGo search failed ({reason}); try again later, {ELSEWHERE}.")


@register("duckduckgo")
def _make(settings: Settings) -> SearchBackend:
    return DuckDuckGoBackend(settings)
