"""Shared by the conversation tests: conversations over the kb index with the hashing embedder and a scripted
model."""

import pytest

from webqa.assistant import Assistant
from webqa.conversation import Conversation
from webqa.llm import ScriptedLLM

HOTPOT_QUESTION = "Which position in the United States government was held by the actress who starred in Kiss and Tell?"


@pytest.fixture
def make_conversation(kb, settings):
    def make(llm=None, store=None, search=None, **overrides):
        # The hashing embedder scores paraphrases low: lower bars than the real model needs.
        overrides = {"abstain_below": 0.1, "reuse_quotes_above": 0.45, **overrides}
        assistant = Assistant(settings.model_copy(update=overrides), index=kb, llm=llm or ScriptedLLM(), search=search)
        return Conversation(assistant, store=store)

    return make


def _searches(turn):
    return [a.argument for a in turn.answer.actions if a.command == "search"]
