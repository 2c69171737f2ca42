"""A real OpenAI-compatible model server for tests: llama-cpp-python's own, serving the embedded SmolLM2 GGUF
on 127.0.0.1, and a relay that lets a test kill it in the middle of a reply."""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from webqa.llm import embedded_model_path

REPO = Path(__file__).resolve().parents[1]
MODEL_ALIAS = "smollm2"  # what the tests ask for: openai:smollm2
API_KEY = "test-key-1234"
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LlamaServer:
    """`python -m webqa.llm.llamacpp_server` (llama_cpp.server with webqa's AMX fix) in a child process,
    one thread, requests refused without API_KEY. Its log goes to a file the failure message quotes."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        command = [
            sys.executable, "-m", "webqa.llm.llamacpp_server",
            "--model", str(embedded_model_path()),
            "--model_alias", MODEL_ALIAS,
            "--host", "127.0.0.1", "--port", str(self.port),
            "--api_key", API_KEY,
            "--n_ctx", "4096",
            "--n_threads", "1", "--n_threads_batch", "1",  # the machine's other core is a colleague's
            "--seed", "0",
        ]  # fmt: skip
        # The child imports webqa from this checkout, whatever the interpreter has installed.
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=environment)
        self._wait_until_ready()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the llama.cpp server exited at start:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                headers = {"Authorization": f"Bearer {API_KEY}"}
                if httpx.get(f"{self.base_url}/models", headers=headers, timeout=2.0).status_code == 200:
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the llama.cpp server did not answer within {START_TIMEOUT_S:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        """Die the hard way (SIGKILL): no goodbye to open connections."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


# A chunk of a streamed chat completion that carries text (not the first one, which only names the role).
_CONTENT_CHUNK = re.compile(rb'"delta":\s*\{[^}]*"content":\s*"[^"]')


class KillingRelay:
    """A TCP relay in front of a server on 127.0.0.1 that calls `on_reply_text` once, as soon as a streamed
    reply's first piece of text has passed through, then goes on relaying whatever the server still sends."""

    def __init__(self, target_port: int, on_reply_text: Callable[[], None]) -> None:
        self.target_port = target_port
        self.on_reply_text = on_reply_text
        self.triggered = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self._stopping = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _accept(self) -> None:
        self.listener.settimeout(0.1)
        while not self._stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        with client, socket.create_connection(("127.0.0.1", self.target_port)) as server:
            while not self._stopping.is_set():
                readable, _, _ = select.select([client, server], [], [], 0.1)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return  # either side closed: close the other, as a dying server's socket would
                    (server if source is client else client).sendall(data)
                    if source is server and not self.triggered.is_set() and _CONTENT_CHUNK.search(data):
                        self.triggered.set()
                        self.on_reply_text()

    def close(self) -> None:
        self._stopping.set()
        self.listener.close()


def require_server_extra() -> None:
    """Skip without llama-cpp-python's server extra, except in CI, where these tests must run."""
    try:
        import llama_cpp.server.app  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CI"):
            raise AssertionError(f"CI must run the real-server tests: install webqa[llm-server] ({exc})") from exc
        pytest.skip(f"llama-cpp-python's server extra is not installed: pip install 'webqa[llm-server]' ({exc})")


@contextlib.contextmanager
def running_server(log_path: Path) -> Iterator[LlamaServer]:
    require_server_extra()
    server = LlamaServer(log_path)
    try:
        yield server
    finally:
        server.stop()
