"""quote(text) is accepted only when the text is on the current page."""

from tests.conftest import SAMPLE_DOCUMENTS
from webqa.types import page_sha256

EINSTEIN = next(d for d in SAMPLE_DOCUMENTS if d.id == "einstein")


def test_a_quote_records_exact_text_and_offsets(make_browser):
    browser = make_browser()
    browser.run("open", "einstein")
    observation = browser.run("quote", "He developed the theory of relativity.")
    assert observation.ok and "Quote 1 saved from Albert Einstein" in observation.text
    (quote,) = browser.quotes
    assert quote.text == "He developed the theory of relativity."
    assert EINSTEIN.text[quote.start : quote.end] == quote.text
    assert (quote.doc_id, quote.title, quote.url) == ("einstein", "Albert Einstein", "https://example.org/einstein")
    assert quote.page_sha256 == page_sha256(EINSTEIN.text)  # what `webqa verify` compares the page with later


def test_whitespace_quote_marks_and_link_markers_are_normalised(make_browser, site):
    browser = make_browser()
    browser.run("open", site.url("/nile"))
    ok = browser.run("quote", 'its "White   Nile"\nbranch starts at Lake Victoria')
    assert ok.ok
    quote = browser.quotes[0]
    assert quote.text == "its “White Nile” branch starts at Lake Victoria"  # the page's own characters
    assert browser.page.text[quote.start : quote.end] == quote.text
    assert quote.page_sha256 == page_sha256(browser.page.text)  # a web page's extracted text, as verify re-reads it
    browser.run("open", site.url("/"))
    assert browser.run("quote", "The [1†Nile] is a major north-flowing river").ok
    assert browser.quotes[1].text == "The Nile is a major north-flowing river"


def test_quotes_not_on_the_page_too_long_duplicated_or_from_results_are_refused(make_browser):
    from webqa.search.base import SearchResult

    browser = make_browser([SearchResult("Nile", None, "The Nile is a river.", doc_id="nile")])
    browser.run("search", "nile")
    from_results = browser.run("quote", "The Nile is a river.")
    assert not from_results.ok and "open a result first" in from_results.text
    browser.run("open", "einstein")
    invented = browser.run("quote", "Einstein invented the telephone.")
    assert not invented.ok and "not on the current page" in invented.text
    too_long = browser.run("quote", "x" * 201)
    assert not too_long.ok and "the limit is 200" in too_long.text
    assert browser.run("quote", "German-born theoretical physicist").ok
    again = browser.run("quote", "German-born theoretical physicist")
    assert not again.ok and "already quoted" in again.text
    assert len(browser.quotes) == 1 and browser.actions_left == 13
