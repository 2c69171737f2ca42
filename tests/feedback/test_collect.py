"""Feedback collected from a conversation: turns that are no answer, empty edits, identical samples refused."""

from __future__ import annotations

import pytest

from webqa.errors import WebqaError
from webqa.feedback import comparison_choice, edit, rating


def test_feedback_on_a_turn_that_is_not_an_answer_is_refused(conversation):
    with pytest.raises(WebqaError, match="Turn 5 of this conversation is not an answer"):
        rating(conversation, 5, True)
    with pytest.raises(WebqaError, match="corrected answer is empty"):
        edit(conversation, 1, "   ")


def test_identical_samples_cannot_be_chosen_between(conversation):
    conversation.assistant.llm().enqueue("Same [1].", "Same  [1].")
    comparison = conversation.compare(1)
    assert comparison.identical
    with pytest.raises(WebqaError, match="Both samples are the same text"):
        comparison_choice(conversation, 1, comparison, 0)
