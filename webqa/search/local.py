"""The `local` backend: hybrid search over a built index, one result per document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from webqa.search.base import SearchResult
from webqa.text import cut, flat

if TYPE_CHECKING:
    from webqa.index.search import Index
    from webqa.search.base import SearchContext

SNIPPET_CHARS = 300


class LocalSearch:
    name = "local"

    def __init__(self, index: Index) -> None:
        self.index = index

    def search(self, query: str, k: int) -> list[SearchResult]:
        if not query.strip() or k <= 0:
            return []
        results: dict[str, SearchResult] = {}
        # A document can own several of the best chunks; ask for more so k documents remain.
        for hit in self.index.search(query, 3 * k):
            if hit.chunk.doc_id not in results:
                results[hit.chunk.doc_id] = SearchResult(
                    title=hit.chunk.title,
                    url=hit.url,
                    snippet=_snippet(hit.chunk.text),
                    doc_id=hit.chunk.doc_id,
                    source=self.name,
                )
            if len(results) == k:
                break
        return list(results.values())


def create(context: SearchContext) -> LocalSearch:
    return LocalSearch(context.local_index())


def _snippet(text: str) -> str:
    return cut(flat(text), SNIPPET_CHARS, " …")
