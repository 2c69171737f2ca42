"""The conversation layer: follow-ups rewritten into standalone questions, earlier quotes reused,
clarifying questions for ambiguous ones, conversations saved in SQLite.

    conversation = Conversation(assistant, store=ConversationStore.from_settings(settings))
    turn = conversation.ask("Who was Lothair II?")
    turn = conversation.ask("When did he die?")   # searches "When did Lothair II die?"
    Conversation.resume(assistant, store, conversation.id)
"""

from __future__ import annotations

from webqa.conversation.clarify import Clarification, Reading, find_ambiguity
from webqa.conversation.rewrite import PreviousTurn, Rewrite, rewrite_with_rules
from webqa.conversation.session import Conversation, Turn, answer_from_record, conversation_record
from webqa.conversation.store import (
    ConversationNotFoundError,
    ConversationStore,
    ConversationSummary,
    default_conversations_path,
)

__all__ = [
    "Clarification",
    "Conversation",
    "ConversationNotFoundError",
    "ConversationStore",
    "ConversationSummary",
    "PreviousTurn",
    "Reading",
    "Rewrite",
    "Turn",
    "answer_from_record",
    "conversation_record",
    "default_conversations_path",
    "find_ambiguity",
    "rewrite_with_rules",
]
