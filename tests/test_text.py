import pytest

from webqa.text import (
    QUESTION_WORD,
    bare_title,
    cited_numbers,
    cut,
    cut_offset,
    numbered_quotes,
    question_names,
    quote_text,
    sentence_spans,
    sentences,
    separate_names,
    without_citations,
    words,
)
from webqa.types import Quote


@pytest.mark.parametrize(
    "text",
    [
        "The Mona Lisa is a portrait by Leonardo da Vinci, dated to c. 1495–1498. It hangs in the Louvre.",
        "Boston is the capital of the U.S. state of Massachusetts. It was founded in 1630.",
        "It was directed by D. W. Griffith. The film opened in 1915.",
        "The river enters the St. Lawrence near Montreal. Ships use it.",
        "Two fermions (e.g. electrons) cannot share a state. This is Pauli's principle.",
    ],
)
def test_abbreviations_and_initials_do_not_end_a_sentence(text):
    # The regex splitter cut each of these after "c.", "U.S.", "D.", "St." or "e.g.".
    assert len(sentences(text)) == 2


def test_spans_are_verbatim_stripped_and_in_order():
    text = '  He said "Go home." Then he left!\tWhy?  \n\nA new paragraph starts here.\n'
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        'He said "Go home."',
        "Then he left!",
        "Why?",
        "A new paragraph starts here.",
    ]
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False))


def test_a_blank_line_ends_a_sentence_even_without_a_full_stop():
    assert sentences("History\n\nThe city was founded in 1800") == ["History", "The city was founded in 1800"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "\t \n"])
def test_empty_text_has_no_sentences(text):
    assert sentence_spans(text) == []


def test_text_the_library_cannot_encode_keeps_its_offsets():
    text = "A lone \ud800 surrogate came from a broken file. The next sentence is fine."
    assert sentences(text) == ["A lone \ud800 surrogate came from a broken file.", "The next sentence is fine."]


def test_a_citation_after_the_full_stop_stays_with_its_sentence():
    assert sentences("Paris is the capital [1]. It has two million people [2].") == [
        "Paris is the capital [1].",
        "It has two million people [2].",
    ]


def test_words_keep_apostrophes_and_hyphens_and_drop_quotes():
    assert words("Who wrote 'Lothair's well-known' book?") == ["who", "wrote", "lothair's", "well-known", "book"]


def test_question_words_are_narrow_enough_to_leave_names_alone():
    assert QUESTION_WORD.match("Was it built in 1961?")
    assert QUESTION_WORD.match("which one")
    assert not QUESTION_WORD.match("Will Smith the actor")


def test_names_in_questions():
    assert question_names("Where did Lothair II die?") == ["Lothair II"]
    assert separate_names("Were Scott Derrickson and Ed Wood of the same nationality?") == [
        "Scott Derrickson",
        "Ed Wood",
    ]
    assert bare_title("Mercury (planet)") == "Mercury"


def test_words_a_question_opens_with_are_not_names():
    assert question_names("Aside from cow's milk, what milk do people drink?") == []
    assert question_names("Besides Paris, which city hosted the Olympics?") == ["Paris", "Olympics"]
    assert question_names("During the Cold War, who led the Soviet Union?") == ["Cold War", "Soviet Union"]
    assert question_names("I'm curious, where did Lothair II die?") == ["Lothair II"]
    assert question_names("Please tell me about Ada Lovelace.") == ["Ada Lovelace"]
    assert question_names("Some Chinese considered the Yuan legitimate, who did not?") == ["Chinese", "Yuan"]
    assert separate_names("Both Ralph Bakshi and Béla Gaál had what role in film making?") == [
        "Ralph Bakshi",
        "Béla Gaál",
    ]
    # A title that begins with such a word stays whole, and the words count only where the question starts.
    assert question_names("Some Like It Hot starred which actress?") == ["Some Like It Hot"]
    assert question_names("Who directed After Earth?") == ["After Earth"]


def test_citation_markers_in_either_form():
    assert cited_numbers("Paris [2] is the capital [1, 2][3].") == [2, 1, 3]
    assert without_citations("Paris [2] is the capital [1, 2].") == "Paris  is the capital ."


def test_a_quote_carries_its_title_unless_it_names_it():
    quote = Quote("He died in 869.", "Lothair II", None, "doc", 0, 15)
    named = Quote("Lothair II died in 869.", "Lothair II", None, "doc", 0, 23)
    assert quote_text(quote) == "Lothair II: He died in 869."
    assert quote_text(named) == "Lothair II died in 869."
    assert numbered_quotes([quote, named]) == "[1] Lothair II: He died in 869.\n[2] Lothair II: Lothair II died in 869."


def test_cuts_end_at_a_word_or_inside_one_too_long_to_keep():
    assert cut("the quick brown fox", 12) == "the quick"
    assert cut("the quick brown fox", 12, " …") == "the quick …"
    assert cut("short", 12, " …") == "short"
    assert cut("abcdefghijklmnop", 5) == "abcde"
    text = "one two three four"
    assert cut_offset(text, 4, len(text), 9) == 13  # "two three"


def test_every_character_of_the_packaged_corpus_is_in_exactly_one_sentence():
    import gzip
    import json
    from importlib import resources

    raw = resources.files("webqa").joinpath("data/wikipedia-vital.jsonl.gz").read_bytes()
    for line in gzip.decompress(raw).decode("utf-8").splitlines()[:2000]:
        text = json.loads(line)["text"]
        spans = sentence_spans(text)
        assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False))
        covered = "".join(text[start:end] for start, end in spans)
        assert "".join(text.split()) == "".join(covered.split())
