"""Per-question scores and their summary, on hand-made answer records."""

from __future__ import annotations

import pytest

from tests.eval.test_citations import WordsChecker
from webqa.evaluation.gold import Gold, GoldItem
from webqa.evaluation.scoring import score_answer, score_run, summarise

PARIS = Gold(("Paris",), ("France", "Seine"))


def record(answer: str = "", short: str = "", citations=(), abstained=False, **extra):  # noqa: ANN001, ANN201
    return {
        "answer": answer,
        "short_answer": short,
        "abstained": abstained,
        "citations": [
            {"n": n, "doc_id": doc, "title": title, "quote": quote}
            for n, (doc, title, quote) in enumerate(citations, 1)
        ],
        "actions": [{"command": "search", "argument": "x", "ok": True}] * 3,
        "timings": {"total_s": 1.5, "search_s": 0.2, "answer_s": 0.5},
        "error": None,
        **extra,
    }


def score(gold: Gold, rec: dict | None, error: str | None = None):  # noqa: ANN201
    return score_answer("q", "What is the capital of France?", gold, rec, error, WordsChecker())


def test_a_right_cited_answer_scores_on_every_count():
    rec = record(
        "Paris is the capital of France [1].",
        "Paris",
        [("France", "France", "paris is the capital of france"), ("doc-9", "Lyon", "lyon is a city")],
    )
    s = score(PARIS, rec)
    assert (s.em, s.f1, s.answer_recall) == (1.0, 1.0, 1.0)
    assert s.answer_f1 == pytest.approx(1 / 3)  # 1 of 5 words ("the" and "[1]" do not count): 2PR/(P+R)
    assert s.supporting_recall == 0.5  # France cited, Seine not
    assert s.supporting_precision == 0.5  # of two cited passages, one is gold
    assert (s.citation_recall, s.citation_precision) == (1.0, 1.0)
    assert (s.citations, s.actions, s.latency_s) == (2, 3, 1.5)
    assert s.phases == {"search_s": 0.2, "answer_s": 0.5}


def test_a_gold_passage_may_be_named_by_title_and_partial_answers_get_partial_f1():
    rec = record("It is Paris, France [1].", "Paris France", [("doc-1", "Seine", "paris france")])
    s = score(PARIS, rec)
    assert s.em == 0.0 and s.f1 == pytest.approx(2 / 3)
    assert s.supporting_recall == 0.5 and s.supporting_precision == 1.0


def test_abstaining_is_wrong_on_answerable_and_right_on_unanswerable_questions():
    abstention = record("I could not find a reliable answer.", "", abstained=True)
    wrong = score(PARIS, abstention)
    assert (wrong.em, wrong.f1, wrong.answer_recall, wrong.supporting_recall) == (0.0, 0.0, 0.0, 0.0)
    assert wrong.citation_recall is None  # an abstention makes no claims to check
    right = score(Gold((), (), answerable=False), abstention)
    assert right.em is None and right.supporting_recall is None
    summary = summarise([wrong, right])
    assert summary["abstention_rate"] == 1.0
    assert summary["abstention_rate_answerable"] == 1.0
    assert summary["unanswerable_accuracy"] == 1.0
    assert summary["exact_match"] == 0.0  # over the answerable question only


def test_a_failed_question_scores_zero_and_counts_as_an_error():
    s = score(PARIS, None, "line 3: TimeoutError")
    assert s.error == "line 3: TimeoutError" and s.f1 == 0.0 and s.latency_s is None
    ok = score(PARIS, record("Paris is the capital of France [1].", "Paris", [("France", "France", "paris")]))
    summary = summarise([s, ok])
    assert summary["errors"] == 1 and summary["exact_match"] == 0.5
    assert summary["latency_p50_s"] == 1.5  # from the answered question only


def test_multi_turn_lines_are_scored_turn_by_turn():
    item = GoldItem("d1", ("Who wrote Hamlet?", "When?"), (Gold(("Shakespeare",)), Gold((), answerable=False)), True)
    line = record(
        turns=[
            record("Shakespeare wrote Hamlet [1].", "Shakespeare", [("h", "Hamlet", "shakespeare wrote hamlet")]),
            record("I could not find it.", abstained=True),
        ]
    )
    scores = score_run([item], {"d1": line}, WordsChecker())
    assert [s.id for s in scores] == ["d1#1", "d1#2"]
    assert scores[0].em == 1.0 and scores[1].abstained and not scores[1].answerable
    failed = score_run([item], {"d1": {**record(), "error": "boom", "turns": []}}, WordsChecker())
    assert [s.error for s in failed] == ["boom", "boom"]


def test_the_summary_reports_latency_percentiles_and_phases():
    scores = [
        score(PARIS, {**record("Paris [1].", "Paris"), "timings": {"total_s": t, "search_s": t / 10}})
        for t in (1, 2, 3, 4)
    ]
    summary = summarise(scores)
    assert summary["latency_p50_s"] == 2.5 and summary["latency_p95_s"] == pytest.approx(3.85)
    assert summary["search_p50_s"] == 0.25 and summary["open_p50_s"] is None
    assert summary["actions_per_question"] == 3.0 and summary["questions"] == 4


# --- knowing its limits: abstention, accuracy of what is answered, calibration -----------------------

UNANSWERABLE = Gold(("Paris",), ("France",), answerable=False)


def test_an_abstention_withholding_a_right_guess_is_judged_by_its_guess():
    withheld = score(PARIS, record("I could not find...", abstained=True, confidence=0.2, best_guess="Paris"))
    assert withheld.em == 0.0 and withheld.guess_right is True and withheld.confidence == 0.2
    on_unanswerable = score(UNANSWERABLE, record("Paris [1].", "Paris", confidence=0.9))
    assert on_unanswerable.guess_right is False  # no answer is right where the gold is gone
    assert score(PARIS, record("I could not...", abstained=True)).guess_right is None  # nothing withheld


def test_the_summary_reports_abstention_precision_recall_and_the_accuracy_of_answers():
    scores = [
        score(PARIS, record("Paris is the capital [1].", "Paris", confidence=0.9)),  # answered, right
        score(PARIS, record("Lyon [1].", "Lyon", confidence=0.6)),  # answered, wrong
        score(PARIS, record("...", abstained=True, confidence=0.1, best_guess="Paris")),  # wrongly abstained
        score(UNANSWERABLE, record("...", abstained=True, confidence=0.1, best_guess="Lyon")),  # rightly
        score(UNANSWERABLE, record("Paris [1].", "Paris", confidence=0.7)),  # answered where it should not
    ]
    summary = summarise(scores)
    assert summary["unanswerable_accuracy"] == 0.5  # abstention recall: 1 of the 2 unanswerable
    assert summary["abstention_precision"] == 0.5  # 1 of the 2 abstentions was on an unanswerable question
    assert summary["answered_answerable"] == pytest.approx(2 / 3, abs=1e-3)
    assert summary["accuracy_of_answered"] == pytest.approx(1 / 3, abs=1e-3)  # of the 3 answers, 1 right
    # guesses right: 0.9 yes, 0.6 no, 0.1 yes, 0.1 no, 0.7 no -> bins 0.1 (1/2 right), 0.6 (0), 0.7 (0), 0.9 (1)
    expected = (abs(0.1 - 0.5) * 2 + 0.6 + 0.7 + abs(0.9 - 1.0)) / 5
    assert summary["confidence_ece"] == pytest.approx(expected, abs=1e-3)


def test_risk_coverage_gives_the_most_confident_answers_first():
    from webqa.evaluation.scoring import risk_coverage

    scores = [
        score(PARIS, record("Paris [1].", "Paris", confidence=0.9)),
        score(PARIS, record("Lyon [1].", "Lyon", confidence=0.3)),
        score(PARIS, record("Paris [1].", "Paris", confidence=0.6)),
        score(PARIS, record("...", abstained=True)),  # no confidence to rank by: left out
    ]
    assert risk_coverage(scores) == [(1 / 3, 1.0), (2 / 3, 1.0), (1.0, 2 / 3)]


def test_a_system_without_confidences_has_no_calibration_figure():
    summary = summarise([score(PARIS, record("Paris [1].", "Paris"))])
    assert summary["confidence_ece"] is None
