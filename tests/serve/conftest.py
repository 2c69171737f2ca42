"""`webqa serve` for real: uvicorn on 127.0.0.1, on a port the system picks, in a thread of the test, over
small indexes built with the hashing embedder and a scripted model."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import HOTPOT_STYLE, write_corpus
from webqa.assistant import Assistant
from webqa.config import Settings, load_settings
from webqa.index import build_index
from webqa.llm import ScriptedLLM
from webqa.search.base import SearchBackend, SearchContext, SearchResult, make_backend
from webqa.serve.app import ServerParts, create_app
from webqa.serve.catalog import Catalog


@dataclass
class RunningServer:
    url: str  # http://127.0.0.1:PORT
    parts: ServerParts
    llm: ScriptedLLM
    searches: list[str]  # every query sent to the search backend, in order (repeats the cache answered left out)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"


@pytest.fixture
def serve_settings(chat_env) -> Settings:
    """The settings `webqa chat` tests run on (index "kb" over SAMPLE_DOCUMENTS + MERCURY), plus a second
    index "hotpot" that `webqa:hotpot` answers from."""
    settings = load_settings()
    corpus = write_corpus(chat_env / "hotpot.jsonl", HOTPOT_STYLE)
    build_index("hotpot", [str(corpus)], settings, progress=False)
    return settings


@contextlib.contextmanager
def running(parts: ServerParts, llm: ScriptedLLM, searches: list[str]) -> Iterator[RunningServer]:
    import uvicorn

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))  # bound here, so no other process can take the port in between
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(parts), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        yield RunningServer(f"http://127.0.0.1:{port}", parts, llm, searches)
    finally:
        server.should_exit = True
        thread.join(15)
        listener.close()


class RecordingSearch:
    """A search backend that notes every query it is sent."""

    def __init__(self, inner: SearchBackend, queries: list[str]) -> None:
        self.inner, self.queries = inner, queries
        self.name = inner.name

    def search(self, query: str, k: int) -> list[SearchResult]:
        self.queries.append(query)  # list.append is atomic: workers may search at once
        return self.inner.search(query, k)


class GatedSearch:
    """A search backend that waits for `gate` before searching: a worker held busy for as long as a test
    wants. `entered` is set when a search is waiting."""

    def __init__(self, inner: SearchBackend, gate: threading.Event) -> None:
        self.inner, self.gate = inner, gate
        self.name = inner.name
        self.entered = threading.Event()

    def search(self, query: str, k: int) -> list[SearchResult]:
        self.entered.set()
        assert self.gate.wait(30), "the test never opened the gate"
        return self.inner.search(query, k)


@pytest.fixture
def serve(serve_settings) -> Iterator[Callable[..., RunningServer]]:
    """Call with setting overrides (and `sources_in_text`, or a `gate` every search waits for) to get a
    running server; stopped after the test."""
    with contextlib.ExitStack() as stack:

        def start(
            *, sources_in_text: bool = False, gate: threading.Event | None = None, **overrides: object
        ) -> RunningServer:
            settings = serve_settings.model_copy(update=overrides)
            llm = ScriptedLLM()
            searches: list[str] = []

            def make_assistant(model_settings: Settings) -> Assistant:
                context = SearchContext(model_settings)
                backend: SearchBackend = RecordingSearch(make_backend(model_settings.search_backend, context), searches)
                if gate is not None:
                    backend = GatedSearch(backend, gate)
                return Assistant(model_settings, index=context.index, llm=llm, search=backend)

            catalog = Catalog(settings, make_assistant=make_assistant)
            parts = ServerParts.from_settings(settings, catalog, sources_in_text=sources_in_text)
            catalog.warm_up(with_model=False)
            return stack.enter_context(running(parts, llm, searches))

        yield start


@pytest.fixture
def server(serve) -> RunningServer:
    return serve()


def still_answers(server: RunningServer) -> None:
    """The server took what came before in its stride: it answers a plain question."""
    reply = httpx.post(
        f"{server.base_url}/chat/completions",
        json={"model": "webqa", "messages": [{"role": "user", "content": "When did Lothair II die?"}]},
        headers={"Authorization": f"Bearer {server.parts.api_key}"} if server.parts.api_key else {},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    assert "869" in reply.json()["choices"][0]["message"]["content"]
