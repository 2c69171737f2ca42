"""Conversations the server holds between requests.

An OpenAI client sends the whole conversation with every request and keeps no id. The server remembers
each conversation under a hash of its messages so far (user and assistant, as the client will send them
back), so the next request, whose earlier messages hash the same, goes on with that conversation's
quotes, rewrites and pending clarifying question. A request the server holds nothing for (restarted,
evicted, or another client's history) is brought up to date by asking its last few questions again: only
the last few, since a follow-up refers to what was said just before, and replaying a long history would
hold a worker for as long as answering every one of its questions took."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence

from webqa.assistant import Assistant
from webqa.conversation import Conversation

Message = tuple[str, str]  # (role, text)


def history_key(messages: Sequence[Message]) -> str:
    # Whitespace is normalised: clients trim or re-wrap what they display and send back.
    normalised = [[role, " ".join(text.split())] for role, text in messages]
    return hashlib.sha256(json.dumps(normalised, ensure_ascii=False).encode("utf-8")).hexdigest()


class ConversationCache:
    """At most `capacity` conversations, the least recently continued dropped first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._held: OrderedDict[str, Conversation] = OrderedDict()

    def take(self, history: Sequence[Message]) -> Conversation | None:
        """The conversation whose messages are `history`, removed from the cache: one request at a time
        owns a conversation (a second request from the same history, a regenerated answer say, replays)."""
        with self._lock:
            return self._held.pop(history_key(history), None)

    def keep(self, messages: Sequence[Message], conversation: Conversation) -> None:
        if self.capacity == 0:
            return
        with self._lock:
            self._held[history_key(messages)] = conversation
            while len(self._held) > self.capacity:
                self._held.popitem(last=False)

    def __len__(self) -> int:
        return len(self._held)


def continue_conversation(
    assistant: Assistant, cache: ConversationCache, history: Sequence[Message], replay_turns: int
) -> tuple[Conversation, int]:
    """The conversation `history` belongs to, and how many of its earlier questions had to be asked again
    (at most `replay_turns`, the last ones, when the cache no longer holds it)."""
    earlier = [text for role, text in history if role == "user"]
    if not earlier:
        return Conversation(assistant), 0
    held = cache.take(history)
    if held is not None:
        held.use(assistant)  # the client may have switched models (indexes) mid-conversation
        return held, 0
    conversation = Conversation(assistant)
    replayed = earlier[-replay_turns:] if replay_turns > 0 else []
    for text in replayed:
        conversation.ask(text)
    return conversation, len(replayed)
