from webqa.answer import evidence
from webqa.answer.evidence import Sentence
from webqa.answer.reader import read_answer
from webqa.answer.relevance import Relevance
from webqa.answer.verdicts import evidence_verdict, full_name, named_pages, opening_date, option_verdict
from webqa.browser.page import make_page
from webqa.index.embedders import HashingEmbedder
from webqa.llm import ScriptedLLM

PAGES = {
    "Giuseppe Verdi": "Giuseppe Verdi (9 October 1813 - 27 January 1901) was an Italian opera composer. He wrote Aida.",
    "Ambroise Thomas": "Ambroise Thomas (1811 - 1896) was a French composer, best known for his operas. He taught.",
    "Dafeng District": "Dafeng is a coastal district under the administration of Yancheng, Jiangsu province, China.",
    "Dazhou": "Dazhou is a prefecture-level city in the northeast corner of Sichuan province, China.",
    "Tinghu District": "Tinghu District is one of three districts of Yancheng, Jiangsu province, China.",
    "Cooking Light": "Cooking Light is an American monthly food and lifestyle magazine founded in 1987.",
    "Vibe (magazine)": "Vibe is an American music and entertainment magazine founded by producer Quincy Jones.",
    "Dead by Sunrise": "Dead by Sunrise was an American rock band formed in 2005 by Chester Bennington.",
    "Sunrise": "Sunrise is the time in the morning when the Sun appears above the horizon.",
    "Terry Richardson": "Terry Richardson (born August 14, 1965) is an American fashion photographer.",
    "Annie Morton": "Annie Morton (born October 8, 1970) is an American model. She was born in Pennsylvania.",
    "Kenton Richardson": "Kenton Richardson (born 1965) is an English footballer.",
    "Craig v. Boren": "Craig v. Boren, 429 U.S. 190 (1976), was a case of the Supreme Court of the United States.",
}


def _ranked(question: str, titles: list[str]) -> list[Sentence]:
    pages = [make_page(title, PAGES[title], doc_id=title) for title in titles]
    return evidence.rank(question, evidence.collect(pages), Relevance(HashingEmbedder(256)))


def test_both_is_yes_only_when_every_named_page_opens_with_the_predicate():
    question = 'Are both "Cooking Light" and "Vibe" magazines?'
    verdict = evidence_verdict(question, _ranked(question, ["Cooking Light", "Vibe (magazine)"]))
    assert verdict is not None and verdict.answer == "yes"
    assert [s.quote.title for s in verdict.grounds] == ["Cooking Light", "Vibe (magazine)"]
    question = "Are Giuseppe Verdi and Ambroise Thomas both opera composers?"
    verdict = evidence_verdict(question, _ranked(question, ["Ambroise Thomas", "Giuseppe Verdi"]))
    assert verdict is not None and verdict.answer == "yes"  # "operas" is of the family of "opera"
    assert verdict.grounds[0].quote.title == "Giuseppe Verdi"  # in the question's order, not the ranking's
    question = "Are Giuseppe Verdi and Cooking Light both opera composers?"
    verdict = evidence_verdict(question, _ranked(question, ["Giuseppe Verdi", "Cooking Light"]))
    assert verdict is not None and verdict.answer == "no"


def test_same_compares_the_value_each_page_gives():
    question = "Are both Dafeng District and Dazhou located in the same province?"
    verdict = evidence_verdict(question, _ranked(question, ["Dafeng District", "Dazhou"]))
    assert verdict is not None and verdict.answer == "no" and "jiangsu / sichuan" in verdict.how
    question = "Are Dafeng District and Tinghu District in the same province?"
    verdict = evidence_verdict(question, _ranked(question, ["Dafeng District", "Tinghu District"]))
    assert verdict is not None and verdict.answer == "yes"
    question = "Were Giuseppe Verdi and Ambroise Thomas of the same nationality?"
    verdict = evidence_verdict(question, _ranked(question, ["Giuseppe Verdi", "Ambroise Thomas"]))
    assert verdict is not None and verdict.answer == "no" and "Italian / French" in verdict.how


def test_no_verdict_without_two_named_pages_a_value_or_for_a_comparative():
    question = "Are Giuseppe Verdi and Amilcare Ponchielli both opera composers?"  # one page read
    assert evidence_verdict(question, _ranked(question, ["Giuseppe Verdi", "Cooking Light"])) is None
    question = "Were Cooking Light and Vibe founded in the same city?"  # neither opening says a city
    assert evidence_verdict(question, _ranked(question, ["Cooking Light", "Vibe (magazine)"])) is None
    question = "Is Giuseppe Verdi older than Ambroise Thomas?"
    assert evidence_verdict(question, _ranked(question, ["Giuseppe Verdi", "Ambroise Thomas"])) is None


def test_a_longer_page_name_wins_over_one_inside_it():
    question = "Were Dead by Sunrise and Vibe both formed before 2010?"
    named = named_pages(question, _ranked(question, ["Sunrise", "Dead by Sunrise", "Vibe (magazine)"]))
    assert [name for name, _ in named] == ["dead by sunrise", "vibe"]


def test_the_reader_answers_from_the_openings_and_cites_both_without_asking_the_model():
    question = "Are Giuseppe Verdi and Ambroise Thomas both opera composers?"
    llm = ScriptedLLM()  # nothing queued: a call for scores would be recorded
    draft = read_answer(question, _ranked(question, ["Giuseppe Verdi", "Ambroise Thomas"]), llm, 0.0)
    assert draft.short_answer == "yes" and draft.notes["short_answer_by"] == "evidence"
    assert draft.text.startswith("Yes: Giuseppe Verdi") and "[1]" in draft.text and "[2]" in draft.text
    assert [c.quote.title for c in draft.citations] == ["Giuseppe Verdi", "Ambroise Thomas"]
    assert all(PAGES[c.quote.title][c.quote.start : c.quote.end] == c.quote.text for c in draft.citations)
    assert not llm.calls


def test_without_a_verdict_from_the_evidence_the_model_chooses_as_before():
    question = "Is Giuseppe Verdi older than Ambroise Thomas?"
    llm = ScriptedLLM().enqueue_scores([-3.0, -0.5])
    draft = read_answer(question, _ranked(question, ["Giuseppe Verdi", "Ambroise Thomas"]), llm, 0.0)
    (call,) = llm.calls
    assert sorted(call.extra) == ["no", "yes"] and draft.notes["short_answer_by"] == "llm"
    assert draft.short_answer == call.extra[1]  # the option the model scored higher


def test_which_came_first_is_read_from_the_dates_the_openings_give():
    older = "Who is older, Annie Morton or Terry Richardson?"
    ranked = _ranked(older, ["Annie Morton", "Terry Richardson"])
    verdict = option_verdict(older, ["Annie Morton", "Terry Richardson"], ranked)
    assert verdict is not None and verdict.answer == "Terry Richardson"  # 1965 before 1970
    assert [g.quote.title for g in verdict.grounds] == ["Terry Richardson", "Annie Morton"]  # the chosen first
    younger = "Who is younger, Annie Morton or Terry Richardson?"
    ranked = _ranked(younger, ["Annie Morton", "Terry Richardson"])
    assert option_verdict(younger, ["Annie Morton", "Terry Richardson"], ranked).answer == "Annie Morton"


def test_no_option_verdict_for_another_comparison_a_missing_page_or_dates_that_cannot_tell():
    options = ["Annie Morton", "Terry Richardson"]
    taller = "Who is taller, Annie Morton or Terry Richardson?"
    assert option_verdict(taller, options, _ranked(taller, ["Annie Morton", "Terry Richardson"])) is None
    older = "Who is older, Annie Morton or Terry Richardson?"
    assert option_verdict(older, options, _ranked(older, ["Annie Morton", "Kenton Richardson"])) is None
    # Two pages equally far from what is asked: no word of "won a prize" in either opening.
    prize = "Who won a prize, Annie Morton or Terry Richardson?"
    assert option_verdict(prize, options, _ranked(prize, ["Annie Morton", "Terry Richardson"])) is None
    # 1965 against 14 August 1965: the same as far as both go.
    same = "Who is older, Kenton Richardson or Terry Richardson?"
    kenton = ["Kenton Richardson", "Terry Richardson"]
    assert option_verdict(same, kenton, _ranked(same, kenton)) is None


def test_which_one_is_what_the_question_says_is_the_option_whose_opening_says_it():
    options = ["Annie Morton", "Terry Richardson"]
    # "the first model to ..." ranks by what the pages say, not by their dates.
    question = "Who was the first model to walk for Chanel, Annie Morton or Terry Richardson?"
    verdict = option_verdict(question, options, _ranked(question, options))
    assert verdict is not None and verdict.answer == "Annie Morton"  # "an American model"
    photographer = "Which one is a photographer, Annie Morton or Terry Richardson?"
    assert option_verdict(photographer, options, _ranked(photographer, options)).answer == "Terry Richardson"


def test_an_option_is_answered_with_the_full_name_its_page_opens_with():
    pages = {"Philip Labonte": "Philip Steven Labonte (born April 15, 1975) is an American singer."}
    ranked = evidence.rank(
        "Philip Labonte", evidence.collect([make_page(t, x, doc_id=t) for t, x in pages.items()]),
        Relevance(HashingEmbedder(256)),
    )  # fmt: skip
    assert full_name("Philip Labonte", ranked) == "Philip Steven Labonte"
    assert full_name("Annie Morton", ranked) == "Annie Morton"  # no page of hers: as asked
    nickname = {"Alexi Laiho": 'Alexi "Wildchild" Laiho (born 8 April 1979) is a Finnish guitarist.'}
    ranked = evidence.rank(
        "Alexi Laiho", evidence.collect([make_page(t, x, doc_id=t) for t, x in nickname.items()]),
        Relevance(HashingEmbedder(256)),
    )  # fmt: skip
    assert full_name("Alexi Laiho", ranked) == "Alexi Laiho"  # a nickname is not his name


def test_the_opening_date_is_the_first_a_sentence_says_in_any_of_its_forms():
    assert opening_date(PAGES["Terry Richardson"]) == (1965, 8, 14)
    assert opening_date(PAGES["Giuseppe Verdi"]) == (1813, 10, 9)
    assert opening_date(PAGES["Craig v. Boren"]) == (1976,)  # "429 U.S. 190" is no year
    assert opening_date("Ride a Wild Pony is a film released in March 1975.") == (1975, 3)
    assert opening_date(PAGES["Sunrise"]) is None


def test_the_reader_answers_which_came_first_from_both_openings_without_the_model():
    question = "Who is older, Annie Morton or Terry Richardson?"
    llm = ScriptedLLM()
    draft = read_answer(question, _ranked(question, ["Annie Morton", "Terry Richardson"]), llm, 0.0)
    assert draft.short_answer == "Terry Richardson" and draft.notes["short_answer_by"] == "evidence"
    assert draft.text.startswith("Terry Richardson (born August 14, 1965)") and "[2]" in draft.text
    assert not llm.calls
