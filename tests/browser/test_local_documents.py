"""Local documents open by id, and links between local HTML files lead to the linked document."""

from webqa.browser.env import Browser
from webqa.browser.fetchers import LocalDocuments
from webqa.index import build_index, open_index
from webqa.search.local import LocalSearch


def test_links_between_local_html_documents(tmp_path, settings, embedder):
    site = tmp_path / "handbook"
    site.mkdir()
    (site / "index.html").write_text(
        '<html><head><title>Handbook</title></head><body><p>Start with <a href="setup.html">the setup guide</a>'
        ' or read <a href="https://example.org/faq">the FAQ</a>.</p></body></html>',
        encoding="utf-8",
    )
    (site / "setup.html").write_text(
        "<html><head><title>Setup</title></head><body><p>Install the tool with make install.</p>"
        '<p><a href="index.html#top">Back</a></p></body></html>',
        encoding="utf-8",
    )
    build_index("handbook", [str(site)], settings, embedder=embedder, progress=False)
    index = open_index("handbook", settings, embedder=embedder)
    browser = Browser(search_backend=LocalSearch(index), local=LocalDocuments(index))

    page = browser.run("open", "handbook/index.html")
    assert "Start with [1†the setup guide] or read [2†the FAQ]." in page.text
    assert [link.target for link in browser.page.links] == ["doc:handbook/setup.html", "https://example.org/faq"]
    setup = browser.run("open", "1")
    assert setup.text.startswith("Page: Setup") and browser.page.doc_id == "handbook/setup.html"
    assert browser.page.links[0].target == "doc:handbook/index.html"
    assert browser.run("quote", "Install the tool with make install.").ok
    assert browser.quotes[0].doc_id == "handbook/setup.html"


def test_local_search_gives_one_result_per_document(corpus, settings, embedder):
    build_index(
        "kb",
        [str(corpus)],
        settings.model_copy(update={"chunk_chars": 100, "chunk_overlap_chars": 0}),
        embedder=embedder,
        progress=False,
    )
    index = open_index("kb", settings.model_copy(update={"chunk_chars": 100}), embedder=embedder)
    results = LocalSearch(index).search("Einstein physicist relativity Nobel Prize physics", 3)
    assert results[0].doc_id == "einstein" and results[0].source == "local"
    assert len({r.doc_id for r in results}) == len(results) == 3
    assert LocalSearch(index).search("   ", 3) == []
