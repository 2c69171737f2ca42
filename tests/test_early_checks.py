"""Cheap checks before expensive work: each mistake fails in a moment, before any index or model loads.

The environment here has no index at all, so a command that got as far as opening one would fail with
"No index named ..." instead of the message each test expects."""

from __future__ import annotations

import io
import socket
import time

import pytest

from webqa.cli import main
from webqa.config import load_settings
from webqa.errors import WebqaError
from webqa.llm import check_llm

UNREACHABLE = "http://127.0.0.1:9/v1"  # the discard port: nothing listens, the connection is refused


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WEBQA_INDEX_DIR", str(tmp_path / "no-indexes"))

    def run(*args: str, stdin: str | None = None) -> tuple[int, str, float]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        started = time.monotonic()
        code = main(list(args))
        seconds = time.monotonic() - started
        err = capsys.readouterr().err
        assert "Traceback" not in err
        return code, err, seconds

    return run


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_an_empty_question_is_refused_at_once(run, question):
    code, err, seconds = run("ask", question)
    assert code == 2 and err.startswith("error: The question is empty.") and seconds < 1


def test_chat_with_nothing_but_blank_lines_is_refused_before_anything_loads(run):
    code, err, _ = run("chat", stdin="  \n\n\t\n")
    assert code == 2 and "No question on standard input" in err


@pytest.mark.parametrize(
    "command",
    [["ask", "Who?"], ["batch", "q.txt", "--out", "a.jsonl"], ["chat"], ["ui", "--port", "1"]],
    ids=["ask", "batch", "chat", "ui"],
)
def test_a_bogus_model_spec_is_refused_before_anything_loads(run, command, tmp_path):
    (tmp_path / "q.txt").write_text("Who?\n", encoding="utf-8")
    code, err, seconds = run(*command, "--llm", "bogus:x", stdin="Who?\n")
    assert code == 1 and "Unknown LLM spec 'bogus:x'" in err and seconds < 2


def test_an_unreachable_model_server_is_an_error_before_answering(run, monkeypatch):
    monkeypatch.setenv("WEBQA_OPENAI_BASE_URL", UNREACHABLE)
    monkeypatch.setenv("WEBQA_OPENAI_API_KEY", "key")
    code, err, _ = run("ask", "Who?", "--llm", "openai:some-model")
    assert code == 1 and f"Cannot reach the model server at {UNREACHABLE}" in err
    assert "WEBQA_OPENAI_BASE_URL" in err


def test_the_reachability_check_is_one_request_with_the_key(web, tmp_path):
    web.add_json("/v1/models", {"data": []})
    settings = load_settings(llm="openai:m", openai_base_url=web.url("/v1"), openai_api_key="secret")
    check_llm(settings)
    assert [(r.path, r.headers["authorization"]) for r in web.received] == [("/v1/models", "Bearer secret")]
    web.add_json("/v1/models", {"error": "bad key"}, status=401)
    with pytest.raises(WebqaError, match="refused the API key"):
        check_llm(settings)
    web.add("/v1/models", "no such route", status=404, content_type="text/plain")
    check_llm(settings)  # a server without /models is still a server that answers


def test_extractive_answers_without_the_model_do_not_need_it(run, monkeypatch):
    """Planned policy, extractive answers and heuristic scoring never call the model: no server is asked."""
    monkeypatch.setenv("WEBQA_OPENAI_BASE_URL", UNREACHABLE)
    monkeypatch.setenv("WEBQA_OPENAI_API_KEY", "key")
    monkeypatch.setenv("WEBQA_SHORT_ANSWER_SCORING", "heuristic")
    code, err, _ = run("ask", "Who?", "--llm", "openai:some-model")
    assert code == 1 and "No index named" in err  # got past the model checks, to the (missing) index


def test_a_chunk_overlap_as_large_as_the_chunk_is_refused(run, monkeypatch):
    with pytest.raises(WebqaError, match=r"chunk_overlap_chars \(500\) must be smaller than chunk_chars \(500\)"):
        load_settings(chunk_chars=500, chunk_overlap_chars=500)
    monkeypatch.setenv("WEBQA_CHUNK_OVERLAP_CHARS", "5000")
    code, err, _ = run("index", "build", "corpus.jsonl", "--name", "kb")
    assert code == 1 and "chunk_overlap_chars (5000) must be smaller than chunk_chars (1000)" in err


def test_ui_on_a_busy_port_fails_before_printing_its_address(run, monkeypatch):
    import importlib

    ui_command = importlib.import_module("webqa.cli.ui_command")
    monkeypatch.setattr(ui_command.os, "execve", lambda *a, **k: 1 / 0)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, err, _ = run("ui", "--port", str(port))
    assert code == 1 and f"Port {port} on 127.0.0.1 is already in use" in err and "http://" not in err
