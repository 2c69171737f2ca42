"""The planned policy: search, open, quote the best sentences, then follow the entities they introduce."""

from tests.agent.conftest import browser_for
from tests.conftest import write_corpus
from webqa.agent.loop import Budgets, run_agent
from webqa.agent.planned import PlannedPolicy, titled
from webqa.answer.relevance import Relevance
from webqa.index import build_index, open_index
from webqa.types import Document


def test_quotes_the_sentence_that_answers(sample_index, embedder):
    browser = browser_for(sample_index)
    policy = PlannedPolicy(Relevance(embedder), open_k=2, quotes_per_page=1, hops=0)
    run = run_agent("Where did Lothair II die?", policy, browser, Budgets(60, 4000))
    assert run.stopped_by == "answer"
    assert [s.command for s in run.trace.steps][:2] == ["search", "open"]
    assert any(q.text == "He died in Piacenza on 8 August 869." for q in browser.quotes)
    for quote in browser.quotes:  # every quote is an exact span of its document
        assert sample_index.get_document(quote.doc_id).text[quote.start : quote.end] == quote.text


def test_a_second_hop_searches_the_entity_the_first_quotes_introduce(hotpot_index, embedder):
    browser = browser_for(hotpot_index)
    policy = PlannedPolicy(Relevance(embedder), open_k=1, quotes_per_page=2, hops=1)
    question = "What government position was held by the actress who starred in Kiss and Tell?"
    run_agent(question, policy, browser, Budgets(60, 4000))
    searches = [s.argument for s in browser.steps if s.command == "search"]
    assert searches[:2] == [question, "Shirley Temple"]  # multi-word names first
    # The bridge page is read (the answerer reads every sentence of it) and quoted once.
    assert "Shirley Temple" in [page.title for page in browser.pages_read]
    assert sum(q.title == "Shirley Temple" for q in browser.quotes) == 1
    assert browser.ended_by == "answer" and browser.actions_left > 0


def test_it_stays_within_the_step_budget(hotpot_index, embedder):
    browser = browser_for(hotpot_index, budget=4)
    policy = PlannedPolicy(Relevance(embedder), open_k=3, quotes_per_page=2, hops=2)
    run = run_agent("Kiss and Tell Shirley Temple Corliss Archer", policy, browser, Budgets(60, 4000))
    assert run.stopped_by == "budget" and len(browser.steps) == 4


def test_a_comparison_opens_the_page_of_each_thing_it_compares(tmp_path, settings, embedder):
    documents = [
        Document("Old Dogs (film)", "Old Dogs (film)", "Old Dogs is a 2009 American family comedy film."),
        Document("Make Mine Music", "Make Mine Music", "Make Mine Music is a 1946 American animated film."),
        Document("Family comedy", "Family comedy", "A family comedy film is released for children, more recently."),
    ]
    question = "Which film was released more recently, Make Mine Music or Old Dogs?"
    read, searches = _browse_corpus(tmp_path, settings, embedder, documents, question, hops=0)
    assert {"Make Mine Music", "Old Dogs (film)"} <= set(read)
    # Only the option the question's own search left unread is searched for.
    assert len(searches) == 2 and searches[1] in ("Make Mine Music", "Old Dogs")
    assert read[0] != {"Make Mine Music": "Make Mine Music", "Old Dogs": "Old Dogs (film)"}[searches[1]]


def test_a_bridge_is_a_page_some_name_titles_and_no_other_result_is_opened(tmp_path, settings, embedder):
    documents = [
        Document(
            "Sachin Warrier",
            "Sachin Warrier",
            "Sachin Warrier is a playback singer. He worked as a software "
            "engineer at Tata Consultancy Services in Kochi and joined the Indian Software Guild.",
        ),
        Document(
            "Tata Consultancy Services",
            "Tata Consultancy Services",
            "Tata Consultancy Services is an Indian company headquartered in Mumbai.",
        ),
        Document("Software guilds", "Software guilds", "An Indian software guild is a society of software people."),
    ]
    question = "Where is the company that Sachin Warrier worked for as a software engineer headquartered?"
    read, searches = _browse_corpus(tmp_path, settings, embedder, documents, question, hops=1)
    # "Indian Software Guild" was looked for, but no result is titled with it, so nothing was opened.
    assert "Indian Software Guild" in searches
    assert read == ["Sachin Warrier", "Tata Consultancy Services"]


def test_a_title_names_a_bridge_as_encyclopaedias_and_the_web_write_it():
    assert titled("Mercury (planet)", "mercury")
    assert titled("Southaven, Mississippi", "southaven")
    assert titled("Lee Hazlewood - Wikipedia", "lee hazlewood")
    assert titled("Bill Clinton", "united states president bill clinton's")  # a longer name that holds it
    assert not titled("United States", "united")
    assert not titled("India", "india's prime minister")  # one word inside a longer name is too weak


def _browse_corpus(tmp_path, settings, embedder, documents, question, hops):
    """Index `documents`, browse `question` with the planned policy (one result a search, one quote a page):
    the titles of the pages read and the searches run, in order."""
    build_index("corpus", [str(write_corpus(tmp_path / "corpus.jsonl", documents))], settings, embedder=embedder)
    index = open_index("corpus", settings, embedder=embedder)
    try:
        browser = browser_for(index)
        policy = PlannedPolicy(Relevance(embedder), open_k=1, quotes_per_page=1, hops=hops)
        run_agent(question, policy, browser, Budgets(60, 4000))
        searches = [step.argument for step in browser.steps if step.command == "search"]
        return [page.title for page in browser.pages_read], searches
    finally:
        index.close()
