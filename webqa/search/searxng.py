"""A SearxNG metasearch instance (self-hosted or public) through its JSON output format."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from pydantic import BaseModel

from webqa.search.base import SearchBackend, SearchError, SearchResult, register
from webqa.search.http_json import JsonApi, Sleep, plain_text

if TYPE_CHECKING:
    from webqa.config import Settings


class _Hit(BaseModel):
    title: str | None = None
    url: str | None = None
    content: str | None = None


class _Response(BaseModel):
    results: list[_Hit] = []


class SearxngBackend:
    name = "searxng"

    def __init__(self, settings: Settings, *, sleep: Sleep = time.sleep) -> None:
        if not settings.searxng_url:
            raise SearchError(
                "The searxng backend needs a SearxNG instance: set WEBQA_SEARXNG_URL to its base URL "
                "(e.g. http://localhost:8080), or use another backend with --backend."
            )
        self.search_url = settings.searxng_url.rstrip("/") + "/search"
        self.api = JsonApi.from_settings(
            settings,
            "SearxNG",
            "WEBQA_SEARXNG_URL",
            # SearxNG answers 403 when its JSON output format is not enabled.
            refused_hint="enable the json format in the instance's settings.yml (search: formats: [html, json])",
            sleep=sleep,
        )

    def search(self, query: str, k: int) -> list[SearchResult]:
        if not query.strip() or k <= 0:
            return []
        data = self.api.get(self.search_url, {"q": query.strip(), "format": "json"})
        hits = self.api.parse(_Response, data).results
        return [
            SearchResult(plain_text(hit.title) or hit.url, hit.url, plain_text(hit.content), source=self.name)
            for hit in hits
            if hit.url
        ][:k]


@register("searxng")
def _make(settings: Settings) -> SearchBackend:
    return SearxngBackend(settings)
