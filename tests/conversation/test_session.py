"""Conversation turns on a small index with the hashing embedder and a scripted model: earlier quotes reused,
clarifying questions asked and answered, multi-turn batch lines."""

import functools
import json

import pytest

from tests.conversation.conftest import HOTPOT_QUESTION, _searches
from webqa.batch import run_batch
from webqa.questions import QuestionItem
from webqa.search.base import SearchResult
from webqa.search.local import LocalSearch
from webqa.shared import answer_function

# --- reusing earlier quotes ----------------------------------------------------------------------


class QueryLog:
    """The local backend, noting every query that reaches it."""

    name = "local"

    def __init__(self, index) -> None:  # noqa: ANN001
        self.inner, self.queries = LocalSearch(index), []

    def search(self, query: str, k: int) -> list[SearchResult]:
        self.queries.append(query)
        return self.inner.search(query, k)


def test_a_browsing_turn_searches_the_rewritten_question_once(make_conversation, kb):
    backend = QueryLog(kb)  # under the cache the ambiguity check fills
    conversation = make_conversation(reuse_quotes_above=1.0, search=backend)  # always browse
    conversation.ask("Who was Lothair II?")
    queries = backend.queries
    queries.clear()
    turn = conversation.ask("When did he die?")
    assert _searches(turn)[0] == "When did Lothair II die?"  # the agent searched it, the ambiguity check too
    assert queries.count("When did Lothair II die?") == 1


def test_a_follow_up_the_stored_quotes_answer_does_not_browse(make_conversation):
    conversation = make_conversation()
    conversation.ask("When did Lothair II die?")
    stored = len(conversation.quotes)
    turn = conversation.ask("Where did he die?")
    assert turn.question == "Where did Lothair II die?"
    assert turn.answer.trace.reused_quotes is True and turn.answer.actions == ()
    assert turn.answer.trace.steps == () and turn.answer.trace.stopped_by == "reused_quotes"
    assert turn.answer.short_answer == "Piacenza" and turn.answer.citations
    assert len(conversation.quotes) == stored


def test_a_follow_up_that_needs_more_evidence_browses_and_keeps_the_new_quotes(make_conversation):
    conversation = make_conversation()
    conversation.ask("Who was Albert Einstein?")
    before = {q.text for q in conversation.quotes.quotes}
    turn = conversation.ask("What theory did he develop?")
    assert turn.answer.trace.reused_quotes is False
    assert _searches(turn)[0] == "What theory did Albert Einstein develop?"
    new = {q.text for q in conversation.quotes.quotes} - before
    assert "He developed the theory of relativity." in new
    assert any(c.quote.text == "He developed the theory of relativity." for c in turn.answer.citations)


def test_quotes_about_another_entity_do_not_answer_a_follow_up(make_conversation):
    conversation = make_conversation()
    conversation.ask("When did Lothair II die?")
    conversation.ask("Who was Albert Einstein?")
    einstein = [q for q in conversation.quotes.quotes if q.title == "Albert Einstein"]
    assert 0 < len(einstein) < len(conversation.quotes)
    turn = conversation.ask("When did he die?")
    assert turn.question == "When did Albert Einstein die?"
    assert turn.answer.trace.turn.earlier_quotes == len(einstein)  # Lothair II's "He died in ..." is left out
    assert all("Lothair" not in c.quote.title for c in turn.answer.citations)


# --- clarifying questions ------------------------------------------------------------------------


def test_an_ambiguous_name_gets_a_clarifying_question_and_the_reply_resumes_the_turn(make_conversation):
    conversation = make_conversation()
    turn = conversation.ask("How hot is Mercury?")
    assert turn.kind == "clarification" and turn.answer.actions == () and not turn.answer.abstained
    readings = {r.title for r in turn.clarification.readings}
    assert readings == {"Mercury (planet)", "Mercury (element)"}
    assert "“Mercury” can mean several things" in turn.answer.answer and "1. Mercury (" in turn.answer.answer
    assert conversation.pending is not None

    answered = conversation.ask("the planet")
    assert answered.kind == "answer" and conversation.pending is None
    assert answered.question == "How hot is Mercury (planet)?"
    assert answered.answer.trace.turn.rewrite == {"by": "clarification", "reading": "Mercury (planet)"}
    assert _searches(answered)[0] == "How hot is Mercury (planet)?"
    assert answered.answer.citations[0].quote.doc_id == "mercury-planet"


def test_a_numbered_reply_picks_that_reading(make_conversation):
    conversation = make_conversation()
    turn = conversation.ask("How hot is Mercury?")
    second = turn.clarification.readings[1].title
    assert conversation.ask("2").question == f"How hot is {second}?"


def test_a_new_question_instead_of_a_reply_is_answered_as_such(make_conversation):
    conversation = make_conversation()
    conversation.ask("How hot is Mercury?")
    turn = conversation.ask("Where is Mount Everest located?")
    assert turn.kind == "answer" and turn.question == "Where is Mount Everest located?"
    assert conversation.pending is None


def test_a_pronoun_with_nothing_to_refer_to_is_asked_about(make_conversation):
    conversation = make_conversation()
    turn = conversation.ask("When did he die?")
    assert turn.kind == "clarification" and turn.answer.answer.startswith("Who do you mean by “he”?")
    answered = conversation.ask("I mean Lothair II")
    assert answered.question == "When did Lothair II die?" and _searches(answered)[0] == "When did Lothair II die?"


@pytest.mark.parametrize("question", [HOTPOT_QUESTION, "Who was Janet Waldo?", "How high is Mount Everest?"])
def test_ordinary_questions_are_answered_without_clarification(make_conversation, question):
    turn = make_conversation().ask(question)
    assert turn.kind == "answer" and turn.answer.actions


# --- multi-turn batch lines ----------------------------------------------------------------------


@pytest.fixture
def batch_settings(kb, settings):
    return settings.model_copy(
        update={"default_index": "kb", "short_answer_scoring": "heuristic", "abstain_below": 0.1}
    ).model_dump(mode="json")


def test_a_multi_turn_line_is_one_conversation(batch_settings):
    answer = answer_function(batch_settings)
    item = QuestionItem(line=1, id="c1", question=None, turns=("Who was Lothair II?", "When did he die?"))
    record = json.loads(json.dumps(answer(item)))
    assert record["id"] == "c1" and record["question"] == "Who was Lothair II?" and record["error"] is None
    first, second = record["turns"]
    assert (first["id"], second["id"]) == ("c1#1", "c1#2")
    assert second["question"] == "When did he die?" and second["rewritten_question"] == "When did Lothair II die?"
    assert second["clarification"] is False and "869" in second["answer"]
    assert record["answer"] == second["answer"] and record["citations"] == second["citations"]
    assert record["clarification"] is False and record["abstained"] is second["abstained"]
    assert {"answer", "short_answer", "abstained", "citations", "actions", "timings"} <= set(second)


def test_batch_writes_clarification_turns(batch_settings, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "m", "turns": ["How hot is Mercury?", "the planet"]}\n'
        '{"id": "single", "question": "Who was Janet Waldo?"}\n'
        '{"id": "open", "turns": ["Who was Lothair II?", "How hot is Mercury?"]}\n',
        encoding="utf-8",
    )
    out = tmp_path / "answers.jsonl"
    summary = run_batch(questions, out, functools.partial(answer_function, batch_settings), progress=False)
    assert summary.errors == 0
    multi, single, open_ = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    asked, answered = multi["turns"]
    assert asked["clarification"] is True and asked["abstained"] is False
    assert asked["answer"].startswith("“Mercury” can mean several things") and asked["actions"] == []
    assert answered["rewritten_question"] == "How hot is Mercury (planet)?" and answered["citations"]
    assert multi["clarification"] is False and multi["abstained"] is False
    assert single["id"] == "single" and "turns" not in single
    # A line left waiting for a reply has no answer, whatever its last turn's text.
    assert open_["clarification"] is True and open_["abstained"] is True and open_["citations"] == []
    assert open_["answer"] == open_["turns"][-1]["answer"]


# --- underspecified first turns --------------------------------------------------------------------


def test_a_bare_topic_as_a_first_turn_gets_a_clarifying_question_and_the_reply_is_answered(make_conversation):
    conversation = make_conversation()
    turn = conversation.ask("Lothair II of Lotharingia.")
    assert turn.kind == "clarification" and not turn.answer.actions  # nothing browsed, nothing guessed
    assert turn.answer.answer.startswith("What would you like to know about Lothair II of Lotharingia?")
    assert turn.clarification.kind == "topic" and turn.clarification.readings[0].title == "Lothair II"
    answered = conversation.ask("Where did he die?")  # the reply's pronoun is the topic
    assert answered.kind == "answer" and answered.question == "Where did Lothair II of Lotharingia die?"
    assert answered.answer.citations[0].quote.title == "Lothair II"


def test_a_reading_picked_from_a_topic_clarification_gets_an_overview_of_that_page(make_conversation):
    conversation = make_conversation()
    conversation.ask("Lothair II of Lotharingia.")
    answered = conversation.ask("1")
    assert answered.kind == "answer" and answered.question == "What is Lothair II?"


@pytest.mark.parametrize("text", ["Are those the only steps?", "Is that all?"])
def test_a_first_turn_that_refers_to_something_never_said_is_asked_about(make_conversation, text):
    turn = make_conversation().ask(text)
    assert turn.kind == "clarification" and turn.clarification.kind == "reference"
    assert turn.answer.answer.startswith("What do you mean by")


def test_a_bare_topic_after_an_answer_is_a_follow_up_not_a_clarification(make_conversation):
    conversation = make_conversation()
    conversation.ask("Who was Lothair II?")
    assert conversation.ask("Piacenza.").kind == "answer"
