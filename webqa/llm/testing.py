"""A scripted LLM for tests: replies come from a queue, every call is recorded.

llm = ScriptedLLM('{"command": "search", "argument": "Nile"}', "The Nile [1].")
llm.enqueue(TimeoutError("model server down"))  # raised when its turn comes
llm.enqueue_scores([-0.5, -3.0])                  # the next score_options call returns these
...
assert llm.calls[0].method == "complete_json"
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from webqa.llm.base import LLM, Message, from_langchain


class Call(NamedTuple):
    """One recorded call: method name, the messages, and the schema, options or kwargs it got."""

    method: str  # complete, stream, complete_json, score_options, or chat_model (LangChain use)
    messages: list[Message]
    extra: Any


class ScriptedChatModel(BaseChatModel):
    """The LangChain face of a ScriptedLLM: it takes its replies from the same queue."""

    script: Any = Field(exclude=True, repr=False)

    @property
    def _llm_type(self) -> str:
        return "webqa-scripted"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = self.script._next_reply("chat_model", from_langchain(messages), kwargs or None)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        reply = self.script._next_reply("chat_model", from_langchain(messages), kwargs or None)
        for piece in split_into_pieces(reply):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


class ScriptedLLM(LLM):
    """An LLM whose replies are scripted with `enqueue`; an Exception in the queue is raised instead.

    `complete`, `stream`, `complete_json` and the LangChain `chat_model` each take the next reply;
    `score_options` takes the next list from `enqueue_scores`, or returns None when none is queued.
    Running out of replies raises AssertionError naming the call that wanted one."""

    def __init__(self, *replies: str | BaseException) -> None:
        self._replies: deque[str | BaseException] = deque()
        self._scores: deque[list[float]] = deque()
        self.calls: list[Call] = []
        super().__init__("scripted", ScriptedChatModel(script=self))
        self.enqueue(*replies)

    def enqueue(self, *replies: str | BaseException) -> ScriptedLLM:
        """Queue replies (strings) or errors (Exception instances) for the next calls, in order."""
        for reply in replies:
            if not isinstance(reply, str | BaseException):
                raise TypeError(f"ScriptedLLM replies are strings or exceptions, not {type(reply).__name__}.")
        self._replies.extend(replies)
        return self

    def enqueue_scores(self, *scores: Sequence[float]) -> ScriptedLLM:
        """Queue one list of option scores per future `score_options` call."""
        self._scores.extend([float(score) for score in each] for each in scores)
        return self

    @property
    def pending(self) -> int:
        """Replies queued but not yet used."""
        return len(self._replies)

    def complete(self, messages: list[Message]) -> str:
        return self._next_reply("complete", messages, None)

    def stream(self, messages: list[Message], **options: Any) -> Iterator[str]:
        # A generator, like the real backends: nothing happens (or is raised) until the first piece is read.
        yield from split_into_pieces(self._next_reply("stream", messages, options or None))

    def complete_json(self, messages: list[Message], schema: dict[str, Any]) -> str:
        return self._next_reply("complete_json", messages, schema)

    def score_options(self, messages: list[Message], options: list[str]) -> list[float] | None:
        self.calls.append(Call("score_options", list(messages), list(options)))
        if not self._scores:
            return None
        scores = self._scores.popleft()
        if len(scores) != len(options):
            raise AssertionError(
                f"ScriptedLLM: score_options got {len(options)} options but the scripted scores have {len(scores)}."
            )
        return scores

    def _next_reply(self, method: str, messages: Sequence[Message], extra: Any) -> str:
        self.calls.append(Call(method, list(messages), extra))
        if not self._replies:
            last = messages[-1][1] if messages else ""
            raise AssertionError(
                f"ScriptedLLM ran out of replies: call {len(self.calls)} ({method}) wanted one "
                f"after {len(self.calls) - 1} calls. Last message: {last[:200]!r}. Queue more with enqueue()."
            )
        reply = self._replies.popleft()
        if isinstance(reply, BaseException):
            raise reply
        return reply


def split_into_pieces(text: str, pieces: int = 3) -> list[str]:
    """`text` in up to `pieces` parts split at word boundaries, joining back to exactly `text`."""
    words = re.findall(r"\s*\S+\s*|\s+", text)
    if not words:
        return []
    size = -(-len(words) // pieces)  # ceiling division
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)]
