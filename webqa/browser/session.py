"""Build a browser from settings: the chosen search backend, local documents and web pages."""

from __future__ import annotations

from webqa.browser.archive import browsed_archive
from webqa.browser.env import Browser
from webqa.browser.fetchers import LocalDocuments, WebPages
from webqa.config import Settings
from webqa.index.search import Index
from webqa.search.base import SearchBackend, SearchContext, make_backend


def new_browser(
    settings: Settings,
    *,
    index: Index | None = None,
    backend: str | SearchBackend | None = None,
    web: WebPages | None = None,
) -> Browser:
    """A browser whose local documents come from `index` (opened from settings when the local backend
    needs it) and whose web pages go through `web` (one cache per process is best: pass it in)."""
    chosen = backend or settings.search_backend
    if isinstance(chosen, str):
        context = SearchContext(settings, index)
        search = make_backend(chosen, context)
        index = context.index  # opened if the backend searches it
    else:
        search = chosen
    return Browser(
        search_backend=search,
        local=LocalDocuments(index, settings.browser_line_chars) if index is not None else None,
        web=web or shared_web_pages(settings),
        budget=settings.browser_budget,
        window_lines=settings.browser_window_lines,
        line_chars=settings.browser_line_chars,
        max_quote_chars=settings.browser_max_quote_chars,
        results_k=settings.search_k,
    )


_shared: dict[str, WebPages] = {}
# Every setting a page cache (its fetcher and archive) reads: settings that agree on these share one cache.
PAGE_CACHE_FIELDS = {
    "fetch_timeout_s",
    "fetch_deadline_s",
    "fetch_max_bytes",
    "allow_private_urls",
    "user_agent",
    "page_cache_size",
    "page_cache_max_age_s",
    "browser_line_chars",
    "keep_browsed",
    "index_dir",
    "browsed_index",
}


def shared_web_pages(settings: Settings) -> WebPages:
    """One page cache per process and page settings, so follow-ups and batch questions reuse fetched pages
    (also across the chat's sidebar switches, which change how it answers, not how it fetches)."""
    key = settings.model_dump_json(include=PAGE_CACHE_FIELDS)
    if key not in _shared:
        _shared[key] = WebPages(settings, archive=browsed_archive(settings) if settings.keep_browsed else None)
    return _shared[key]


def forget_shared_web_pages() -> None:
    """Drop every process-wide page cache: the next browser starts with no page in memory, as a fresh
    process does (kept pages on disk stay)."""
    _shared.clear()
