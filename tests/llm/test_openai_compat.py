"""The openai: backend: setup errors, then against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import sys
from typing import Any

import pytest

from tests.http_server import FixtureServer
from tests.llm.conftest import ACTION_SCHEMA, QUESTION
from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm import LLM, load_llm
from webqa.llm.openai_compat import token_limit_field

pytestmark = pytest.mark.usefixtures("no_loaded_llms")


def test_openai_needs_a_base_url(settings: Settings):
    with pytest.raises(WebqaError, match=r"needs the server's base URL: set WEBQA_OPENAI_BASE_URL"):
        load_llm(settings.model_copy(update={"openai_api_key": "k"}), "openai:gpt-4o-mini")


def test_openai_needs_a_key(settings: Settings):
    with pytest.raises(WebqaError, match=r"needs an API key: set WEBQA_OPENAI_API_KEY"):
        load_llm(settings.model_copy(update={"openai_base_url": "http://127.0.0.1:9/v1"}), "openai:m")


def test_openai_without_langchain_openai_gives_the_install_hint(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "langchain_openai", None)
    configured = settings.model_copy(update={"openai_base_url": "http://127.0.0.1:9/v1", "openai_api_key": "k"})
    with pytest.raises(WebqaError, match=r"pip install langchain-openai"):
        load_llm(configured, "openai:not-cached-model")


# --- openai: against a fake OpenAI-compatible server on 127.0.0.1 --------------------------------------

ROUTE = "/v1/chat/completions"


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "tiny",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 3, "total_tokens": 23},
    }


def sse(*pieces: str) -> str:
    events = [
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "tiny",
            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
        }
        for piece in pieces
    ]
    return "".join(f"data: {json.dumps(event)}\n\n" for event in events) + "data: [DONE]\n\n"


@pytest.fixture
def openai_llm(web: FixtureServer, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> LLM:
    pytest.importorskip("langchain_openai")
    import openai._base_client

    monkeypatch.setattr(openai._base_client, "INITIAL_RETRY_DELAY", 0.01)  # retries without the wait
    configured = settings.model_copy(
        update={"openai_base_url": web.url("/v1"), "openai_api_key": "sk-test", "llm_max_tokens": 64, "llm_seed": 7}
    )
    return load_llm(configured, "openai:tiny")


def test_openai_complete_sends_the_chat_and_settings(web: FixtureServer, openai_llm: LLM):
    web.add_json(ROUTE, completion("Paris."))
    assert openai_llm.complete(QUESTION) == "Paris."
    (request,) = web.received
    body = request.json()
    assert (request.method, request.path) == ("POST", ROUTE)
    assert request.headers["authorization"] == "Bearer sk-test"
    assert body["model"] == "tiny"
    assert body["messages"] == [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "What is the capital of France?"},
    ]
    assert (body["temperature"], body["seed"]) == (0.0, 7)
    # max_tokens, which every OpenAI-compatible server reads; never both fields (several servers refuse that).
    assert body["max_tokens"] == 64 and "max_completion_tokens" not in body
    assert openai_llm.score_options(QUESTION, ["Paris"]) is None


def test_openai_stream_yields_the_server_pieces(web: FixtureServer, openai_llm: LLM):
    web.add(ROUTE, sse("The capital ", "is ", "Paris."), content_type="text/event-stream")
    assert list(openai_llm.stream(QUESTION)) == ["The capital ", "is ", "Paris."]
    assert web.received[0].json()["stream"] is True


def test_openai_json_asks_for_the_schema(web: FixtureServer, openai_llm: LLM):
    web.add_json(ROUTE, completion('{"command": "search", "argument": "Paris"}'))
    assert openai_llm.complete_json(QUESTION, ACTION_SCHEMA) == '{"command": "search", "argument": "Paris"}'
    response_format = web.received[0].json()["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["schema"] == ACTION_SCHEMA


def test_openai_json_falls_back_to_json_object_then_to_the_prompt(web: FixtureServer, openai_llm: LLM):
    web.add_json(ROUTE, {"error": {"message": "response_format json_schema not supported"}}, status=400, once=True)
    web.add_json(ROUTE, {"error": {"message": "unknown field"}}, status=422, once=True)
    web.add_json(ROUTE, completion('```json\n{"command": "open", "argument": "1"}\n```'))
    assert openai_llm.complete_json(QUESTION, ACTION_SCHEMA) == '{"command": "open", "argument": "1"}'
    strict, loose, prompted = (request.json() for request in web.received)
    assert strict["response_format"]["type"] == "json_schema"
    assert loose["response_format"] == {"type": "json_object", "schema": ACTION_SCHEMA}
    assert "response_format" not in prompted
    assert json.dumps(ACTION_SCHEMA) in prompted["messages"][0]["content"]
    # Settled: the next call goes straight to what worked.
    assert openai_llm.structured_output == "prompt"  # type: ignore[attr-defined]
    openai_llm.complete_json(QUESTION, ACTION_SCHEMA)
    assert "response_format" not in web.received[-1].json() and len(web.received) == 4


def test_openai_json_takes_a_500_naming_response_format_as_a_refusal(web: FixtureServer, openai_llm: LLM):
    """What llama-cpp-python's server answers to json_schema: HTTP 500 with its validation error."""
    refusal = {"error": {"message": "Input should be 'text' or 'json_object' ('body', 'response_format', 'type')"}}
    for _ in range(3):  # the SDK retries a 500 twice before it gives up
        web.add_json(ROUTE, refusal, status=500, once=True)
    web.add_json(ROUTE, completion('{"command": "search", "argument": "Paris"}'))
    assert openai_llm.complete_json(QUESTION, ACTION_SCHEMA) == '{"command": "search", "argument": "Paris"}'
    assert web.received[-1].json()["response_format"]["type"] == "json_object"
    assert openai_llm.structured_output == "json_object"  # type: ignore[attr-defined]


def test_openai_json_keeps_trying_the_schema_after_a_refusal_for_another_reason(web: FixtureServer, openai_llm: LLM):
    web.add_json(ROUTE, {"error": {"message": "This model's maximum context length is 4096 tokens."}}, status=400)
    with pytest.raises(WebqaError, match=r"answered HTTP 400"):
        openai_llm.complete_json(QUESTION, ACTION_SCHEMA)
    assert len(web.received) == 3  # every format was tried once
    assert openai_llm.structured_output == "auto"  # type: ignore[attr-defined]  # nothing learnt from it


def test_openai_json_cut_off_at_max_tokens_is_returned_for_the_caller_to_reject(web: FixtureServer, openai_llm: LLM):
    cut = completion('{"command": "search", "argument": "a very long')
    cut["choices"][0]["finish_reason"] = "length"
    web.add_json(ROUTE, cut)
    assert openai_llm.complete_json(QUESTION, ACTION_SCHEMA) == '{"command": "search", "argument": "a very long'


def test_openai_a_forced_structured_output_is_not_second_guessed(web: FixtureServer, settings: Settings):
    pytest.importorskip("langchain_openai")
    update = {"openai_base_url": web.url("/v1"), "openai_api_key": "k", "openai_structured_output": "json_object"}
    llm = load_llm(settings.model_copy(update=update), "openai:tiny")
    web.add_json(ROUTE, {"error": {"message": "no"}}, status=400)
    with pytest.raises(WebqaError, match=r"answered HTTP 400"):
        llm.complete_json(QUESTION, ACTION_SCHEMA)
    (request,) = web.received
    assert request.json()["response_format"]["type"] == "json_object"


@pytest.mark.parametrize(
    ("base_url", "configured", "field"),
    [
        ("https://api.openai.com/v1", "auto", "max_completion_tokens"),
        ("https://me.openai.azure.com/openai/v1", "auto", "max_completion_tokens"),
        ("http://localhost:11434/v1", "auto", "max_tokens"),
        ("http://localhost:11434/v1", "max_completion_tokens", "max_completion_tokens"),
        ("https://api.openai.com/v1", "max_tokens", "max_tokens"),
    ],
)
def test_openai_reply_limit_field_suits_the_server(base_url: str, configured: str, field: str):
    assert token_limit_field(configured, base_url) == field


@pytest.mark.parametrize(
    ("status", "message"),
    [(401, r"refused the API key\. Check WEBQA_OPENAI_API_KEY"), (404, r"has no model 'tiny'.*WEBQA_LLM")],
)
def test_openai_server_errors_name_the_setting(web: FixtureServer, openai_llm: LLM, status: int, message: str):
    web.add_json(ROUTE, {"error": {"message": "nope"}}, status=status)
    with pytest.raises(WebqaError, match=message):
        openai_llm.complete(QUESTION)
    with pytest.raises(WebqaError, match=message):
        list(openai_llm.stream(QUESTION))


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (400, "This model's maximum context length is 4096 tokens."),
        (403, "Project does not have access to model tiny"),
        (429, "Rate limit reached,\n try again later"),
        (500, "The server had an error"),
    ],
)
def test_openai_other_http_errors_are_one_line(web: FixtureServer, openai_llm: LLM, status: int, reason: str):
    web.add_json(ROUTE, {"error": {"message": reason}}, status=status)
    expected = (
        f"The model server at {web.url('/v1')} answered HTTP {status}: Error code: {status} - "
        f"{' '.join(reason.split())}. Check WEBQA_LLM and the server."
    )
    for call in (
        lambda: openai_llm.complete(QUESTION),
        lambda: list(openai_llm.stream(QUESTION)),
        lambda: openai_llm.complete_json(QUESTION, ACTION_SCHEMA),  # a 400 here first tries the fallback
    ):
        with pytest.raises(WebqaError) as caught:
            call()
        assert str(caught.value) == expected


def test_openai_model_name_comes_from_the_parsed_spec(web: FixtureServer, settings: Settings):
    pytest.importorskip("langchain_openai")
    configured = settings.model_copy(update={"openai_base_url": web.url("/v1"), "openai_api_key": "k"})
    web.add_json(ROUTE, {"error": {"message": "nope"}}, status=404)
    with pytest.raises(WebqaError, match=r"has no model 'tiny' "):
        load_llm(configured, "openai: tiny").complete(QUESTION)
    assert web.received[0].json()["model"] == "tiny"


def test_openai_unreachable_server_names_the_base_url(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    pytest.importorskip("langchain_openai")
    import openai._base_client

    monkeypatch.setattr(openai._base_client, "INITIAL_RETRY_DELAY", 0.01)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    configured = settings.model_copy(update={"openai_base_url": f"http://127.0.0.1:{port}/v1", "openai_api_key": "k"})
    llm = load_llm(configured, "openai:tiny")
    with pytest.raises(WebqaError, match=rf"Cannot reach the model server at http://127.0.0.1:{port}/v1.*BASE_URL"):
        llm.complete(QUESTION)
