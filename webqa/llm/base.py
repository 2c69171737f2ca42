"""The LLM interface webqa's agent and answerer use, on top of any LangChain chat model."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

Message = tuple[str, str]
"""(role, text) with role "system", "user" or "assistant"."""

_MESSAGE_CLASSES: dict[str, type[BaseMessage]] = {
    "system": SystemMessage,
    "user": HumanMessage,
    "assistant": AIMessage,
}
_ROLES_BY_TYPE = {"system": "system", "human": "user", "ai": "assistant"}


def _checked_role(role: str) -> str:
    """The role itself, if it is one webqa uses; an unknown role is a caller bug."""
    if role not in _MESSAGE_CLASSES:
        raise ValueError(f"Unknown message role {role!r}: use 'system', 'user' or 'assistant'.")
    return role


def to_langchain(messages: Sequence[Message]) -> list[BaseMessage]:
    """Our (role, text) pairs as LangChain messages."""
    return [_MESSAGE_CLASSES[_checked_role(role)](content=text) for role, text in messages]


def from_langchain(messages: Sequence[BaseMessage]) -> list[Message]:
    """LangChain messages back as (role, text) pairs, for backends that take plain chat dicts."""
    converted = []
    for message in messages:
        role = _ROLES_BY_TYPE.get(message.type)
        if role is None:
            raise ValueError(f"webqa's chat models take system, user and assistant messages, not {message.type!r}.")
        converted.append((role, message_text(message)))
    return converted


def to_chat_dicts(messages: Sequence[Message]) -> list[dict[str, str]]:
    """OpenAI-style {"role", "content"} dicts, after checking the roles."""
    return [{"role": _checked_role(role), "content": text} for role, text in messages]


def message_text(message: BaseMessage) -> str:
    """The text of a message whose content may be a string or a list of content blocks."""
    content = message.content
    if isinstance(content, str):
        return content
    parts = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and isinstance(block.get("text"), str):
            parts.append(block["text"])
    return "".join(parts)


def approx_tokens(text: str) -> int:
    """About four characters a token for English text with BPE vocabularies."""
    return (len(text) + 3) // 4


def with_json_instruction(messages: Sequence[Message], schema: dict[str, Any]) -> list[Message]:
    """The messages with the schema spelled out in the system message, for backends without constraints."""
    instruction = (
        "Reply with one JSON value and nothing else, no code fences. It must match this JSON schema:\n"
        + json.dumps(schema)
    )
    messages = list(messages)
    if messages and messages[0][0] == "system":
        return [("system", f"{messages[0][1]}\n\n{instruction}"), *messages[1:]]
    return [("system", instruction), *messages]


_CODE_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*\n(.*?)\n?```\s*$", re.DOTALL)


def strip_code_fence(text: str) -> str:
    """Chat models like to wrap JSON in ```json fences even when told not to."""
    match = _CODE_FENCE.match(text)
    return match.group(1).strip() if match else text.strip()


class LLM:
    """A LangChain chat model plus what webqa needs from it.

    This base class works with any chat model; backends override what they do better (a grammar or a
    JSON schema for `complete_json`, log-probabilities for `score_options`, exact token counts).
    """

    def __init__(self, spec: str, chat_model: BaseChatModel) -> None:
        self.spec = spec
        self.chat_model = chat_model

    def complete(self, messages: list[Message]) -> str:
        """The assistant's whole reply to the conversation."""
        return self._invoke(messages)

    def stream(self, messages: list[Message], **options: Any) -> Iterator[str]:
        """The reply in text pieces as they are generated; `options` (temperature, seed) for this call only."""
        for chunk in self.chat_model.stream(to_langchain(messages), **options):
            text = message_text(chunk)
            if text:
                yield text

    def complete_json(self, messages: list[Message], schema: dict[str, Any]) -> str:
        """A reply meant to match `schema`: a best effort here (the schema goes into the prompt).

        Returns the raw text (minus any code fence); callers validate it."""
        return strip_code_fence(self.complete(with_json_instruction(messages, schema)))

    def score_options(self, messages: list[Message], options: list[str]) -> list[float] | None:
        """Log-probability of each option as the assistant's reply, or None where the backend cannot tell."""
        return None

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes in this model's context (approximate unless the backend knows its tokenizer)."""
        return approx_tokens(text)

    def _invoke(self, messages: Sequence[Message], **options: Any) -> str:
        """The reply text of one chat model call; `options` go to the model for this call only."""
        return message_text(self.chat_model.invoke(to_langchain(messages), **options))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"
