from tests.answer.conftest import KISS, QUESTION, TEMPLE
from webqa.answer.candidates import expected_kind, extract_candidates, is_yes_no, question_options


def test_names_dates_and_numbers_from_the_quotes_but_not_the_question():
    found = {c.text: c for c in extract_candidates(QUESTION, [KISS.text, TEMPLE.text])}
    assert "Chief of Protocol of the United States" in found and "Shirley Temple" in found
    assert found["1945"].kind == "date" and found["17"].kind == "number"
    assert "Corliss Archer" not in found and "Kiss and Tell" not in found  # named in the question
    assert found["Chief of Protocol of the United States"].quote_index == 1


def test_sentence_openers_articles_and_possessives_are_trimmed():
    found = [
        c.text for c in extract_candidates("Who wrote it?", ["The Beatles wrote it. As a child, Einstein's son slept."])
    ]
    assert found == ["Beatles", "Einstein"]


def test_yes_no_and_comparison_questions():
    assert is_yes_no("Were Scott Derrickson and Ed Wood of the same nationality?")
    assert [c.text for c in extract_candidates("Is Paris in France?", ["Paris is in France."])] == ["yes", "no"]
    assert not is_yes_no("Is Paris or Lyon bigger?")
    assert question_options("Which magazine was started first, Arthur's Magazine or First for Women?") == [
        "Arthur's Magazine",
        "First for Women",
    ]
    # Without a comma before the first option, after a colon, with a clause after the second.
    assert question_options("Who was born first Am Rong or Ava DuVernay ?") == ["Am Rong", "Ava DuVernay"]
    assert question_options("Which dog's ancestors include Setters: the Manchester Terrier or the Scotch Collie?") == [
        "Manchester Terrier",
        "Scotch Collie",
    ]
    assert question_options("Which film came out first, Still Kicking: Six Women or Time Bombs?") == [
        "Still Kicking: Six Women",
        "Time Bombs",
    ]
    assert question_options("Which airport, Grand Forks Airport or El Paso Airport is closer to their town?") == [
        "Grand Forks Airport",
        "El Paso Airport",
    ]
    # Not options: a clause or a phrase on either side of "or".
    assert question_options("What is the process of adding structure to land or construction of buildings?") == []
    assert question_options("Prevenient grace allows those tainted by what to accept or reject God's salvation?") == []
    assert question_options("Which is older the British Empire or the Ethiopian Empire?") == [
        "British Empire",
        "Ethiopian Empire",
    ]


def test_expected_kind_from_the_wording():
    assert expected_kind("When did it happen?") == "date"
    assert expected_kind("How many people live there?") == "number"
    assert expected_kind("Who wrote Hamlet?") == "name"
    assert expected_kind("Explain photosynthesis.") is None
