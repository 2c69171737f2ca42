"""The generic LangChain-backed LLM and the message helpers of webqa.llm.base."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.language_models import GenericFakeChatModel

from tests.llm.conftest import ACTION_SCHEMA, QUESTION
from webqa.llm import LLM
from webqa.llm.base import strip_code_fence, to_chat_dicts, to_langchain

pytestmark = pytest.mark.usefixtures("no_loaded_llms")


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
