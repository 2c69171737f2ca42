"""One request's answer, as a worker thread makes it: the conversation continued (or rebuilt), the
question asked through the conversation layer, the reply shaped, and the conversation kept for its next turn."""

from __future__ import annotations

from collections.abc import Callable

from webqa.serve.catalog import Catalog
from webqa.serve.conversations import ConversationCache, continue_conversation
from webqa.serve.openai_shapes import ChatTurns, Reply, reply_from_turn


class Answerer:
    def __init__(
        self,
        catalog: Catalog,
        conversations: ConversationCache,
        *,
        replay_turns: int = 3,
        sources_in_text: bool = False,
    ) -> None:
        self.catalog = catalog
        self.conversations = conversations
        self.replay_turns = replay_turns  # a forgotten conversation's last questions asked again, at most
        self.sources_in_text = sources_in_text

    def answer(self, model: str, turns: ChatTurns, on_text: Callable[[str], None] | None = None) -> Reply:
        """Runs in a worker thread. `on_text` receives the answer as it is written."""
        assistant = self.catalog.assistant(model)
        conversation, replayed = continue_conversation(assistant, self.conversations, turns.history, self.replay_turns)
        turn = conversation.ask(turns.question, on_text=on_text)
        reply = reply_from_turn(
            turn, conversation_id=conversation.id, replayed=replayed, sources_in_text=self.sources_in_text
        )
        # Kept under the messages the client will send back with its next question.
        said = [*turns.history, ("user", turns.question), ("assistant", reply.content)]
        self.conversations.keep(said, conversation)
        return reply
