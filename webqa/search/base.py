"""The search protocol, its result type, and what a backend is created with (webqa.registry names them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from webqa.errors import WebqaError
from webqa.registry import SEARCH_BACKENDS

if TYPE_CHECKING:
    from webqa.config import Settings
    from webqa.index.search import Index


@dataclass(frozen=True)
class SearchResult:
    """One result as a search engine lists it. `doc_id` is set when the page is a local document."""

    title: str
    url: str | None
    snippet: str
    doc_id: str | None = None
    source: str = ""  # the backend's name


class SearchBackend(Protocol):
    name: str

    def search(self, query: str, k: int) -> list[SearchResult]:
        """Up to k results, best first; an empty list when nothing matches."""
        ...


class SearchError(WebqaError):
    """A backend that could not answer (unreachable, refused, rate limited, misconfigured)."""


@dataclass
class SearchContext:
    """What a backend is created with: the settings (keys, base URLs), and the local index, which is opened
    only if the backend asks for it (then `index` holds it for the browser's local documents)."""

    settings: Settings
    index: Index | None = None

    def local_index(self) -> Index:
        if self.index is None:
            from webqa.index.search import open_index  # numpy and faiss: only for a backend that needs them

            self.index = open_index(self.settings.default_index, self.settings)
        return self.index


def make_backend(name: str, context: SearchContext) -> SearchBackend:
    """The search backend registered as `name`, created from the context."""
    backend: SearchBackend = SEARCH_BACKENDS.create(name, context)
    return backend


class RepeatCache:
    """Remembers the last search: a conversation checks a question for ambiguity and then browses with
    the same query, and a second identical request (a paid API call on web backends) would change nothing."""

    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend
        self.name = backend.name
        self._last: tuple[tuple[str, int], list[SearchResult]] | None = None

    def search(self, query: str, k: int) -> list[SearchResult]:
        # Read and written once each: a server's threads share this cache, and another thread's search may
        # replace `_last` between a check and a second read of it.
        last = self._last
        if last is None or last[0] != (query, k):
            last = ((query, k), self.backend.search(query, k))
            self._last = last
        return list(last[1])
