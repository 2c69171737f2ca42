from webqa.answer import evidence
from webqa.answer.relevance import Relevance
from webqa.browser.page import make_page
from webqa.index.embedders import HashingEmbedder
from webqa.types import Quote

TEMPLE_TEXT = (
    "Shirley Temple Black was an American actress, singer and dancer. "
    "As an adult, she was named United States ambassador to Ghana and to Czechoslovakia and also served as "
    "Chief of Protocol of the United States."
)
KISS_TEXT = "Kiss and Tell is a 1945 American comedy film starring then 17-year-old Shirley Temple as Corliss Archer."


def _pages():
    return [
        make_page("Kiss and Tell (1945 film)", KISS_TEXT, doc_id="kiss"),
        make_page("Shirley Temple", TEMPLE_TEXT, doc_id="temple"),
    ]


def test_every_sentence_of_every_page_is_an_exact_quote():
    pages = _pages()
    sentences = evidence.collect(pages)
    assert len(sentences) == 3
    texts = {p.doc_id: p.text for p in pages}
    for quote in sentences:
        assert texts[quote.doc_id][quote.start : quote.end] == quote.text


def test_search_pages_give_no_evidence_and_earlier_quotes_inside_a_read_sentence_add_nothing():
    results = make_page("Search results", "1. Something. 2. Else entirely here.", kind="search")
    inside = Quote("also served as Chief of Protocol", "Shirley Temple", None, "temple", 170, 202)
    elsewhere = Quote("Paris is the capital of France.", "Paris", None, "paris", 0, 31)
    sentences = evidence.collect([results, *_pages()], [inside, elsewhere])
    assert inside not in sentences and elsewhere in sentences
    assert all(q.title != "Search results" for q in sentences)


def test_a_stored_quote_is_split_into_sentences_with_offsets_into_its_page():
    quote = Quote("He was born in 835. He died in 869 in Piacenza.", "Lothair II", None, "lothair", 100, 147)
    parts = evidence.quote_sentences(quote)
    assert [p.text for p in parts] == ["He was born in 835.", "He died in 869 in Piacenza."]
    assert parts[1].start == 120 and parts[1].end == 147


def test_the_page_a_good_sentence_names_is_scored_as_a_chain_and_cites_its_bridge():
    question = "Which government position was held by the actress who starred in Kiss and Tell?"
    ranked = evidence.rank(question, evidence.collect(_pages()), Relevance(HashingEmbedder(256)))
    chief = next(s for s in ranked if "Chief of Protocol" in s.quote.text)
    assert chief.via is not None and chief.via.doc_id == "kiss"
    assert [s.rank for s in ranked] == list(range(len(ranked)))
    assert ranked == sorted(ranked, key=lambda s: -s.relevance)
