"""`webqa verify`: every cited page re-opened after its source changed; each quote unchanged, moved or gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.http_server import FixtureServer
from webqa.cli import main
from webqa.config import load_settings
from webqa.index import open_index
from webqa.types import page_sha256
from webqa.verify import CitedQuote, PageOpener, check

PAGES = {
    "einstein": ["Albert Einstein was a German-born theoretical physicist.", "He developed the theory of relativity."],
    "nile": ["The Nile is a major north-flowing river in northeastern Africa.", "It flows into the Mediterranean Sea."],
    "everest": ["Mount Everest is Earth's highest mountain above sea level.", "Its summit is 8,849 metres high."],
}
EDITED = "He developed the theory of relativity."  # the page will say "general relativity"
MOVED = "It flows into the Mediterranean Sea."  # a paragraph will be added before it


def write_site(folder: Path, pages: dict[str, list[str]]) -> None:
    folder.mkdir(exist_ok=True)
    for name, paragraphs in pages.items():
        body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
        html = f"<html><head><title>{name.title()}</title></head><body>\n{body}</body></html>\n"
        (folder / f"{name}.html").write_text(html, encoding="utf-8")


def build(folder: Path) -> None:
    assert main(["index", "build", folder.name, "--name", "kb", "-q"]) == 0


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local HTML corpus indexed as "kb" (the default index); the tests run in tmp_path."""
    monkeypatch.setenv("WEBQA_INDEX_DIR", str(tmp_path / "indexes"))
    monkeypatch.setenv("WEBQA_EMBEDDING_MODEL", "hashing:256")
    monkeypatch.setenv("WEBQA_DEFAULT_INDEX", "kb")
    monkeypatch.setenv("WEBQA_SHORT_ANSWER_SCORING", "heuristic")
    write_site(tmp_path / "site", PAGES)
    build(tmp_path / "site")
    return tmp_path / "site"


def citation(n: int, name: str, text: str) -> dict:
    """A citation as the answers file records it, taken from the document as the index stores it now."""
    index = open_index("kb", load_settings())
    try:
        document = index.get_document(f"site/{name}.html")
    finally:
        index.close()
    assert document is not None
    start = document.text.index(text)
    return {"n": n, "doc_id": document.id, "title": document.title, "url": document.url, "quote": text,
            "start": start, "end": start + len(text), "page_sha256": page_sha256(document.text)}  # fmt: skip


def write_answers(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_an_edited_quote_is_gone_a_moved_one_has_new_offsets_the_rest_unchanged(
    site: Path, capsys: pytest.CaptureFixture[str]
):
    answers = write_answers(
        site.parent / "answers.jsonl",
        [
            {"id": "q1", "answer": "...", "citations": [citation(1, "einstein", EDITED), citation(2, "nile", MOVED)]},
            {"id": "c1", "turns": [{"citations": [citation(1, "everest", PAGES["everest"][1])]}, {"citations": []}]},
            {"id": "q3", "citations": [], "error": "the question could not be answered"},
        ],
    )
    assert main(["verify", str(answers)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "3 citations in 2 answers: 3 unchanged, 0 moved, 0 gone"

    edited = {**PAGES, "einstein": [PAGES["einstein"][0], "He developed the theory of general relativity."]}
    edited["nile"] = ["The Nile has been the lifeline of Egypt since ancient times.", *PAGES["nile"]]
    write_site(site, edited)
    build(site)
    capsys.readouterr()
    assert main(["verify", str(answers)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("gone       line 1 [1] doc:site/einstein.html ") and "no longer on the page" in lines[0]
    assert lines[1].startswith("moved      line 1 [2] doc:site/nile.html ")
    assert lines[2].startswith("unchanged  line 2 turn 1 [1] doc:site/everest.html ")
    assert lines[3] == "3 citations in 2 answers: 1 unchanged, 1 moved, 1 gone"

    assert main(["verify", str(answers), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["counts"] == {"unchanged": 1, "moved": 1, "gone": 1} and result["answers"] == 2
    gone, moved, unchanged = result["citations"]
    assert (gone["status"], gone["now_start"], gone["page_changed"]) == ("gone", None, True)
    now = citation(2, "nile", MOVED)
    assert (moved["now_start"], moved["now_end"]) == (now["start"], now["end"]) and moved["start"] < now["start"]
    assert (unchanged["status"], unchanged["page_changed"], unchanged["turn"]) == ("unchanged", False, 1)


def test_a_document_no_longer_in_the_index_is_gone_with_the_reason(site: Path, capsys: pytest.CaptureFixture[str]):
    answers = write_answers(site.parent / "answers.jsonl", [{"id": "q", "citations": [citation(1, "nile", MOVED)]}])
    (site / "nile.html").unlink()
    build(site)
    capsys.readouterr()
    assert main(["verify", str(answers)]) == 1
    out = capsys.readouterr().out
    assert "No document 'site/nile.html' in index 'kb'" in out and out.endswith("0 unchanged, 0 moved, 1 gone\n")


def test_an_answer_from_ask_json_carries_page_hashes_and_verifies(site: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["ask", "How high is the summit of Mount Everest?", "--json"]) == 0
    printed = capsys.readouterr().out
    record = json.loads(printed)
    assert record["citations"] and all("page_sha256" in c for c in record["citations"])
    answer = site.parent / "answer.json"
    answer.write_text(printed, encoding="utf-8")  # indented, as `ask --json` prints it
    assert main(["verify", str(answer)]) == 0
    assert " 0 moved, 0 gone" in capsys.readouterr().out


def test_a_web_page_is_fetched_again(web: FixtureServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("WEBQA_ALLOW_PRIVATE_URLS", "true")  # the fixture server is on 127.0.0.1
    web.add("/page", "<html><head><title>P</title></head><body><p>Alpha beta gamma.</p><p>Delta.</p></body></html>")
    url = web.url("/page")
    opener = PageOpener(load_settings())
    try:
        text = opener(CitedQuote(1, None, None, 1, None, url, "", 0, 0, None))
    finally:
        opener.close()
    start = text.index("Delta.")
    cited = {"n": 1, "doc_id": None, "title": "P", "url": url, "quote": "Delta.", "start": start, "end": start + 6}
    answers = write_answers(tmp_path / "answers.jsonl", [{"id": "w", "citations": [cited]}])  # no page hash: older
    web.add("/page", "<html><head><title>P</title></head><body><p>Delta.</p><p>Alpha beta gamma.</p></body></html>")
    assert main(["verify", str(answers)]) == 0
    web.add("/page", "gone", status=404, content_type="text/plain")
    assert main(["verify", str(answers)]) == 1


def test_the_quote_decides_when_no_hash_was_recorded():
    cited = CitedQuote(1, "q", None, 1, "d", None, "two", 4, 7, None)
    assert (check(cited, "one two three").status, check(cited, "one two three").page_changed) == ("unchanged", None)
    assert (check(cited, "zero one two").start, check(cited, "two, one two").start) == (9, 0)  # the nearest copy
    stale = CitedQuote(1, "q", None, 1, "d", None, "two", 4, 7, page_sha256("one two three"))
    assert check(stale, "one two three!").page_changed is True


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"id": "a", "citations": [{"n": 1, "doc_id": "d"}]}\n', "a citation has no 'quote'"),
        ('{"id": "a", "citations": [{"n": 1, "quote": "x", "start": 0, "end": 1}]}\n', "names neither a doc_id"),
        ('{"id": "a"}\n{"id": \n', "line 2: not valid JSON"),
    ],
)
def test_a_file_that_is_not_an_answers_file_is_one_line_of_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, problem: str
):
    path = tmp_path / "answers.jsonl"
    path.write_text(content, encoding="utf-8")
    assert main(["verify", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and problem in err and err.count("\n") == 1
    assert main(["verify", str(tmp_path / "none.jsonl")]) == 2
