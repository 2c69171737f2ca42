"""The Tavily search API, made for LLM agents; needs an API key."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from pydantic import BaseModel

from webqa.search.base import SearchBackend, SearchError, SearchResult, register
from webqa.search.http_json import JsonApi, Sleep, plain_text

if TYPE_CHECKING:
    from webqa.config import Settings

MAX_RESULTS = 20  # the API's upper bound for max_results


class _Hit(BaseModel):
    title: str | None = None
    url: str | None = None
    content: str | None = None


class _Response(BaseModel):
    results: list[_Hit] = []


class TavilyBackend:
    name = "tavily"

    def __init__(self, settings: Settings, *, sleep: Sleep = time.sleep) -> None:
        if not settings.tavily_api_key:
            raise SearchError(
                "The tavily backend needs an API key: set WEBQA_TAVILY_API_KEY, or use another backend with --backend."
            )
        self.api_key = settings.tavily_api_key
        self.api_url = settings.tavily_api_url
        self.api = JsonApi.from_settings(
            settings,
            "Tavily",
            "WEBQA_TAVILY_API_URL",
            refused_hint="the API key is wrong or expired: check WEBQA_TAVILY_API_KEY",
            sleep=sleep,
        )

    def search(self, query: str, k: int) -> list[SearchResult]:
        if not query.strip() or k <= 0:
            return []
        body = {"query": query.strip(), "max_results": min(k, MAX_RESULTS)}
        data = self.api.post(self.api_url, body, headers={"Authorization": f"Bearer {self.api_key}"})
        hits = self.api.parse(_Response, data).results
        return [
            SearchResult(plain_text(hit.title) or hit.url, hit.url, plain_text(hit.content), source=self.name)
            for hit in hits
            if hit.url
        ][:k]


@register("tavily")
def _make(settings: Settings) -> SearchBackend:
    return TavilyBackend(settings)
