"""Follow-ups rewritten into standalone questions: by rules, by the LLM (checked first), or left alone."""

import pytest

from tests.conversation.conftest import HOTPOT_QUESTION, _searches
from webqa.conversation import PreviousTurn, rewrite_with_rules
from webqa.conversation.rewrite import check_llm_rewrite
from webqa.llm import ScriptedLLM

LOTHAIR = PreviousTurn("Who was Lothair II?", "Lotharingia", False, ("Lothair II",))


def test_a_follow_up_searches_for_the_entity_of_the_previous_turn(make_conversation):
    conversation = make_conversation(reuse_quotes_above=1.0)  # always browse, to see the search
    first = conversation.ask("Who was Lothair II?")
    assert first.kind == "answer" and first.answer.citations[0].quote.title == "Lothair II"
    turn = conversation.ask("When did he die?")
    assert turn.answer.trace.rewritten_question == "When did Lothair II die?"
    assert turn.answer.trace.turn.rewrite["by"] == "rules"
    assert _searches(turn)[0] == "When did Lothair II die?"
    assert turn.answer.question == "When did he die?"  # the record keeps what the user typed
    assert "869" in turn.answer.answer


@pytest.mark.parametrize(
    "follow_up, standalone",
    [
        ("When did he die?", "When did Lothair II die?"),
        ("Who was his father?", "Who was Lothair II's father?"),
        ("Who married her?", "Who married Lothair II?"),
        # Known limitation, so not pinned here: "there" and "that" become the previous turn's entity even
        # when it is no place or event ("What happened there?" -> "What happened in Lothair II?").
        ("What about Albert Einstein?", "Who was Albert Einstein?"),
        ("When did Lothair II die?", "When did Lothair II die?"),
        ("Is there a river in Africa?", "Is there a river in Africa?"),
    ],
)
def test_rule_rewrites(follow_up, standalone):
    assert rewrite_with_rules(follow_up, [LOTHAIR]).question == standalone


def test_she_after_a_who_question_is_the_person_answered():
    previous = PreviousTurn("Who starred in Kiss and Tell?", "Shirley Temple", False, ("Kiss and Tell (1945 film)",))
    assert rewrite_with_rules("When was she born?", [previous]).question == "When was Shirley Temple born?"
    assert rewrite_with_rules("When was it released?", [previous]).question == (
        "When was Kiss and Tell (1945 film) released?"
    )


HOTPOT_QUESTIONS_WITH_PRONOUNS = [
    HOTPOT_QUESTION,
    "Who was known by his stage name Aladin and helped organizations improve their performance as a consultant?",
    "Considered the strongest recorded tropical cyclone, which cyclone had a film made about it in 2007?",
    "In what century did this Native warrior and chief, whose brother Tenskwatawa led the Tippecanoe order of "
    "battle, become the primary leader of a large, multi tribal confederacy?",
    "In what month was the relief first officer of the flight that crashed on its way to Cairo with a stop in "
    "New York Born?",
    'What was the name of a woman from the book titled "Their Lives: The Women Targeted by the Clinton Machine" '
    "and was also a former white house intern?",
]


@pytest.mark.parametrize("question", HOTPOT_QUESTIONS_WITH_PRONOUNS)
def test_self_contained_questions_are_not_rewritten_or_questioned(question):
    assert rewrite_with_rules(question, []).by == "unchanged"


def test_the_llm_rewrite_is_used_when_it_keeps_the_words_and_names_the_entity(make_conversation):
    llm = ScriptedLLM('{"question": "When did King Lothair II die?"}')
    conversation = make_conversation(llm, rewrite_with_llm=True, reuse_quotes_above=1.0)
    conversation.ask("Who was Lothair II?")  # no history yet: the model is not asked
    turn = conversation.ask("When did he die?")
    assert turn.question == "When did King Lothair II die?" and turn.answer.trace.turn.rewrite["by"] == "llm"
    assert _searches(turn)[0] == "When did King Lothair II die?"
    rewrite_calls = [call for call in llm.calls if call.method == "complete_json"]
    assert len(rewrite_calls) == 1 and "User: Who was Lothair II?" in rewrite_calls[0].messages[-1][1]
    assert "When did he die?" in rewrite_calls[0].messages[-1][1]


@pytest.mark.parametrize(
    "reply, reason",
    [
        ('{"question": "When did Napoleon die?"}', "names nothing from the conversation"),
        ('{"question": "Lothair II?"}', "dropped the follow-up's words: die"),
        ("When did he die? I think Lothair II", "no single-line question"),
    ],
)
def test_a_rejected_llm_rewrite_falls_back_to_the_rules(make_conversation, reply, reason):
    conversation = make_conversation(ScriptedLLM(reply), rewrite_with_llm=True, reuse_quotes_above=1.0)
    conversation.ask("Who was Lothair II?")
    turn = conversation.ask("When did he die?")
    rewrite = turn.answer.trace.turn.rewrite
    assert turn.question == "When did Lothair II die?" and rewrite["by"] == "rules"
    assert reason in rewrite["llm_rejected"]
    assert _searches(turn)[0] == "When did Lothair II die?"


def test_check_llm_rewrite_accepts_a_faithful_rewrite():
    assert check_llm_rewrite("When did Lothair II die?", "When did he die?", [LOTHAIR]) is None
