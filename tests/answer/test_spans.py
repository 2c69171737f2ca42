import numpy as np

from webqa.answer.evidence import Sentence
from webqa.answer.features import FEATURES, asked_words, candidates_and_features, question_kind
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
    assert question_kind("What does Doctor Who travel in?") == "what"
    assert question_kind("Who played Doctor Who first?") == "who"


def test_asked_words_name_what_a_which_or_how_many_question_asks_for():
    assert asked_words("Which fort was rebuilt in 1964?") == ["fort"]
    assert asked_words("What German city hosted the games?") == ["german", "city"]
    assert asked_words("What type of protest was it?") == ["protest"]
    assert asked_words("How many study contracts were awarded?") == ["study", "contracts"]
    assert asked_words("What is one source of law?") == []
    assert asked_words("Who painted it?") == []


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


def _features_of(question: str, text: str) -> dict[str, dict[str, float]]:
    sentence = Sentence(Quote(text, "Page", None, "a", 0, len(text)), 0.9, 0, 0.5)
    candidates, rows = candidates_and_features(question, [sentence])
    return {c.text: dict(zip(FEATURES, row, strict=True)) for c, row in zip(candidates, rows, strict=True)}


def test_slot_features_place_a_candidate_against_the_question_s_words():
    recorded = _features_of(
        'Who recorded "Walking Into Fresno"?',
        '"Walking Into Fresno" was written by guitarist Bill Aken and recorded by Bob Gallion in Wheeling.',
    )
    assert recorded["Bob Gallion"]["left_anchor"] == 1.0  # "recorded by Bob Gallion"
    assert recorded["Bill Aken"]["left_anchor"] == 0.0  # "guitarist" is not the question's word
    assert recorded["Wheeling"]["left_anchor"] == 0.0  # "Gallion in Wheeling": not beside "recorded"
    war = _features_of("When did the war begin?", "The war began in February 1939 and ended in 1945.")
    assert war["February 1939"]["near_rare"] == 2.0  # "war" and "began", the question's "begin"
    counted = _features_of(
        "How many study contracts were awarded in October?",
        "On October 25, three study contracts were awarded, and 50% of the bids failed.",
    )
    assert counted["three"]["asked_follows"] == 1.0 and counted["25"]["asked_follows"] == 0.0
    share = _features_of("What percentage of the bids failed?", "On October 25, 50% of the bids failed.")
    assert share["50"]["asked_follows"] == 1.0
    designer = _features_of("Who designed the building?", "It was designed by Spanish architect Enric Miralles.")
    assert designer["Spanish"]["next_content"] == 1.0 and designer["Enric Miralles"]["next_content"] == 0.0


def test_a_candidate_titling_a_page_read_is_marked_wherever_it_stands():
    mona = Quote("The Mona Lisa was painted by Leonardo da Vinci.", "Mona Lisa", None, "a", 0, 47)
    leonardo = Quote("Leonardo di ser Piero da Vinci was a painter.", "Leonardo da Vinci", None, "b", 0, 45)
    sentences = [Sentence(mona, 0.9, 0, 0.6), Sentence(leonardo, 0.8, 1, 0.2)]
    candidates, rows = candidates_and_features("Who painted the Mona Lisa?", sentences)
    found = {c.text: dict(zip(FEATURES, row, strict=True)) for c, row in zip(candidates, rows, strict=True)}
    assert found["Leonardo da Vinci"]["titles_page_read"] == 1.0
    assert found["Piero da Vinci"]["titles_page_read"] == 0.0
