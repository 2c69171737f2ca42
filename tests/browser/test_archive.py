"""Web pages kept on disk: laid out again exactly as they were read, one document per page."""

from __future__ import annotations

from webqa.browser.archive import PageArchive
from webqa.browser.fetchers import WebPages


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_kept_page_comes_back_as_it_was_read_by_either_of_its_urls(site, web_settings, tmp_path):
    clock = Clock()
    archive = PageArchive(tmp_path / "pages.sqlite", max_age_s=60, clock=clock)
    read = WebPages(web_settings, archive=archive).get(site.url("/r1"))  # redirected three times to /nile
    assert read.links  # "all rivers" links home
    later = WebPages(web_settings, archive=archive)  # another process, the same file
    for url in (site.url("/r1"), site.url("/nile")):
        again = later.get(url)
        assert (again.title, again.text, again.url, again.links, again.lines) == (
            read.title, read.text, read.url, read.links, read.lines
        )  # fmt: skip
    assert later.fetches == 0
    (document,) = archive.documents()  # one page, however many URLs led to it
    assert (document.id, document.url, document.text) == (read.url, read.url, read.text)
    assert [(link["start"], link["end"]) for link in document.metadata["links"]] == [s[:2] for s in read.link_spans]

    clock.now += 61  # too old for the next process: fetched again
    last = WebPages(web_settings, archive=archive)
    assert last.get(site.url("/nile")).text == read.text and last.fetches == 1


def test_a_missing_archive_file_is_an_empty_archive(tmp_path):
    archive = PageArchive(tmp_path / "none" / "pages.sqlite", max_age_s=60)
    assert archive.get("http://127.0.0.1/x", 80) is None and archive.documents() == []
    assert not (tmp_path / "none").exists()  # reading creates nothing
