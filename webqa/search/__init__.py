"""Search backends behind one protocol: `search(query, k) -> list[SearchResult]`."""

from webqa.search.base import SearchBackend, SearchError, SearchResult, make_backend

__all__ = ["SearchBackend", "SearchError", "SearchResult", "make_backend"]
