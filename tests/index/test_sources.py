import gzip
import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DOCUMENTS, write_corpus
from webqa.config import Settings
from webqa.errors import InputError
from webqa.index.sources import read_sources


def test_reads_corpus_jsonl_and_gzipped_jsonl(tmp_path: Path, settings: Settings):
    plain = write_corpus(tmp_path / "a.jsonl")
    packed = tmp_path / "b.jsonl.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": 7, "title": "Seven", "text": "Seven is a number.", "metadata": {"k": 1}}))
    report = read_sources([str(plain), str(packed)], settings)
    assert [d.id for d in report.documents] == [d.id for d in SAMPLE_DOCUMENTS] + ["7"]
    assert report.documents[0] == SAMPLE_DOCUMENTS[0]
    assert report.documents[-1].metadata == {"k": 1}


def test_reads_a_folder_of_text_markdown_and_html(tmp_path: Path, settings: Settings):
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    (folder / "plain_notes.txt").write_text("Plain text about otters.", encoding="utf-8")
    (folder / "sub" / "guide.md").write_text("# The Guide\n\nMarkdown about beavers.", encoding="utf-8")
    (folder / "page.html").write_text(
        "<html><head><title>Badgers</title><style>.x{color:red}</style></head><body>"
        "<nav>Home | About</nav><script>alert('hi')</script><p>Badgers dig setts.</p>"
        "<p>They eat worms.</p><footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )
    (folder / "image.png").write_bytes(b"\x89PNG")  # ignored: not a document type
    docs = {d.id: d for d in read_sources([str(folder)], settings).documents}
    assert set(docs) == {"notes/plain_notes.txt", "notes/sub/guide.md", "notes/page.html"}
    assert docs["notes/plain_notes.txt"].title == "plain notes"
    assert docs["notes/sub/guide.md"].title == "The Guide"
    html = docs["notes/page.html"]
    assert html.title == "Badgers"
    assert html.text == "Badgers dig setts.\nThey eat worms."
    assert html.url and html.url.startswith("file://")


def test_reads_a_list_of_urls_from_a_local_server(tmp_path: Path, web):
    web.add("/a", "<html><head><title>Page A</title></head><body><p>Alpha text.</p></body></html>")
    web.add("/b.txt", "Bravo plain text.", content_type="text/plain; charset=utf-8")
    web.redirect("/old", "/a")
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# pages to index\n{web.url('/old')}\n\n{web.url('/b.txt')}\n", encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "i", allow_private_urls=True)
    docs = read_sources([str(urls)], settings).documents
    assert [(d.id, d.title, d.text, d.url) for d in docs] == [
        (web.url("/old"), "Page A", "Alpha text.", web.url("/a")),
        (web.url("/b.txt"), "b.txt", "Bravo plain text.", web.url("/b.txt")),
    ]


def test_url_list_refuses_loopback_unless_allowed(tmp_path: Path, web, settings: Settings):
    web.add("/a", "<p>hello</p>")
    urls = tmp_path / "urls.txt"
    urls.write_text(web.url("/a") + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"urls.txt:1: Refused .*WEBQA_ALLOW_PRIVATE_URLS"):
        read_sources([str(urls)], settings)
    assert web.requests == []


def test_unreachable_and_non_text_urls_name_their_line(tmp_path: Path, web):
    web.add("/bin", b"\x00\x01", content_type="application/octet-stream")
    web.add("/ok", "<p>Fine page.</p>")
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{web.url('/missing')}\n{web.url('/bin')}\n{web.url('/ok')}\n", encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "i", allow_private_urls=True)
    with pytest.raises(InputError, match=r"urls.txt:1: .*HTTP 404"):
        read_sources([str(urls)], settings)
    report = read_sources([str(urls)], settings, skip_bad=True)
    assert [d.text for d in report.documents] == ["Fine page."]
    assert len(report.skipped) == 2 and "application/octet-stream" in report.skipped[1]


def test_malformed_jsonl_names_file_and_line_and_can_be_skipped(tmp_path: Path, settings: Settings):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"id": "a", "title": "A", "text": "Fine."}\n'
        "{not json\n"
        '{"id": "c", "title": "C"}\n'
        '{"id": "d", "title": "D", "text": "   "}\n'
        '{"id": "a", "title": "A again", "text": "Duplicate."}\n'
        '{"id": "e", "title": "E", "text": "Also fine."}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"bad.jsonl:2: not valid JSON \(use --skip-bad"):
        read_sources([str(path)], settings)
    report = read_sources([str(path)], settings, skip_bad=True)
    assert [d.id for d in report.documents] == ["a", "e"]
    assert [m.split(": ", 1)[0].rsplit(":", 1)[1] for m in report.skipped] == ["2", "3", "4", "5"]
    assert "text: Field required" in report.skipped[1]
    assert "has no text" in report.skipped[2]
    assert "duplicate document id 'a'" in report.skipped[3]


def test_missing_empty_and_unsupported_sources(tmp_path: Path, settings: Settings):
    with pytest.raises(InputError, match="Source not found: .*nope.jsonl"):
        read_sources([str(tmp_path / "nope.jsonl")], settings)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="No documents found"):
        read_sources([str(empty)], settings)
    (tmp_path / "emptydir").mkdir()
    with pytest.raises(InputError, match="No documents found"):
        read_sources([str(tmp_path / "emptydir")], settings)
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError, match="unsupported file type"):
        read_sources([str(pdf)], settings)


def test_a_corrupt_gzip_file_is_a_clear_error(tmp_path: Path, settings: Settings):
    path = tmp_path / "broken.jsonl.gz"
    path.write_bytes(b"this is not gzip")
    with pytest.raises(InputError, match="Cannot read .*broken.jsonl.gz"):
        read_sources([str(path)], settings)


def test_the_bundled_corpus_is_complete_and_well_formed(settings: Settings):
    corpus = Path(__file__).resolve().parents[2] / "webqa" / "data" / "wikipedia-vital.jsonl.gz"
    docs = read_sources([str(corpus)], settings).documents
    assert len(docs) == 10_033
    assert all(d.text and d.title and d.url and d.url.startswith("https://en.wikipedia.org/wiki/") for d in docs)
    assert (corpus.parent / "ATTRIBUTION.md").read_text().count("CC BY-SA 4.0") >= 1
