from tests.answer.conftest import KISS, QUESTION
from webqa.answer.extractive import choose_short_answer
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


def test_comparison_questions_answer_with_one_of_their_options():
    short, _, _ = choose_short_answer("Who is older, Shirley Temple or Janet Waldo?", [(KISS, 0.6)], None)
    assert short in ("Shirley Temple", "Janet Waldo")


def test_when_and_how_many_questions_answer_with_dates_and_numbers():
    assert choose_short_answer("When was Kiss and Tell released?", [(KISS, 0.6)], None)[0] == "1945"
    assert choose_short_answer("How many years old was the star?", [(KISS, 0.6)], None)[0] == "17"


def test_yes_no_is_the_model_s_verdict(scored):
    llm = ScriptedLLM().enqueue_scores([-3.0, -0.5])  # yes, no
    assert choose_short_answer("Was Shirley Temple an ambassador to France?", scored, llm)[0] == "no"
