"""Every browser command, valid and invalid, and the budget."""

import json

from webqa.search.base import SearchResult
from webqa.trace import BrowsingTrace

RESULTS = [
    SearchResult("Nile", None, "The Nile is a major north-flowing river.", doc_id="nile", source="scripted"),
    SearchResult("Mount Everest", "https://example.org/everest", "Earth's highest mountain.", doc_id="everest"),
]


def test_search_lists_numbered_results_with_sources(make_browser):
    browser = make_browser(RESULTS)
    observation = browser.run("search", "longest river")
    assert observation.ok and not observation.done
    lines = observation.text.splitlines()
    assert lines[0] == "Search results: 'longest river' (scripted)"
    assert "L1: 1. [1†Nile] (doc:nile)" in lines
    assert "L3: 2. [2†Mount Everest] (https://example.org/everest)" in lines
    assert lines[-1] == "[Quotes: 0 · Actions left: 19]"
    assert browser.search_backend.queries == ["longest river"]


def test_search_without_results_or_query(make_browser):
    browser = make_browser([])
    assert browser.run("search", "nothing").text.startswith("No results for 'nothing' (scripted).")
    refused = browser.run("search", "  ")
    assert not refused.ok and refused.text.startswith("Refused search: give something to search for.")


def test_open_a_result_number_then_go_back(make_browser):
    browser = make_browser(RESULTS)
    browser.run("search", "river")
    opened = browser.run("open", "1")
    assert opened.ok
    assert opened.text.splitlines()[:2] == ["Page: Nile", "Source: doc:nile"]
    assert browser.page.doc_id == "nile"
    back = browser.run("back")
    assert back.ok and back.text.startswith("Search results:")
    assert not browser.run("back").ok  # nothing before the results page


def test_open_by_document_id_url_and_invalid_targets(make_browser, site):
    browser = make_browser()
    assert browser.run("open", "everest").text.startswith("Page: Mount Everest")
    assert browser.run("open", "doc:lothair").text.startswith("Page: Lothair II")
    assert browser.run("open", site.url("/amazon")).text.startswith("Page: Amazon")
    missing = browser.run("open", "no-such-doc")
    assert not missing.ok and "No document 'no-such-doc'" in missing.text
    assert not browser.run("open", "").ok
    bad_link = browser.run("open", "9")
    assert not bad_link.ok and "there is no link 9" in bad_link.text


def test_find_jumps_to_matches_and_wraps_once(make_browser, site):
    browser = make_browser()
    browser.run("open", site.url("/long"))
    first = browser.run("find", "topic 3")
    assert first.ok and first.text.startswith("Match 1 of 17 for 'topic 3'")
    position = browser.position
    second = browser.run("find", "topic 3")
    assert second.text.startswith("Match 2 of 17") and browser.position > position
    for _ in range(15):
        browser.run("find", "topic 3")
    wrapped = browser.run("find", "topic 3")
    assert wrapped.text.startswith("Match 1 of 17")
    missing = browser.run("find", "zebra")
    assert not missing.ok and "'zebra' is not on this page" in missing.text


def test_scroll_top_and_the_window(make_browser, site):
    browser = make_browser()
    opened = browser.run("open", site.url("/long"))
    assert "Lines 1-5 of 120 (scroll down for more)" in opened.text
    assert "L1: Paragraph 1 says something about topic 1." in opened.text
    down = browser.run("scroll", "down")
    assert "Lines 6-10 of 120" in down.text and "L6: Paragraph 6" in down.text
    assert "Lines 1-5 of 120" in browser.run("scroll", "up").text
    refused = browser.run("scroll", "up")
    assert not refused.ok and "already at the top" in refused.text
    assert not browser.run("scroll", "sideways").ok
    browser.run("scroll", "down")
    assert "Lines 1-5" in browser.run("top").text


def test_scroll_down_stops_at_the_end(make_browser):
    browser = make_browser()
    browser.run("open", "einstein")
    refused = browser.run("scroll", "down")
    assert not refused.ok and "already at the end" in refused.text


def test_commands_that_need_a_page(make_browser):
    browser = make_browser()
    for command, argument in (("find", "x"), ("quote", "x"), ("scroll", "down"), ("top", "")):
        observation = browser.run(command, argument)
        assert not observation.ok and "no page is open" in observation.text


def test_unknown_commands_are_refused_and_count(make_browser):
    browser = make_browser(budget=5)
    observation = browser.run("teleport", "mars")
    assert not observation.ok
    assert observation.text.startswith("Refused teleport: Unknown command 'teleport'. Commands: search, open,")
    assert browser.actions_left == 4


def test_budget_exhaustion_ends_the_session(make_browser):
    browser = make_browser(RESULTS, budget=2)
    browser.run("search", "river")
    last = browser.run("open", "1")
    assert last.done and browser.ended_by == "budget"
    assert "No actions left: the session ends here." in last.text
    after = browser.run("open", "2")
    assert not after.ok and after.done and "session has ended (budget)" in after.text
    assert browser.actions_left == 0


def test_answer_and_unanswerable_end_the_session(make_browser):
    browser = make_browser()
    assert not browser.run("unanswerable", "").ok  # needs a reason
    ended = browser.run("unanswerable", "the index has nothing on this")
    assert ended.done and browser.ended_by == "unanswerable" and browser.reason == "the index has nothing on this"
    other = make_browser()
    assert other.run("answer").done and other.ended_by == "answer"
    assert not other.run("search", "more").ok


def test_the_session_serialises_to_json(make_browser):
    browser = make_browser(RESULTS)
    browser.run("search", "river")
    browser.run("open", "1")
    browser.run("quote", "The Nile is a major north-flowing river")
    browser.run("fly")
    data = json.loads(json.dumps(BrowsingTrace.of(browser).to_dict()))
    assert [s["command"] for s in data["steps"]] == ["search", "open", "quote", "fly"]
    assert [s["ok"] for s in data["steps"]] == [True, True, True, False]
    assert data["quotes"][0]["doc_id"] == "nile" and data["actions_left"] == 16
    assert data["page"]["title"] == "Nile"
    assert all(s["observation"].endswith("]") for s in data["steps"])
