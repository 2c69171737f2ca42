"""URL lists are recognised explicitly, and a line that is not an http(s) URL names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from webqa.config import Settings
from webqa.errors import InputError
from webqa.index.sources import read_sources


@pytest.fixture
def local(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "i", allow_private_urls=True, fetch_timeout_s=2.0)


def test_a_typo_in_a_url_list_is_an_error_naming_its_line(tmp_path: Path, web, local: Settings) -> None:
    """Issue 16, finding 4: the list used to be indexed as one text document, exit 0."""
    web.add("/a", "<p>Alpha text.</p>")
    web.add("/b", "<p>Bravo text.</p>")
    urls = tmp_path / "pages.txt"
    urls.write_text(f"# my pages\n{web.url('/a')}\nhtp://{web.base[7:]}/typo\n{web.url('/b')}\n", encoding="utf-8")

    with pytest.raises(InputError, match=r"pages.txt:3: 'htp://.*/typo' is not an http\(s\) URL.*--skip-bad"):
        read_sources([str(urls)], local)
    report = read_sources([str(urls)], local, skip_bad=True)
    assert [d.text for d in report.documents] == ["Alpha text.", "Bravo text."]
    assert len(report.skipped) == 1 and report.skipped[0].startswith(f"{urls}:3: ")


def test_a_urls_file_is_a_url_list_whatever_its_lines(tmp_path: Path, web, local: Settings) -> None:
    web.add("/a", "<p>Alpha text.</p>")
    urls = tmp_path / "reading.urls"
    urls.write_text(f"{web.url('/a')}\nexample dot org\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"reading.urls:2: 'example dot org' is not an http\(s\) URL"):
        read_sources([str(urls)], local)


def test_a_text_document_that_mentions_a_url_stays_a_document(tmp_path: Path, local: Settings) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Badgers dig setts.\nSee https://example.org/badgers for more.\nThey eat worms.\n", "utf-8")
    (document,) = read_sources([str(notes)], local).documents
    assert document.title == "notes" and "Badgers dig setts." in document.text
