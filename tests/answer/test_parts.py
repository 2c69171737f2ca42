import pytest

from webqa.answer.draft import Draft, abstention
from webqa.answer.parts import combine_parts, question_parts
from webqa.types import Citation, Quote


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "When was the Berlin Wall built and why?",
            ("When was the Berlin Wall built?", "Why was the Berlin Wall built?"),
        ),
        ("Who wrote Hamlet and when was it written?", ("Who wrote Hamlet?", "When was Hamlet written?")),
        ("Where was Obama born, and how old is he?", ("Where was Obama born?", "How old is Obama?")),
    ],
)
def test_a_two_part_question_is_split_into_standalone_questions(question, parts):
    assert question_parts(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "What is the relationship between Tom and Jerry?",
        "Which came first, Arthur's Magazine or First for Women?",
        "Who starred in Kiss and Tell?",
        "Were Scott Derrickson and Ed Wood of the same nationality?",
    ],
)
def test_a_one_part_question_is_left_alone(question):
    assert question_parts(question) is None


WALL = Quote("The Berlin Wall was built in 1961.", "Berlin Wall", None, "wall", 0, 34)
WHY = Quote("It was built to stop emigration to the West.", "Berlin Wall", None, "wall", 35, 79)
PARTS = ("When was the Berlin Wall built?", "Why was the Berlin Wall built?")


def _answer(quote, short, confidence):
    return Draft(f"{quote.text[:-1]} [1].", short, False, (Citation(1, quote),), {}, confidence)


def test_both_parts_found_make_one_answer_with_renumbered_citations():
    draft = combine_parts(PARTS, (_answer(WALL, "1961", 0.8), _answer(WHY, "", 0.6)))
    assert not draft.abstained and draft.short_answer == "1961" and draft.confidence == 0.6
    assert draft.text == "The Berlin Wall was built in 1961 [1]. It was built to stop emigration to the West [2]."
    assert [c.n for c in draft.citations] == [1, 2] and draft.citations[1].quote == WHY
    assert draft.notes["parts_not_found"] == []


def test_a_part_not_found_is_named_in_the_answer():
    missing = abstention(PARTS[1], [(WHY, 0.2)], "confidence 0.05 < 0.30")
    draft = combine_parts(PARTS, (_answer(WALL, "1961", 0.8), missing))
    assert not draft.abstained and draft.short_answer == "1961"
    assert draft.text.endswith("I could not find a reliable answer to “Why was the Berlin Wall built?”")
    assert draft.citations == (Citation(1, WALL),) and draft.notes["parts_not_found"] == [PARTS[1]]


def test_no_part_found_is_an_abstention():
    first = abstention(PARTS[0], [(WALL, 0.2)], "x")
    draft = combine_parts(PARTS, (first, abstention(PARTS[1], [], "y")))
    assert draft.abstained and draft.notes["parts_not_found"] == list(PARTS)
