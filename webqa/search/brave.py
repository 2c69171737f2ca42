"""The Brave Search API (web results); needs a subscription token."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from webqa.search.base import SearchError, SearchResult
from webqa.search.http_json import ELSEWHERE, Hit, JsonApi, Sleep, strip_html, to_results

if TYPE_CHECKING:
    from webqa.config import Settings
    from webqa.search.base import SearchContext

MAX_COUNT = 20  # the API's largest page


class _Hit(Hit):
    snippet: str | None = Field(None, alias="description")


class _Web(BaseModel):
    results: list[_Hit] = []


class _Response(BaseModel):
    web: _Web | None = None  # absent when nothing matched


class BraveBackend:
    name = "brave"

    def __init__(self, settings: Settings, *, sleep: Sleep = time.sleep) -> None:
        if not settings.brave_api_key:
            raise SearchError(
                "The brave backend needs an API key: set WEBQA_BRAVE_API_KEY to your Brave Search API "
                f"subscription token, {ELSEWHERE}."
            )
        self.api_key = settings.brave_api_key
        self.api_url = settings.brave_api_url
        self.api = JsonApi.from_settings(
            settings,
            "Brave Search",
            "WEBQA_BRAVE_API_URL",
            refused_hint="the API key is wrong or expired: check WEBQA_BRAVE_API_KEY",
            sleep=sleep,
        )

    def search(self, query: str, k: int) -> list[SearchResult]:
        if not query.strip() or k <= 0:
            return []
        params: dict[str, str | int] = {"q": query.strip(), "count": min(k, MAX_COUNT)}
        data = self.api.get(self.api_url, params, headers={"X-Subscription-Token": self.api_key})
        response = self.api.parse(_Response, data)
        return to_results(response.web.results if response.web else [], k, self.name, strip_html)


def create(context: SearchContext) -> BraveBackend:
    return BraveBackend(context.settings)
