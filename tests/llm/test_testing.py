"""ScriptedLLM, the fake model the other tests script: replies in order, recorded calls, errors, scores."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage

from tests.llm.conftest import ACTION_SCHEMA, QUESTION
from webqa.llm import ScriptedLLM
from webqa.llm.base import to_langchain
from webqa.llm.testing import split_into_pieces

pytestmark = pytest.mark.usefixtures("no_loaded_llms")


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
