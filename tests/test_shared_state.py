"""State that one assistant shares between the threads of a server (`webqa serve`, the browser chat)."""

import threading
import time

import numpy as np

from webqa.answer.relevance import Relevance
from webqa.index.embedders import HashingEmbedder


class _PausingEmbedder:
    """Hashing vectors; a call from the thread named `pause_in` waits until `resume` is set."""

    def __init__(self, pause_in: str) -> None:
        self._inner = HashingEmbedder(64)
        self.pause_in = pause_in
        self.paused = threading.Event()
        self.resume = threading.Event()

    def embed(self, texts):
        if threading.current_thread().name == self.pause_in:
            self.paused.set()
            assert self.resume.wait(5), "the test never resumed the paused thread"
        return self._inner.embed(texts)


def test_a_scorer_cache_cleared_by_another_thread_does_not_lose_a_callers_vectors():
    embedder = _PausingEmbedder(pause_in="first")
    relevance = Relevance(embedder, cache_size=4)  # type: ignore[arg-type]
    relevance.embed(["already cached"])
    results: dict[str, object] = {}

    def first() -> None:
        try:
            results["vectors"] = relevance.embed(["already cached", "new text"])
        except Exception as exc:  # noqa: BLE001 - the failure is what this test looks for
            results["error"] = exc

    thread = threading.Thread(target=first, name="first")
    thread.start()
    assert embedder.paused.wait(5)
    # Meanwhile another thread's texts overflow the cache, which starts afresh without "already cached".
    relevance.embed(["one", "two", "three", "four"])
    embedder.resume.set()
    thread.join(5)

    assert "error" not in results, results.get("error")
    expected = HashingEmbedder(64).embed(["already cached", "new text"])
    assert np.allclose(results["vectors"], expected)


class _PausingURL(str):
    """An address whose second hashing in the thread named `pause_in` waits until `resume` is set. A
    cache that finds the page and then looks it up again (to return it) hashes it twice, and another
    thread may evict the page in between; a cache that looks once hashes it once and never waits."""

    def __new__(cls, text: str, pause_in: str) -> "_PausingURL":
        url = super().__new__(cls, text)
        url.pause_in, url.hashes = pause_in, 0
        url.paused, url.resume = threading.Event(), threading.Event()
        return url

    def __hash__(self) -> int:
        if threading.current_thread().name == self.pause_in:
            self.hashes += 1
            if self.hashes == 2:
                self.paused.set()
                assert self.resume.wait(5), "the test never resumed the paused thread"
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        return str.__eq__(self, other)


def test_a_cached_web_page_evicted_by_another_thread_while_it_is_read_is_still_returned(tmp_path):
    import httpx

    from webqa.browser.fetchers import WebPages
    from webqa.config import Settings

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=f"Page {request.url.path}.", headers={"Content-Type": "text/plain"})

    settings = Settings(index_dir=tmp_path, page_cache_size=2, allow_private_urls=True)
    pages = WebPages(settings, client=httpx.Client(transport=httpx.MockTransport(answer)))
    url = _PausingURL("http://pages.test/a", pause_in="reader")
    pages.get(url)  # cached
    results: dict[str, object] = {}

    def read() -> None:
        try:
            results["page"] = pages.get(url)
        except Exception as exc:  # noqa: BLE001 - the failure is what this test looks for
            results["error"] = exc

    reader = threading.Thread(target=read, name="reader")
    reader.start()
    deadline = time.monotonic() + 5
    while not url.paused.is_set() and reader.is_alive():
        assert time.monotonic() < deadline, "the reader neither paused nor finished"
        time.sleep(0.01)
    # Meanwhile another thread's pages push the one being read out of the cache.
    evictor = threading.Thread(target=lambda: [pages.get(f"http://pages.test/{n}") for n in "bc"])
    evictor.start()
    evictor.join(0.5)  # done by now unless a lock held by the paused reader keeps it waiting
    url.resume.set()
    reader.join(5)
    evictor.join(5)

    assert "error" not in results, repr(results.get("error"))
    assert results["page"].text == "Page /a."
    assert len(pages._by_url) == 2 and pages.fetches == 3


def test_the_fields_that_key_shared_caches_are_settings():
    # model_dump_json(include=...) ignores a name Settings does not have: a misspelt field would silently
    # stop keying the cache on it.
    from webqa.browser.session import PAGE_CACHE_FIELDS
    from webqa.config import Settings
    from webqa.index.search import INDEX_FIELDS

    assert set(INDEX_FIELDS) <= set(Settings.model_fields)
    assert set(Settings.model_fields) >= PAGE_CACHE_FIELDS


def test_a_page_cache_is_shared_by_settings_that_fetch_the_same_way(tmp_path):
    from webqa.browser.session import forget_shared_web_pages, shared_web_pages
    from webqa.config import Settings

    forget_shared_web_pages()
    try:
        settings = Settings(index_dir=tmp_path)
        first = shared_web_pages(settings)
        assert shared_web_pages(settings.model_copy(update={"answer_mode": "abstractive", "policy": "llm"})) is first
        assert shared_web_pages(settings.model_copy(update={"fetch_timeout_s": 1.0})) is not first
    finally:
        forget_shared_web_pages()
