"""`webqa serve` as a user starts it: the installed command, in its own process, on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai
import pytest

from webqa.cli import main


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(folder: Path, *args: str) -> tuple[str, subprocess.Popen]:
    port = _free_port()
    command = [str(Path(sys.executable).with_name("webqa")), "serve", "--port", str(port), *args]
    process = subprocess.Popen(
        command, env=dict(os.environ), cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"webqa serve exited with code {process.returncode}:\n{process.stdout.read()}")
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return url, process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"webqa serve did not answer at {url} within 60 s")


def _stop(process: subprocess.Popen) -> str:
    process.terminate()  # what Ctrl-C or a service manager does
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def test_webqa_serve_answers_the_openai_client_and_says_who_may_ask(chat_env):
    url, process = _start(chat_env)
    try:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="none", max_retries=0)
        completion = client.chat.completions.create(
            model="webqa", messages=[{"role": "user", "content": "When did Lothair II die?"}]
        )
        assert "869" in completion.choices[0].message.content
        assert completion.model_extra["citations"] == ["https://example.org/lothair"]
    finally:
        output = _stop(process)
    assert f"webqa serve: {url}/v1 — models: webqa, webqa:kb" in output
    assert "no API key (WEBQA_API_KEY unset): serving this machine only" in output


def test_webqa_serve_with_a_key_refuses_requests_without_it(chat_env, monkeypatch):
    monkeypatch.setenv("WEBQA_API_KEY", "s3cret")
    url, process = _start(chat_env, "--workers", "1")
    try:
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=f"{url}/v1", api_key="wrong", max_retries=0).models.list()
        models = openai.OpenAI(base_url=f"{url}/v1", api_key="s3cret", max_retries=0).models.list()
        assert [m.id for m in models.data] == ["webqa", "webqa:kb"]
        assert httpx.get(f"{url}/health").json()["workers"] == 1
    finally:
        output = _stop(process)
    assert "every request needs the API key" in output


def test_serving_beyond_loopback_without_a_key_is_refused_before_anything_loads(chat_env, capsys):
    code = main(["serve", "--host", "0.0.0.0", "--port", str(_free_port())])
    err = capsys.readouterr().err
    assert code == 1
    assert "Serving on 0.0.0.0 without an API key" in err and "WEBQA_API_KEY" in err and "--allow-without-key" in err
    assert "loading" not in err


def test_a_busy_port_fails_in_one_line(chat_env, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["serve", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 1 and f"Port {port} on 127.0.0.1 is already in use (another webqa serve" in err
