from tests.answer.conftest import QUESTION, TEMPLE
from webqa.answer.extractive import choose_short_answer, extractive_answer
from webqa.llm import ScriptedLLM


def test_the_model_chooses_among_real_spans(scored):
    llm = ScriptedLLM()
    llm.enqueue_scores([-9.0, -1.0, -8.0, -7.0, -6.0, -5.0, -4.0, -3.0])
    short, source, how = choose_short_answer(QUESTION, scored, llm)
    assert how == "llm"
    method, messages, extra = llm.calls[-1]
    assert method == "score_options" and QUESTION in messages[-1][1]
    options = extra["options"] if isinstance(extra, dict) else extra
    assert short == options[1]  # the highest mean log-probability wins
    assert short in " ".join(q.text for q, _ in scored)  # a span of a real quote, never invented


def test_extractive_answer_cites_the_sentence_holding_the_short_answer(scored):
    draft = extractive_answer(QUESTION, scored, None, abstain_below=0.35)
    assert not draft.abstained and draft.notes["short_answer_by"] == "heuristic"
    assert draft.short_answer == "Chief of Protocol of the United States"
    assert draft.citations[0].quote == TEMPLE and draft.citations[0].n == 1
    assert draft.text.startswith("As an adult, she was named United States ambassador")
    assert "[1]." in draft.text and "[2]." in draft.text  # the bridge quote is cited too
    assert len(draft.citations) == 2


def test_weak_evidence_abstains_and_shows_what_was_found(scored):
    weak = [(quote, 0.2) for quote, _ in scored]
    draft = extractive_answer(QUESTION, weak, None, abstain_below=0.35)
    assert draft.abstained and draft.short_answer == ""
    assert draft.text.startswith("I could not find a reliable answer to this question. The closest evidence I found:")
    assert f"“{TEMPLE.text}” [1]" in draft.text and len(draft.citations) == 2
    assert "best evidence relevance 0.20 < 0.35" in draft.notes["abstained_because"]


def test_no_evidence_abstains():
    draft = extractive_answer(QUESTION, [], None, abstain_below=0.35)
    assert draft.abstained and draft.citations == () and "found no relevant evidence" in draft.text


def test_yes_no_answers_lead_with_the_verdict(scored):
    llm = ScriptedLLM()
    llm.enqueue_scores([-3.0, -0.5])  # yes, no
    draft = extractive_answer("Was Shirley Temple an ambassador to France?", scored, llm, abstain_below=0.35)
    assert draft.short_answer == "no" and draft.text.startswith("No. ")


def test_comparison_questions_answer_with_one_of_their_options(scored):
    from tests.answer.conftest import KISS

    draft = extractive_answer("Who is older, Shirley Temple or Janet Waldo?", [(KISS, 0.6)], None, 0.35)
    assert draft.short_answer in ("Shirley Temple", "Janet Waldo")


def test_when_and_how_many_questions_answer_with_dates_and_numbers(scored):
    from tests.answer.conftest import KISS

    assert extractive_answer("When was Kiss and Tell released?", [(KISS, 0.6)], None, 0.35).short_answer == "1945"
    assert extractive_answer("How many years old was the star?", [(KISS, 0.6)], None, 0.35).short_answer == "17"
