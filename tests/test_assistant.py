"""The whole assistant on a small index with a scripted model: citations are real, answers are checked."""

import json

import pytest

from tests.conftest import HOTPOT_STYLE
from webqa.answer.draft import Draft
from webqa.answer.quote_store import QuoteStore
from webqa.answer_modes import AbstractiveAnswerer, TurnEvidence
from webqa.assistant import Assistant
from webqa.llm import ScriptedLLM
from webqa.registry import ANSWER_MODES
from webqa.types import Citation, page_sha256

QUESTION = "Which position in the United States government was held by the actress who starred in Kiss and Tell?"
DOCS = {d.id: d for d in HOTPOT_STYLE}


@pytest.fixture
def assistant_for(hotpot_index, settings):
    def make(llm: ScriptedLLM | None = None, **overrides) -> Assistant:
        # The hashing embedder scores paraphrases low; a lower bar keeps both hops' quotes in the answer.
        overrides = {"abstain_below": 0.1, **overrides}
        return Assistant(settings.model_copy(update=overrides), index=hotpot_index, llm=llm or ScriptedLLM())

    return make


def _assert_citations_are_verbatim(answer):
    assert answer.citations
    for citation in answer.citations:
        quote = citation.quote
        assert DOCS[quote.doc_id].text[quote.start : quote.end] == quote.text


def test_planned_extractive_answer_with_real_citations(assistant_for):
    answer = assistant_for().ask(QUESTION)
    assert not answer.abstained
    assert "Chief of Protocol" in answer.answer and answer.short_answer
    _assert_citations_are_verbatim(answer)
    assert all(f"[{c.n}]" in answer.answer for c in answer.citations)
    assert answer.actions[0].command == "search" and answer.actions[-1].command == "answer"
    assert set(answer.timings) >= {"total_s", "browse_s", "answer_s", "search_s", "open_s", "quote_s", "model_s"}
    record = json.loads(json.dumps(answer.to_record("q1")))
    assert set(record) == {"id", "question", "answer", "short_answer", "abstained", "confidence",
                           "evidence_confidence", "best_guess", "citations", "actions", "timings", "error"}  # fmt: skip
    assert 0.0 <= record["confidence"] <= record["evidence_confidence"] <= 1.0 and record["best_guess"] == ""
    assert set(record["citations"][0]) == {"n", "doc_id", "title", "url", "quote", "start", "end", "page_sha256"}


def test_abstractive_answers_drop_what_the_quotes_do_not_support(assistant_for):
    llm = ScriptedLLM(
        "Shirley Temple starred in Kiss and Tell [2]. She served as Chief of Protocol of the United States [1]. "
        "She won three Olympic gold medals [1]."
    )
    streamed: list[str] = []
    answer = assistant_for(llm, answer_mode="abstractive").ask(QUESTION, on_text=streamed.append)
    assert "Olympic" not in answer.answer and "Olympic" not in "".join(streamed)
    assert "Chief of Protocol of the United States" in answer.answer
    assert answer.trace.notes["dropped_sentences"] == ["She won three Olympic gold medals [1]."]
    _assert_citations_are_verbatim(answer)


def test_abstractive_falls_back_to_extractive_when_nothing_is_supported(assistant_for):
    llm = ScriptedLLM("Bananas are an excellent source of potassium [1].")
    answer = assistant_for(llm, answer_mode="abstractive").ask(QUESTION)
    assert answer.trace.notes["fell_back_to_extractive"] is True
    assert "Bananas" not in answer.answer and "Chief of Protocol" in answer.answer


def test_questions_the_index_cannot_answer_are_abstained(assistant_for):
    answer = assistant_for(abstain_below=0.9).ask("What is the boiling point of liquid nitrogen?")
    assert answer.abstained and answer.short_answer == ""
    assert answer.answer.startswith("I could not find a reliable answer")


def test_the_llm_policy_drives_the_browser_and_invalid_output_is_counted(assistant_for):
    llm = ScriptedLLM(
        '{"command": "search", "argument": "Shirley Temple"}',
        '{"command": "open", "argument": "1"}',
        "I think we should quote something",
        '{"command": "quote", "argument": "also served as Chief of Protocol of the United States."}',
        '{"command": "answer", "argument": ""}',
    )
    answer = assistant_for(llm, policy="llm").ask(QUESTION)
    assert answer.trace.invalid_outputs == 1
    assert [a.command for a in answer.actions] == ["search", "open", "(invalid)", "quote", "answer"]
    assert [a.ok for a in answer.actions] == [True, True, False, True, True]
    # The answer reads the whole page the model opened: it cites the sentence its quote was part of.
    assert "also served as Chief of Protocol of the United States." in answer.citations[0].quote.text
    assert answer.short_answer and answer.short_answer in answer.citations[0].quote.text
    _assert_citations_are_verbatim(answer)
    prompts = [call for call in llm.calls if call[0] == "complete_json"]
    assert "not a valid action" in prompts[3][1][-1][1]  # the model was shown why its reply was refused


def test_every_citation_records_the_hash_of_its_page_whatever_made_the_quote(assistant_for):
    """The model's own quote (a fragment, not one of the page's sentences) reaches the answer of a follow-up
    answered from the conversation's quotes: it must carry its page's hash like the sentences do."""
    llm = ScriptedLLM(
        '{"command": "search", "argument": "Shirley Temple"}',
        '{"command": "open", "argument": "1"}',
        '{"command": "quote", "argument": "served as Chief of Protocol of the United States"}',
        '{"command": "answer", "argument": ""}',
    )
    assistant = assistant_for(llm, policy="llm")
    first = assistant.ask(QUESTION)
    (quoted,) = first.trace.quotes
    assert quoted.text == "served as Chief of Protocol of the United States"
    assert quoted.page_sha256 == page_sha256(DOCS["Shirley Temple"].text)
    # A follow-up answered from the browser's quotes alone (as a conversation saves and reloads them).
    browsed = QuoteStore(assistant.embedder())
    browsed.add(list(first.trace.quotes))
    follow_up = assistant.ask("Who served as Chief of Protocol?", quote_store=browsed, skip_browsing=True)
    assert any(c.quote.text == quoted.text for c in follow_up.citations)  # the model's quote is cited
    for answer in (first, follow_up):
        _assert_citations_are_verbatim(answer)
        for citation in answer.to_record()["citations"]:
            assert citation["page_sha256"] == page_sha256(DOCS[citation["doc_id"]].text)


def test_the_llm_policy_refuses_an_action_repeated_back_to_back(assistant_for):
    llm = ScriptedLLM(
        '{"command": "search", "argument": "Shirley Temple"}',
        '{"command": "search", "argument": "Shirley Temple"}',
        '{"command": "answer", "argument": ""}',
    )
    answer = assistant_for(llm, policy="llm").ask(QUESTION)
    assert [a.command for a in answer.actions] == ["search", "(invalid)", "answer"]
    assert answer.trace.invalid_outputs == 1


def test_shared_assistants_differing_only_in_how_they_answer_share_one_open_index(cli_env, fresh_shared_assistants):
    from webqa.config import load_settings
    from webqa.shared import shared_assistant

    cli_env(HOTPOT_STYLE)
    first = shared_assistant(load_settings())
    other_mode = shared_assistant(load_settings(answer_mode="abstractive", policy="llm"))
    assert other_mode is not first and other_mode.index is first.index
    assert shared_assistant(load_settings()) is first
    # Settings that shape search (here the fusion) open an index of their own.
    other_search = shared_assistant(load_settings(fusion="weighted"))
    assert other_search.index is not first.index


class CannedAnswerer:
    """An answer mode a plugin might add: one fixed draft citing the best sentence, or nothing at all."""

    def __init__(self, text: str | None) -> None:
        self.text = text
        self.turns: list[TurnEvidence] = []

    def answer(self, context, turn: TurnEvidence, on_text) -> Draft | None:  # noqa: ANN001
        self.turns.append(turn)
        if self.text is None:
            return None
        return Draft(self.text, "canned", False, (Citation(1, turn.ranked[0].quote),), notes={"canned": True})


def test_an_answerer_registered_by_name_writes_the_answer(assistant_for):
    canned = CannedAnswerer("Canned [1].")
    with ANSWER_MODES.temporarily("canned", lambda: canned):
        answer = assistant_for(answer_mode="canned").ask(QUESTION)
    assert answer.answer == "Canned [1]." and answer.short_answer == "canned"
    assert canned.turns[0].question == QUESTION and canned.turns[0].ranked  # it was given the ranked evidence
    assert answer.trace.notes == {"canned": True, "fell_back_to_extractive": False}


def test_an_answerer_with_nothing_to_offer_falls_back_to_the_extractive_answer(assistant_for):
    extractive = assistant_for().ask(QUESTION)
    silent = CannedAnswerer(None)
    with ANSWER_MODES.temporarily("silent", lambda: silent):
        answer = assistant_for().ask(QUESTION, mode="silent")
    assert silent.turns  # asked, and it said nothing
    assert (answer.answer, answer.citations) == (extractive.answer, extractive.citations)
    assert answer.trace.notes == {**extractive.trace.notes, "fell_back_to_extractive": True}
    assert "fell_back_to_extractive" not in extractive.trace.notes  # the extractive answer cannot fall back


def test_the_abstractive_answerer_itself_offers_nothing_when_no_sentence_is_supported(assistant_for):
    """The fallback lives in answer_turn alone: the abstractive answerer only says it has no draft."""
    assistant = assistant_for(ScriptedLLM("Bananas are an excellent source of potassium [1]."))
    ranked = assistant.ranked_evidence(QUESTION)
    assert ranked[0].relevance >= assistant.settings.abstain_below  # there was evidence worth writing from
    turn = TurnEvidence(QUESTION, [s.quote for s in ranked], ranked, None)
    assert AbstractiveAnswerer().answer(assistant, turn, None) is None
