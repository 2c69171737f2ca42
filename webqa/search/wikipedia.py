"""Wikipedia (or any MediaWiki wiki) through its search API; no key needed."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from pydantic import BaseModel

from webqa.search.base import SearchError, SearchResult
from webqa.search.http_json import JsonApi, Sleep, strip_html

if TYPE_CHECKING:
    from webqa.config import Settings
    from webqa.search.base import SearchContext

MAX_LIMIT = 500  # MediaWiki refuses a larger srlimit for ordinary clients
# The characters MediaWiki itself leaves unescaped in article URLs, so ours match the canonical ones.
_TITLE_SAFE = ";@$!*(),/:~"


class _Hit(BaseModel):
    title: str | None = None
    snippet: str | None = None


class _Query(BaseModel):
    search: list[_Hit] = []


class _Error(BaseModel):
    code: str = ""
    info: str = ""


class _Response(BaseModel):
    query: _Query | None = None
    error: _Error | None = None


class WikipediaBackend:
    name = "wikipedia"

    def __init__(self, settings: Settings, *, sleep: Sleep = time.sleep) -> None:
        self.api_url = settings.wikipedia_api_url
        parts = urlsplit(self.api_url)
        # Search results must open as pages later, so they point at the articles the API describes.
        self.article_base = f"{parts.scheme}://{parts.netloc}/wiki/"
        self.api = JsonApi.from_settings(settings, "Wikipedia", "WEBQA_WIKIPEDIA_API_URL", sleep=sleep)

    def search(self, query: str, k: int) -> list[SearchResult]:
        if not query.strip() or k <= 0:
            return []
        params: dict[str, str | int] = {
            "action": "query",
            "list": "search",
            "srsearch": query.strip(),
            "srlimit": min(k, MAX_LIMIT),
            "format": "json",
            "formatversion": 2,
        }
        response = self.api.parse(_Response, self.api.get(self.api_url, params))
        if response.error is not None:
            # MediaWiki reports bad requests with HTTP 200 and an error object.
            raise SearchError(
                f"Wikipedia refused the search ({response.error.code}: {response.error.info}); "
                "check WEBQA_WIKIPEDIA_API_URL."
            )
        hits = response.query.search if response.query else []
        return [
            SearchResult(hit.title, self.article_url(hit.title), strip_html(hit.snippet), source=self.name)
            for hit in hits
            if hit.title
        ][:k]

    def article_url(self, title: str) -> str:
        return self.article_base + quote(title.replace(" ", "_"), safe=_TITLE_SAFE)


def create(context: SearchContext) -> WikipediaBackend:
    return WikipediaBackend(context.settings)
