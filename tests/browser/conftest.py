from __future__ import annotations

import pytest

from tests.browser.website import serve_site
from webqa.browser.env import Browser
from webqa.browser.fetchers import LocalDocuments, WebPages
from webqa.config import Settings
from webqa.index import build_index, open_index
from webqa.search.base import SearchResult


class ScriptedSearch:
    """A search backend that answers from a fixed list and records the queries."""

    name = "scripted"

    def __init__(self, results: list[SearchResult]) -> None:
        self.results = results
        self.queries: list[str] = []

    def search(self, query: str, k: int) -> list[SearchResult]:
        self.queries.append(query)
        return self.results[:k]


@pytest.fixture
def site(web):
    return serve_site(web)


@pytest.fixture
def web_settings(tmp_path) -> Settings:
    return Settings(
        index_dir=tmp_path / "indexes",
        embedding_model="hashing:256",
        allow_private_urls=True,  # the fixture site is on 127.0.0.1
        fetch_max_bytes=20_000,
        fetch_timeout_s=1.0,
        browser_window_lines=5,
        browser_line_chars=80,
        browser_max_quote_chars=200,
    )


@pytest.fixture
def local_index(corpus, web_settings, embedder):
    build_index("sample", [str(corpus)], web_settings, embedder=embedder, progress=False)
    index = open_index("sample", web_settings, embedder=embedder)
    yield index
    index.close()


@pytest.fixture
def make_browser(local_index, web_settings, site):
    def make(results: list[SearchResult] | None = None, budget: int = 20, **overrides) -> Browser:
        settings = web_settings.model_copy(update=overrides)
        return Browser(
            search_backend=ScriptedSearch(results or []),
            local=LocalDocuments(local_index, settings.browser_line_chars),
            web=WebPages(settings),
            budget=budget,
            window_lines=settings.browser_window_lines,
            line_chars=settings.browser_line_chars,
            max_quote_chars=settings.browser_max_quote_chars,
        )

    return make
