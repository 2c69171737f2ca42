import json
from importlib import resources

import pytest

from webqa.answer import evidence
from webqa.answer.confidence import FEATURES, ConfidenceModel, answer_features, packaged_model
from webqa.answer.reader import read_answer
from webqa.answer.relevance import Relevance
from webqa.browser.page import make_page
from webqa.config import Settings
from webqa.index.embedders import HashingEmbedder
from webqa.text import separate_names as question_names

WOOD = make_page("Ed Wood", "Ed Wood was an American filmmaker. He was born in Poughkeepsie, New York.", doc_id="w")
DERRICKSON = make_page("Scott Derrickson", "Scott Derrickson is an American director of horror films.", doc_id="d")
OTHER = make_page("Ed Wood (film)", "Ed Wood is a 1994 biographical film by Tim Burton about a filmmaker.", doc_id="f")
QUESTION = "Where was Ed Wood born?"


def _ranked(question, pages):
    return evidence.rank(question, evidence.collect(pages), Relevance(HashingEmbedder(256)))


def test_question_names_are_split_and_lose_sentence_initial_words():
    assert question_names("Were Scott Derrickson and Ed Wood of the same nationality?") == [
        "Scott Derrickson",
        "Ed Wood",
    ]
    assert question_names("The Oberoi family is part of which hotel company?") == ["Oberoi"]
    assert question_names("In which year was the Berlin Wall built?") == ["Berlin Wall"]
    assert question_names("what is the boiling point of water?") == []


def test_the_features_tell_a_page_about_the_question_from_pages_about_something_else():
    present = _ranked(QUESTION, [WOOD, DERRICKSON])
    absent = _ranked(QUESTION, [DERRICKSON])
    with_page = answer_features(QUESTION, present, present[0], [present[0].quote], "sentence")
    without = answer_features(QUESTION, absent, absent[0], [absent[0].quote], "sentence")
    assert with_page["names_titled"] == 1.0 and with_page["names_found"] == 1.0
    assert without["names_titled"] == 0.0 and without["names_found"] == 0.0
    assert with_page["cited_coverage"] > without["cited_coverage"]
    # "Ed Wood (film)" is a page about another Ed Wood: its title without the qualifier still names him.
    film = _ranked(QUESTION, [OTHER])
    assert answer_features(QUESTION, film, film[0], [film[0].quote], "sentence")["names_titled"] == 1.0
    assert set(with_page) == set(FEATURES)


def test_an_unknown_answer_kind_is_refused():
    ranked = _ranked(QUESTION, [WOOD])
    with pytest.raises(ValueError):
        answer_features(QUESTION, ranked, ranked[0], [], "poem")


def test_the_shipped_model_is_trained_and_its_threshold_is_the_default():
    data = json.loads(resources.files("webqa.answer").joinpath("confidence.json").read_text(encoding="utf-8"))
    model = packaged_model()
    assert not data["info"].get("untrained") and "script" in data["info"]
    assert 0.0 < model.threshold < 1.0
    assert Settings().abstain_below_confidence is None  # None: the measured threshold above


def test_the_confidence_is_the_evidence_probability_times_the_right_given_evidence_one():
    zero = {f: 0.0 for f in FEATURES}
    model = ConfidenceModel.from_dict(
        {
            "evidence": {**zero, "names_titled": 4.0, "intercept": -2.0},
            "right_given_evidence": {**zero, "intercept": 0.0},  # a coin toss once the page is there
            "threshold": 0.3,
        }
    )
    low, high = model.estimate(zero), model.estimate({**zero, "names_titled": 1.0})
    assert 0.0 < low.evidence < 0.5 < high.evidence < 1.0
    assert high.confidence == pytest.approx(high.evidence * 0.5)
    with pytest.raises(ValueError, match="lack features"):
        ConfidenceModel.from_dict({"evidence": {"intercept": 0.0}, "right_given_evidence": zero, "threshold": 0.3})


def test_every_answer_kind_gets_a_confidence():
    ranked = _ranked(QUESTION, [WOOD, DERRICKSON])
    span = read_answer(QUESTION, ranked, None, 0.0)
    verdict_question = "Were Scott Derrickson and Ed Wood of the same nationality?"
    verdict = read_answer(verdict_question, _ranked(verdict_question, [WOOD, DERRICKSON]), None, 0.0)
    for draft in (span, verdict):
        assert not draft.abstained and 0.0 < draft.confidence <= draft.evidence_confidence < 1.0
        assert set(draft.notes["confidence_features"]) == set(FEATURES)
    assert verdict.notes["confidence_features"]["kind_verdict"] == 1.0


def test_an_answer_whose_evidence_probably_lacks_it_is_withheld_with_what_was_looked_for():
    ranked = _ranked(QUESTION, [WOOD, DERRICKSON])
    answered = read_answer(QUESTION, ranked, None, 0.0, confidence_below=0.0)
    withheld = read_answer(QUESTION, ranked, None, 0.0, confidence_below=0.999)
    assert not answered.abstained and answered.short_answer
    assert withheld.abstained and withheld.short_answer == ""
    assert withheld.best_guess == answered.short_answer and withheld.confidence == answered.confidence
    assert withheld.evidence_confidence == answered.evidence_confidence
    assert "I looked for a place about Ed Wood in 2 pages (Ed Wood, Scott Derrickson)" in withheld.text
    assert f"My best guess, “{answered.short_answer}”, is withheld" in withheld.text
    assert withheld.citations and all(c.quote in [s.quote for s in ranked] for c in withheld.citations)
    assert "confidence" in withheld.notes["abstained_because"]
