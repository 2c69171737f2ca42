"""Shared by the feedback tests: a conversation with one answered turn to give feedback on."""

from __future__ import annotations

import pytest

from webqa.assistant import Assistant
from webqa.conversation import Conversation
from webqa.llm.testing import ScriptedLLM


@pytest.fixture
def conversation(sample_index, settings) -> Conversation:
    llm = ScriptedLLM()
    assistant = Assistant(settings.model_copy(update={"abstain_below": 0.1, "short_answer_scoring": "heuristic"}),
                          index=sample_index, llm=llm)  # fmt: skip
    conversation = Conversation(assistant)
    conversation.ask("Who was Lothair II?")
    return conversation
