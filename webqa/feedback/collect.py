"""Feedback records for a conversation's answers, as the chat collects them."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from webqa.answer.draft import answer_messages
from webqa.errors import WebqaError
from webqa.feedback.records import ChatMessage, ComparisonChoice, Edit, Rating

if TYPE_CHECKING:
    from webqa.answer.sampling import Comparison
    from webqa.conversation import Conversation, Turn
    from webqa.llm import Message


def rating(conversation: Conversation, n: int, up: bool, reason: str = "") -> Rating:
    turn = _answered_turn(conversation, n)
    return Rating(**_common(conversation, turn), answer=turn.answer.answer, rating="up" if up else "down",
                  reason=reason.strip())  # fmt: skip


def edit(conversation: Conversation, n: int, edited_answer: str) -> Edit:
    edited_answer = edited_answer.strip()
    if not edited_answer:
        raise WebqaError("The corrected answer is empty. Write the answer as it should read.")
    turn = _answered_turn(conversation, n)
    return Edit(**_common(conversation, turn), answer=turn.answer.answer, edited_answer=edited_answer)


def comparison_choice(conversation: Conversation, n: int, comparison: Comparison, chosen: int) -> ComparisonChoice:
    """The user's pick between two samples; the prompt is the one both samples answered."""
    if comparison.identical:
        raise WebqaError("Both samples are the same text; there is nothing to choose between.")
    turn = _answered_turn(conversation, n)
    common = {**_common(conversation, turn), "prompt": _messages(comparison.messages)}
    return ComparisonChoice(**common, answers=[s.text for s in comparison.samples[:2]], chosen=chosen)


def _answered_turn(conversation: Conversation, n: int) -> Turn:
    if not 1 <= n <= len(conversation.turns) or conversation.turns[n - 1].kind != "answer":
        raise WebqaError(f"Turn {n} of this conversation is not an answer; only answers take feedback.")
    return conversation.turns[n - 1]


def _common(conversation: Conversation, turn: Turn) -> dict[str, Any]:
    # The answer's own citations, numbered as the answer numbers them, are its prompt's quotes: an edited
    # answer's [n] then points at the same quote in the exported example as it did on screen.
    quotes = [citation.quote for citation in turn.answer.citations]
    return {
        "id": uuid.uuid4().hex,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "conversation_id": conversation.id,
        "turn": turn.n,
        "question": turn.question,
        "prompt": _messages(answer_messages(turn.question, quotes)),
        "model": conversation.settings.llm,
    }


def _messages(messages: list[Message]) -> list[ChatMessage]:
    return [ChatMessage(role=role, content=text) for role, text in messages]  # type: ignore[arg-type]
