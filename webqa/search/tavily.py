"""The Tavily search API, made for LLM agents; needs an API key."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from webqa.search.base import SearchError, SearchResult
from webqa.search.http_json import ELSEWHERE, Hits, JsonApi, Sleep, plain_text, to_results

if TYPE_CHECKING:
    from webqa.config import Settings
    from webqa.search.base import SearchContext

MAX_RESULTS = 20  # the API's upper bound for max_results


class TavilyBackend:
    name = "tavily"

    def __init__(self, settings: Settings, *, sleep: Sleep = time.sleep) -> None:
        if not settings.tavily_api_key:
            raise SearchError(f"The tavily backend needs an API key: set WEBQA_TAVILY_API_KEY, {ELSEWHERE}.")
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
        return to_results(self.api.parse(Hits, data).results, k, self.name, plain_text)


def create(context: SearchContext) -> TavilyBackend:
    return TavilyBackend(context.settings)
