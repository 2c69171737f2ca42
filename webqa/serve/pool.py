"""The worker pool answers run in: a fixed number of threads and a bounded queue in front of them.

Threads, not processes: every worker shares the one assistant the server loaded (index, embedder, model),
so memory does not grow with the workers. The heavy work (torch, FAISS, llama.cpp) releases the GIL; a
llama.cpp model serialises its own use behind a lock. A request beyond what the workers and the queue
hold is refused at once (503) rather than left waiting past any client's patience."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from webqa.serve.api_errors import overloaded

T = TypeVar("T")

MAX_DEFAULT_WORKERS = 4  # beyond this the cores, not the workers, are what answers wait for


def default_workers() -> int:
    return max(1, min(MAX_DEFAULT_WORKERS, os.cpu_count() or 1))


class AnswerPool:
    def __init__(self, workers: int, queue_size: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.queue_size = queue_size
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webqa-answer")
        self._lock = threading.Lock()
        self._admitted = 0  # running or waiting
        self._running = 0

    def submit(self, function: Callable[..., T], *args: object) -> Future[T]:
        """Run `function(*args)` on a worker; ApiError 503 when the workers and the queue are all taken."""
        with self._lock:
            if self._admitted >= self.workers + self.queue_size:
                raise overloaded(retry_after_s=5)
            self._admitted += 1
        future = self._executor.submit(self._run, function, *args)
        # Runs when the answer ends, and also when a waiting request is cancelled before it starts.
        future.add_done_callback(self._release)
        return future

    def _run(self, function: Callable[..., T], *args: object) -> T:
        with self._lock:
            self._running += 1
        try:
            return function(*args)
        finally:
            with self._lock:
                self._running -= 1

    def _release(self, _: Future[T]) -> None:
        with self._lock:
            self._admitted -= 1

    def status(self) -> dict[str, int]:
        with self._lock:
            return {
                "workers": self.workers,
                "answering": self._running,
                "waiting": self._admitted - self._running,
                "queue_size": self.queue_size,
            }

    def shutdown(self) -> None:
        """Drop the waiting requests; answers already running finish in their threads."""
        self._executor.shutdown(wait=False, cancel_futures=True)
