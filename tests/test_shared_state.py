"""State that one assistant shares between the threads of a server (`webqa serve`, the browser chat)."""

import threading

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
