"""Conversations saved, listed, resumed and deleted; a file that is not a conversation store."""

import pytest

from webqa.conversation import Conversation, ConversationNotFoundError, ConversationStore
from webqa.errors import WebqaError


def test_save_list_resume_delete(make_conversation, tmp_path):
    store = ConversationStore(tmp_path / "data" / "conversations.sqlite")
    conversation = make_conversation(store=store)
    conversation.ask("Who was Lothair II?")
    conversation.ask("How hot is Mercury?")  # left waiting for a reply

    [summary] = store.list_conversations()
    assert (summary.id, summary.title, summary.turns) == (conversation.id, "Who was Lothair II?", 2)
    saved = store.load(conversation.id)
    assert [t.kind for t in saved.turns] == ["answer", "clarification"]
    assert saved.turns[0].record["citations"] and saved.turns[0].record["trace"]["steps"]
    assert saved.turns[1].record["clarification"] is True and saved.turns[0].started_at.endswith("+00:00")
    assert saved.quotes == conversation.quotes.quotes

    resumed = Conversation.resume(conversation.assistant, store, conversation.id)
    assert resumed.quotes.quotes == conversation.quotes.quotes
    assert [t.answer.answer for t in resumed.turns] == [t.answer.answer for t in conversation.turns]
    assert resumed.pending == conversation.pending  # the clarifying question still waits for its reply
    answered = resumed.ask("1")
    assert answered.n == 3 and answered.question.startswith("How hot is Mercury (")
    follow_up = resumed.ask("Where did Lothair II die?")
    assert follow_up.answer.trace.reused_quotes is True  # quotes from before the resume answer it
    assert store.summary(conversation.id).turns == 4
    assert len(store.load(conversation.id).quotes) == len(resumed.quotes)

    store.delete(conversation.id)
    assert store.list_conversations() == []
    with pytest.raises(ConversationNotFoundError, match="No saved conversation with id"):
        Conversation.resume(conversation.assistant, store, conversation.id)
    with pytest.raises(ConversationNotFoundError):
        store.delete("nope")


def test_a_file_that_is_not_a_conversation_store_is_a_clear_error(tmp_path):
    path = tmp_path / "not.sqlite"
    path.write_text("hello, I am not a database" * 100)
    with pytest.raises(WebqaError, match="Cannot use the conversation store"):
        ConversationStore(path).list_conversations()
