"""keep_browsed: the web pages ask and batch open (here the fixture website on 127.0.0.1, found through a
SearxNG search served by the same server) are kept on disk and added to the `browsed` index, so a later
question finds them offline and quotes them at the same offsets, with the same page hash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import webqa.browser.session
from tests.browser.website import NILE_LENGTH, serve_site
from tests.http_server import FixtureServer
from webqa.cli import main
from webqa.types import page_sha256

QUESTION = "How long is the Nile?"


@pytest.fixture
def kept(web: FixtureServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FixtureServer]:
    """The fixture site with a search engine in front of it, and every setting keep_browsed needs."""
    serve_site(web)
    web.add_json("/searx/search", {"results": [
        {"url": web.url("/nile"), "title": "Nile", "content": "The Nile is a river."},
        {"url": web.url("/amazon"), "title": "Amazon", "content": "The Amazon is a river."},
    ]})  # fmt: skip
    for name, value in {
        "INDEX_DIR": str(tmp_path / "indexes"),
        "EMBEDDING_MODEL": "hashing:256",  # deterministic vectors, no model
        "SHORT_ANSWER_SCORING": "heuristic",
        "ABSTAIN_BELOW": "0.1",
        "SEARXNG_URL": web.url("/searx"),
        "ALLOW_PRIVATE_URLS": "true",  # the site is on 127.0.0.1
        "KEEP_BROWSED": "1",
    }.items():
        monkeypatch.setenv(f"WEBQA_{name}", value)
    webqa.browser.session.forget_shared_web_pages()
    yield web
    webqa.browser.session.forget_shared_web_pages()


def ask(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[dict, str]:
    assert main(["ask", QUESTION, "--json", *args]) == 0
    out, err = capsys.readouterr()
    return json.loads(out), err


def nile_citation(record: dict, url: str) -> dict:
    (citation,) = [c for c in record["citations"] if c["url"] == url and NILE_LENGTH in c["quote"]]
    return citation


def a_new_process() -> None:
    """What a fresh `webqa` process starts with: no page in memory."""
    webqa.browser.session.forget_shared_web_pages()


def test_pages_opened_on_the_web_are_found_and_quoted_offline_at_the_same_offsets(kept, capsys, monkeypatch):
    nile = kept.url("/nile")
    on_the_web, err = ask(capsys, "--backend", "searxng")
    first = nile_citation(on_the_web, nile)
    assert first["doc_id"] is None  # quoted from the web page itself
    assert "browsed pages: index 'browsed' holds 2 (2 new, 0 changed); ask with --index browsed" in err

    assert main(["index", "info", "browsed", "--documents", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["document_count"] == 2
    assert {(d["id"], d["title"]) for d in info["documents"]} == {(nile, "Nile"), (kept.url("/amazon"), "Amazon")}

    kept.routes.clear()  # the website is gone: nothing below may reach it
    seen = len(kept.requests)
    a_new_process()
    offline, err = ask(capsys, "--index", "browsed")  # the local backend, over the browsed index
    again = nile_citation(offline, nile)
    assert again["doc_id"] == nile  # a local document now, whose id is its URL
    assert (again["quote"], again["start"], again["end"]) == (first["quote"], first["start"], first["end"])
    assert again["page_sha256"] == first["page_sha256"] is not None
    assert len(kept.requests) == seen
    assert "holds 2 (0 new, 0 changed)" in err  # nothing new was browsed: nothing embedded again


def test_the_page_cache_outlives_the_process_until_its_pages_are_too_old(kept, capsys, monkeypatch):
    nile = kept.url("/nile")
    first = nile_citation(ask(capsys, "--backend", "searxng")[0], nile)
    fetches = [path for path in kept.requests if path == "/nile"]
    assert len(fetches) == 1

    a_new_process()
    cached = nile_citation(ask(capsys, "--backend", "searxng")[0], nile)
    assert [path for path in kept.requests if path == "/nile"] == fetches  # served from disk, not fetched
    assert cached == first

    # Too old to serve: fetched again, and the page changed in the meantime; the index follows it.
    changed = kept.routes["/nile"].body.replace(b"6,650 km", b"6,695 km")
    kept.add("/nile", changed)
    monkeypatch.setenv("WEBQA_PAGE_CACHE_MAX_AGE_S", "0")
    a_new_process()
    record, err = ask(capsys, "--backend", "searxng")
    assert [path for path in kept.requests if path == "/nile"] == fetches * 2
    fresh = next(c for c in record["citations"] if c["url"] == nile and "6,695 km" in c["quote"])
    assert fresh["page_sha256"] != first["page_sha256"]
    assert "holds 2 (0 new, 1 changed)" in err


def test_batch_keeps_the_pages_of_every_question(kept, capsys, tmp_path):
    questions = tmp_path / "questions.jsonl"
    lines = [{"id": "q1", "question": QUESTION}, {"id": "q2", "question": "Where is the Amazon?"}]
    questions.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    answers = tmp_path / "answers.jsonl"
    assert main(["batch", str(questions), "--out", str(answers), "--backend", "searxng", "-q"]) == 0
    assert "browsed pages: index 'browsed' holds 2 (2 new, 0 changed)" in capsys.readouterr().err
    for line in answers.read_text(encoding="utf-8").splitlines():
        for citation in json.loads(line)["citations"]:
            document = _browsed_document(citation["url"])
            text = document["text"]
            assert text[citation["start"] : citation["end"]] == citation["quote"]
            assert page_sha256(text) == citation["page_sha256"]


def _browsed_document(url: str) -> dict:
    from webqa.config import load_settings
    from webqa.index import open_index

    index = open_index("browsed", load_settings())
    try:
        document = index.get_document(url)
    finally:
        index.close()
    assert document is not None, url
    return {"text": document.text}


def test_without_the_setting_nothing_is_kept(kept, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("WEBQA_KEEP_BROWSED", "0")
    _, err = ask(capsys, "--backend", "searxng")
    assert "browsed pages" not in err
    assert not (tmp_path / "indexes" / "browsed").exists()
