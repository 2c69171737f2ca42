"""A SearxNG metasearch instance (self-hosted or public) through its JSON output format."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from webqa.search.base import SearchError, SearchResult
from webqa.search.http_json import ELSEWHERE, Hits, JsonApi, Sleep, plain_text, to_results

if TYPE_CHECKING:
    from webqa.config import Settings
    from webqa.search.base import SearchContext


class SearxngBackend:
    name = "searxng"

    def __init__(self, settings: Settings, *, sleep: Sleep = time.sleep) -> None:
        if not settings.searxng_url:
            raise SearchError(
                "The searxng backend needs a SearxNG instance: set WEBQA_SEARXNG_URL to its base URL "
                f"(e.g. http://localhost:8080), {ELSEWHERE}."
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
        return to_results(self.api.parse(Hits, data).results, k, self.name, plain_text)


def create(context: SearchContext) -> SearxngBackend:
    return SearxngBackend(context.settings)
