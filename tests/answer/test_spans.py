import numpy as np

from webqa.answer.evidence import Sentence
from webqa.answer.features import FEATURES, candidates_and_features, question_kind
from webqa.answer.spans import sentence_spans
from webqa.types import Quote


def _texts(sentence: str) -> set[str]:
    return {span.text for span in sentence_spans(sentence, 0)}


def test_lower_case_answers_are_candidates_and_spans_never_cross_punctuation_or_end_on_function_words():
    texts = _texts("Plants absorb carbon dioxide, and the pancreas makes insulin.")
    assert {"carbon dioxide", "pancreas", "insulin", "Plants absorb carbon dioxide"} <= texts
    assert not any("," in t for t in texts)
    assert not any(t.split()[-1] in {"the", "and", "of"} or t.split()[0] in {"the", "and"} for t in texts)


def test_names_with_inner_connectors_and_numbers_stay_whole():
    texts = _texts("Leonardo da Vinci painted it between 1503 and 1506 for 1,200 florins.")
    assert {"Leonardo da Vinci", "1503", "1,200 florins", "1,200"} <= texts


def test_initials_abbreviations_possessives_and_dates_keep_their_marks():
    texts = _texts("C. W. Grafton met John F. Kennedy in St. Louis on October 16, 1973, after the Seven Years' War.")
    assert {"C. W. Grafton", "John F. Kennedy", "St. Louis", "October 16, 1973", "Seven Years' War"} <= texts
    assert "16, 1973" not in texts  # the comma is part of a date only with its month
    assert not any(t.endswith(".") for t in texts)
    # A list's commas and a sentence's full stops still end a span.
    listed = _texts("Lions, leopards and buffalo live there. Kennedy won.")
    assert not any("," in t or "there. Kennedy" in t for t in listed)


def test_question_kinds_come_from_wh_words_wherever_they_stand():
    assert question_kind("The city was named after whom?") == "who"
    assert question_kind("In what year did the wall fall?") == "when"
    assert question_kind("How many moons does Mars have?") == "howmany"
    assert question_kind("How tall is Everest?") == "howmeasure"
    assert question_kind("Name the largest planet.") == "other"


def test_candidates_leave_out_the_question_s_own_words_and_group_repeats():
    first = Quote("The Mona Lisa was painted by Leonardo da Vinci.", "Mona Lisa", None, "a", 0, 47)
    second = Quote("Leonardo da Vinci was born in Vinci.", "Leonardo da Vinci", None, "b", 0, 36)
    sentences = [Sentence(first, 0.9, 0, 0.6), Sentence(second, 0.5, 1, 0.1)]
    candidates, rows = candidates_and_features("Who painted the Mona Lisa?", sentences)
    texts = [c.text for c in candidates]
    assert "Mona Lisa" not in texts and texts.count("Leonardo da Vinci") == 1
    assert rows.shape == (len(candidates), len(FEATURES)) and np.isfinite(rows).all()
    leonardo = rows[texts.index("Leonardo da Vinci")]
    assert leonardo[FEATURES.index("several_pages")] == 1.0 and leonardo[FEATURES.index("who*cap")] == 1.0
    assert leonardo[FEATURES.index("whole_name")] == 1.0
