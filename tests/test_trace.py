"""The typed trace writes the answers-JSONL `trace` field (README) and reads it back from saved records."""

import json

from webqa.assistant import Assistant
from webqa.conversation import Conversation
from webqa.llm import ScriptedLLM
from webqa.trace import Trace

QUESTION = "Which position in the United States government was held by the actress who starred in Kiss and Tell?"


def assistant_on(kb, settings, llm=None) -> Assistant:  # noqa: ANN001
    # The hashing embedder scores paraphrases low: lower bars than the real model needs (as tests/conversation).
    overrides = {"abstain_below": 0.1, "reuse_quotes_above": 0.45}
    return Assistant(settings.model_copy(update=overrides), index=kb, llm=llm or ScriptedLLM())


# The typed trace writes exactly these keys, in this order.
BROWSED_TRACE_KEYS = ["budget", "actions_left", "ended_by", "reason", "steps", "quotes", "page",
                      "observation_chars", "stopped_by", "invalid_outputs", "answer"]  # fmt: skip


def test_the_trace_of_a_scripted_run_serialises_to_the_documented_shape_and_back(kb, settings):
    llm = ScriptedLLM(
        '{"command": "search", "argument": "Shirley Temple"}',
        '{"command": "open", "argument": "1"}',
        '{"command": "quote", "argument": "served as Chief of Protocol of the United States"}',
        '{"command": "answer", "argument": ""}',
    )
    answer = assistant_on(kb, settings.model_copy(update={"policy": "llm"}), llm).ask(QUESTION)
    data = json.loads(json.dumps(answer.trace.to_dict()))
    assert list(data) == BROWSED_TRACE_KEYS
    assert [s["command"] for s in data["steps"]] == ["search", "open", "quote", "answer"]
    assert set(data["steps"][0]) == {"command", "argument", "ok", "observation", "seconds"}
    assert data["quotes"][0]["text"] == "served as Chief of Protocol of the United States"
    assert data["observation_chars"] == [len(s["observation"]) for s in data["steps"]]
    assert data["stopped_by"] == "answer" and data["invalid_outputs"] == 0 and data["answer"] == answer.trace.notes
    assert set(data["page"]) == {"title", "source", "position"}
    assert Trace.from_dict(data).to_dict() == data  # a saved record reads back to the same trace
    assert Trace.from_dict(data).steps == answer.trace.steps


def test_a_reused_quotes_turn_and_a_clarifying_turn_keep_their_trace_shapes(kb, settings):
    conversation = Conversation(assistant_on(kb, settings))
    conversation.ask("When did Lothair II die?")
    reused = conversation.ask("Where did he die?").answer.trace.to_dict()
    assert list(reused) == ["steps", "quotes", "page", "observation_chars", "stopped_by", "invalid_outputs",
                            "answer", "rewritten_question", "rewrite", "reused_quotes", "reuse_relevance",
                            "earlier_quotes"]  # fmt: skip
    assert reused["steps"] == [] and reused["stopped_by"] == "reused_quotes" and reused["reused_quotes"] is True
    clarifying = conversation.ask("How hot is Mercury?").answer.trace.to_dict()
    assert list(clarifying) == ["rewritten_question", "rewrite", "reused_quotes", "steps", "clarification"]
    for data in (reused, clarifying):  # as a resumed conversation reads them back
        saved = json.loads(json.dumps(data))
        assert Trace.from_dict(saved).to_dict() == saved
