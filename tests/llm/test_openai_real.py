"""webqa's openai:MODEL path against a real OpenAI-compatible server: llama-cpp-python's own, serving the
embedded SmolLM2 on 127.0.0.1 with one thread. Everything else is as a user runs it: `webqa ask` and
`webqa batch` over a small local index, the server's real answers, refusals and deaths."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DOCUMENTS
from tests.llama_server import API_KEY, MODEL_ALIAS, KillingRelay, LlamaServer, running_server
from webqa.agent.llm_policy import ACTION_SCHEMA, BrowserAction
from webqa.browser.env import COMMANDS
from webqa.cli import main
from webqa.config import Settings, load_settings
from webqa.errors import WebqaError
from webqa.llm import load_llm
from webqa.llm.openai_compat import OpenAICompatibleLLM
from webqa.types import Document

pytestmark = pytest.mark.slow

SPEC = f"openai:{MODEL_ALIAS}"
QUESTION = "Where did Lothair II die?"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    with running_server(tmp_path_factory.mktemp("llama-server") / "server.log") as running:
        yield running


@pytest.fixture
def dying_server(tmp_path: Path) -> Iterator[LlamaServer]:
    """A server of the test's own, since the test kills it."""
    with running_server(tmp_path / "dying-server.log") as running:
        yield running


@pytest.fixture
def webqa_env(cli_env: Callable[[list[Document]], Path], monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], Path]:
    """Call with a base URL and a key: `webqa` commands then run over the sample index with openai:smollm2.
    Budgets are small: every model call costs a second or more on one thread."""

    def make(base_url: str, api_key: str = API_KEY) -> Path:
        folder = cli_env(SAMPLE_DOCUMENTS)
        for name, value in {
            "LLM": SPEC,
            "OPENAI_BASE_URL": base_url,
            "OPENAI_API_KEY": api_key,
            "LLM_MAX_TOKENS": "256",
            "BROWSER_BUDGET": "2",
            "BROWSER_WINDOW_LINES": "8",
            "SEARCH_K": "3",
            "ABSTAIN_BELOW": "0.1",  # the hashing embedder scores paraphrases low
        }.items():
            monkeypatch.setenv(f"WEBQA_{name}", value)
        return folder

    return make


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def loaded_llm() -> OpenAICompatibleLLM:
    """The model the command just used (one per process and settings)."""
    llm = load_llm(load_settings())
    assert isinstance(llm, OpenAICompatibleLLM)
    return llm


def test_ask_with_the_llm_policy_picks_every_action_under_the_schema(webqa_env, server, capsys):
    webqa_env(server.base_url)
    code, out, err = run(capsys, "ask", QUESTION, "--policy", "llm", "--json", "--trace")
    assert code == 0, err
    record = json.loads(out)
    steps = record["trace"]["steps"]
    assert steps, "the model ran no browser action"
    # llama-cpp-python's server refuses json_schema (HTTP 500); webqa settles on json_object with the schema,
    # a grammar on the server, so every reply parses as an action. (The policy may still refuse one that
    # repeats the action before it: tiny models loop.)
    assert loaded_llm().structured_output == "json_object"
    replies = [step for step in steps if step["command"] != "(invalid)"]
    refused = [step["argument"] for step in steps if step["command"] == "(invalid)"]
    assert replies and all(step["command"] in COMMANDS for step in replies)
    assert not [reason for reason in refused if "is not a valid action" in reason]
    assert len(steps) <= 2 and record["trace"]["stopped_by"] in ("answer", "unanswerable", "budget")
    assert record["error"] is None


def test_ask_with_abstractive_answers_streams_the_checked_answer(webqa_env, server, capsys):
    webqa_env(server.base_url)
    code, out, err = run(capsys, "ask", QUESTION, "--mode", "abstractive", "--json", "--trace")
    assert code == 0, err
    record = json.loads(out)
    notes = record["trace"]["answer"]
    # The model wrote from the quotes; whatever it wrote was checked sentence by sentence, and an answer made
    # of unsupported sentences only falls back to the extractive one.
    if notes["fell_back_to_extractive"]:
        assert "Piacenza" in record["answer"]
    else:
        kept = [sentence["text"] for sentence in notes["sentences"] if sentence["kept"]]
        assert kept and record["answer"] == " ".join(kept)
        assert record["citations"] and all(f"[{c['n']}]" in record["answer"] for c in record["citations"])
    # Every citation is an exact span of its page.
    for citation in record["citations"]:
        text = next(d.text for d in SAMPLE_DOCUMENTS if d.id == citation["doc_id"])
        assert text[citation["start"] : citation["end"]] == citation["quote"]

    code, out, err = run(capsys, "ask", QUESTION, "--mode", "abstractive")  # the terminal: streamed as written
    assert code == 0, err
    assert record["answer"] in out  # the same answer (greedy decoding), printed piece by piece


def test_streaming_gives_the_complete_reply_and_stops_at_max_tokens(server, settings: Settings):
    configured = settings.model_copy(
        update={"openai_base_url": server.base_url, "openai_api_key": API_KEY, "llm_max_tokens": 12}
    )
    llm = load_llm(configured, SPEC)
    messages = [("user", "Write a very long story about a dragon who loves rivers.")]
    pieces = list(llm.stream(messages))
    assert len(pieces) > 1
    assert "".join(pieces) == llm.complete(messages)
    # langchain-openai sends max_completion_tokens, which this server ignores (it then writes until the context
    # is full); webqa sends max_tokens to every server but OpenAI's own. One piece is about one token.
    assert len(pieces) <= 12


def test_structured_output_falls_back_and_a_forced_format_the_server_refuses_is_an_error(server, settings: Settings):
    # A reply limit of its own: an LLM loaded by an earlier test would already have settled its format.
    update = {"openai_base_url": server.base_url, "openai_api_key": API_KEY, "llm_max_tokens": 96}
    base = settings.model_copy(update=update)
    messages = [("system", "You browse the web."), ("user", "Question: who wrote Hamlet? Reply with one action.")]

    auto = load_llm(base, SPEC)
    assert isinstance(auto, OpenAICompatibleLLM) and auto.structured_output == "auto"
    BrowserAction.model_validate_json(auto.complete_json(messages, ACTION_SCHEMA))  # a grammar made it valid
    assert auto.structured_output == "json_object"

    # The last fall-back, the schema in the prompt only: a reply comes back (valid or not, the policy judges).
    prompted = load_llm(base.model_copy(update={"openai_structured_output": "prompt"}), SPEC)
    assert prompted.complete_json(messages, ACTION_SCHEMA).strip()

    forced = load_llm(base.model_copy(update={"openai_structured_output": "json_schema"}), SPEC)
    with pytest.raises(WebqaError, match=r"answered HTTP 500: .*json_schema"):
        forced.complete_json(messages, ACTION_SCHEMA)


@pytest.mark.parametrize("command", ["ask", "batch"])
def test_a_server_that_dies_mid_answer_is_a_clear_error_and_nothing_half_written(
    webqa_env, dying_server: LlamaServer, capsys, command: str
):
    relay = KillingRelay(dying_server.port, on_reply_text=dying_server.kill)
    try:
        folder = webqa_env(relay.base_url)
        if command == "ask":
            code, out, err = run(capsys, "ask", QUESTION, "--mode", "abstractive", "--json")
            assert code == 1 and out == ""
            message = err
        else:
            questions = folder / "questions.jsonl"
            questions.write_text(json.dumps({"id": "q1", "question": QUESTION}) + "\n", encoding="utf-8")
            answers = folder / "answers.jsonl"
            code, out, err = run(capsys, "batch", str(questions), "--out", str(answers), "--mode", "abstractive", "-q")
            assert code == 3  # some lines hold errors
            (line,) = answers.read_text(encoding="utf-8").splitlines()
            record = json.loads(line)
            assert record["id"] == "q1" and record["answer"] in ("", None) and not record.get("citations")
            message = record["error"]
    finally:
        relay.close()
    assert relay.triggered.is_set() and dying_server.process.returncode is not None
    assert "stopped in the middle of a reply" in message and relay.base_url in message


def test_a_wrong_key_is_refused_before_any_question_is_answered(webqa_env, server, capsys, settings: Settings):
    webqa_env(server.base_url, api_key="not-the-key")
    code, out, err = run(capsys, "ask", QUESTION, "--mode", "abstractive")
    assert code == 1 and out == ""
    assert err.strip() == (
        f"error: The model server at {server.base_url} refused the API key. Check WEBQA_OPENAI_API_KEY."
    )
    # Past the early check (a key revoked while webqa runs), the chat request's refusal says the same.
    wrong = settings.model_copy(update={"openai_base_url": server.base_url, "openai_api_key": "not-the-key"})
    with pytest.raises(WebqaError, match=r"refused the API key\. Check WEBQA_OPENAI_API_KEY"):
        load_llm(wrong, SPEC).complete([("user", "Hello")])
