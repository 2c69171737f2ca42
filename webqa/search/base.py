"""The search protocol, its result type, and the registry that picks a backend by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from webqa.errors import WebqaError

if TYPE_CHECKING:
    from webqa.config import Settings


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


BackendFactory = Callable[["Settings"], SearchBackend]
BACKENDS: dict[str, BackendFactory] = {}


def register(name: str) -> Callable[[BackendFactory], BackendFactory]:
    def decorate(factory: BackendFactory) -> BackendFactory:
        BACKENDS[name] = factory
        return factory

    return decorate


def make_backend(name: str, settings: Settings) -> SearchBackend:
    """The backend called `name`, configured from settings (keys, base URLs, the local index)."""
    _load_builtin_backends()
    if name not in BACKENDS:
        raise WebqaError(f"Unknown search backend '{name}'. Available: {', '.join(sorted(BACKENDS))}.")
    return BACKENDS[name](settings)


def backend_names() -> list[str]:
    """Every search backend a setting can name: the local index, and the registered web backends."""
    _load_builtin_backends()
    return ["local", *sorted(BACKENDS)]


def _load_builtin_backends() -> None:
    # Importing a backend module registers it; each imports its own optional dependencies lazily.
    from webqa.search import brave, duckduckgo, local, searxng, tavily, wikipedia  # noqa: F401


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
