"""The OpenAI chat-completions shapes: what a request may hold, and the replies webqa builds from a turn.

Requests are validated with pydantic; fields a client sends that webqa has no use for (`user`, `tools`,
`stream_options`, `top_p`, ...) are accepted and ignored, as front-ends send many. Replies follow OpenAI's
`chat.completion` and `chat.completion.chunk` objects, plus two fields of webqa's own: `citations` (the
source of each [n], in order, as Perplexity's API returns them) and `webqa` (the evidence behind them)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from webqa.conversation import Turn
from webqa.serve.api_errors import bad_request

# Roles a conversation may hold. System and developer messages are instructions for a model that
# writes freely; webqa's answers are quoted evidence, so they are read past, like tool messages.
Role = Literal["system", "developer", "user", "assistant", "tool", "function"]


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Role
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        """The message's words: a string content, or its text parts joined (images and files are skipped)."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(part.text for part in self.content if part.type == "text" and part.text)


class ChatCompletionRequest(BaseModel):
    """The fields webqa reads. temperature and max_tokens are checked and ignored: the answer is quoted
    sentences chosen by scoring, not sampled, and a shortened answer would cut its citations off."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1)
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    n: int | None = Field(None, ge=1, le=1, description="webqa writes one answer per request.")


@dataclass(frozen=True)
class ChatTurns:
    """A request's conversation: the earlier user and assistant messages, then the question to answer."""

    history: tuple[tuple[str, str], ...]  # (role, text), "user" or "assistant", oldest first
    question: str

    @property
    def earlier_questions(self) -> list[str]:
        return [text for role, text in self.history if role == "user"]


def chat_turns(request: ChatCompletionRequest) -> ChatTurns:
    """The conversation in the request; 400 when there is no user message to answer at its end."""
    spoken = [(m.role, m.text()) for m in request.messages if m.role in ("user", "assistant")]
    if not spoken or spoken[-1][0] != "user":
        raise bad_request(
            "The last message must be the user's question (role 'user'); earlier user and assistant messages "
            "make it a follow-up.",
            "no_user_message",
            "messages",
        )
    question = " ".join(spoken[-1][1].split())
    if not question:
        raise bad_request("The user's last message has no text. Ask a question.", "no_user_message", "messages")
    return ChatTurns(tuple(spoken[:-1]), question)


@dataclass(frozen=True)
class Reply:
    """One answered turn as the API returns it."""

    content: str  # the cited answer with its [n] markers (and the sources, when the server lists them)
    citations: list[str]  # citations[n - 1] is the source of [n]: a URL, or doc:ID for a local document
    evidence: dict[str, Any]  # the `webqa` object


def reply_from_turn(turn: Turn, *, conversation_id: str, replayed: int, sources_in_text: bool) -> Reply:
    record = turn.to_record()
    cited = sorted(record["citations"], key=lambda c: c["n"])
    clarification = turn.clarification
    evidence = {
        "short_answer": record["short_answer"],
        "confidence": record["confidence"],
        "abstained": record["abstained"],
        "asked_back": turn.kind == "clarification",  # the content is then a clarifying question
        "clarification": clarification.to_dict() if clarification is not None else None,
        "rewritten_question": turn.question,  # what was searched for, after the follow-up was rewritten
        "reused_quotes": turn.answer.trace.reused_quotes,
        "citations": cited,  # quote, title, url, doc_id, start/end offsets and page hash of each [n]
        "actions": record["actions"],
        "timings": record["timings"],
        "conversation_id": conversation_id,
        "turn": turn.n,
        "replayed_turns": replayed,  # earlier questions answered again because the server had forgotten them
    }
    content = turn.answer.answer
    if sources_in_text and cited:
        content += "\n\n" + sources_section(cited)
    return Reply(content, [source_of(c) for c in cited], evidence)


def source_of(citation: dict[str, Any]) -> str:
    return citation["url"] or f"doc:{citation['doc_id']}"


def sources_section(citations: list[dict[str, Any]]) -> str:
    """The citations as Markdown under the answer, for chat front-ends that show only the text."""
    lines = ["Sources:"]
    for c in citations:
        title = c["title"] or source_of(c)
        where = f"[{title}]({c['url']})" if c["url"] else f"{title} ({source_of(c)})"
        lines.append(f"[{c['n']}] {where}: “{c['quote']}”")
    return "\n".join(lines)


class CompletionIds:
    """The id, creation time and model name every object of one response shares."""

    def __init__(self, model: str) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model

    def _base(self, object_name: str) -> dict[str, Any]:
        return {"id": self.id, "object": object_name, "created": self.created, "model": self.model}

    def completion(self, reply: Reply) -> dict[str, Any]:
        message = {"role": "assistant", "content": reply.content}
        choice = {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
        return {
            **self._base("chat.completion"),
            "choices": [choice],
            "citations": reply.citations,
            "webqa": reply.evidence,
        }

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
        return {**self._base("chat.completion.chunk"), "choices": [choice]}

    def last_chunk(self, reply: Reply) -> dict[str, Any]:
        """The chunk that ends a stream: finish_reason, and the citations and evidence of the whole answer."""
        return {**self.chunk({}, "stop"), "citations": reply.citations, "webqa": reply.evidence}


def model_list(names: list[str], created: int) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": name, "object": "model", "created": created, "owned_by": "webqa"} for name in names],
    }
