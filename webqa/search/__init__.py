"""Search backends behind one protocol: `search(query, k) -> list[SearchResult]`."""

from webqa.search.base import SearchBackend, SearchContext, SearchError, SearchResult, make_backend

__all__ = ["SearchBackend", "SearchContext", "SearchError", "SearchResult", "make_backend"]
