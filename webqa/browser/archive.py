"""Web pages the browser opened, kept on disk (setting keep_browsed): a page cache that outlives the
process, and the corpus of the `browsed` index.

A page is stored as the browser read it (title, text, link offsets), never re-extracted, so a document
made from it has the very text its quotes index into, and the same page_sha256. One SQLite file, opened
per call: batch workers in several processes add pages to it at once."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from webqa.browser.page import Page, make_page
from webqa.errors import WebqaError
from webqa.index.layout import index_root
from webqa.types import Document
from webqa.web.html import LinkSpan

if TYPE_CHECKING:
    from webqa.config import Settings

ARCHIVE_FILE = "pages.sqlite"  # inside the browsed index's folder: removing the index forgets its pages
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,   -- as it was asked for; page.url is where it ended up (after redirects)
    page TEXT NOT NULL,     -- title, text, url, link spans, hidden characters: JSON
    fetched_at REAL NOT NULL
)"""


class PageArchive:
    def __init__(self, path: Path, max_age_s: float, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.max_age_s = max_age_s
        self.clock = clock

    def get(self, url: str, width: int) -> Page | None:
        """The kept page for `url`, laid out `width` wide, unless it is older than max_age_s."""
        if not self.path.is_file():
            return None
        rows = self._run("SELECT page, fetched_at FROM pages WHERE url = ?", (url,))
        if not rows or self.clock() - rows[0][1] > self.max_age_s:
            return None
        return _page(json.loads(rows[0][0]), width)

    def put(self, url: str, page: Page) -> None:
        self._run(
            "INSERT OR REPLACE INTO pages (url, page, fetched_at) VALUES (?, ?, ?)",
            (url, json.dumps(_record(page), ensure_ascii=False), self.clock()),
        )

    def documents(self) -> list[Document]:
        """One document per page (a page reached by two URLs once), the latest fetch of each, oldest first."""
        if not self.path.is_file():
            return []
        latest: dict[str, Document] = {}
        for (data,) in self._run("SELECT page FROM pages ORDER BY fetched_at, url"):
            record = json.loads(data)
            latest.pop(record["url"], None)  # re-inserted: a page fetched again moves to the end
            latest[record["url"]] = _document(record)
        return list(latest.values())

    def _run(self, sql: str, parameters: tuple[object, ...] = ()) -> list[tuple]:
        """The rows of one statement, committed, on a connection of its own."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(self.path, timeout=30.0)) as db, db:
                db.execute(_SCHEMA)
                return db.execute(sql, parameters).fetchall()
        except (OSError, sqlite3.Error) as exc:
            raise WebqaError(
                f"Cannot use the kept web pages in {self.path} ({exc}). Check the folder (WEBQA_INDEX_DIR), "
                "or turn WEBQA_KEEP_BROWSED off."
            ) from None


def browsed_archive(settings: Settings) -> PageArchive:
    """The archive of the index settings.browsed_index."""
    folder = index_root(settings.index_dir, settings.browsed_index)
    return PageArchive(folder / ARCHIVE_FILE, settings.page_cache_max_age_s)


def _record(page: Page) -> dict[str, object]:
    return {
        "title": page.title,
        "text": page.text,
        "url": page.url,
        "hidden_chars": page.hidden_chars,
        "links": [list(span) for span in page.link_spans],
    }


def _page(record: dict, width: int) -> Page:
    spans = [(LinkSpan(start, end, href), href) for start, end, href in record["links"]]
    return make_page(
        record["title"],
        record["text"],
        url=record["url"],
        kind="web",
        spans=spans,
        width=width,
        hidden_chars=record["hidden_chars"],
    )


def _document(record: dict) -> Document:
    """The page as a corpus document, in the shape LocalDocuments opens back into the same page. Its id is
    its URL; nothing that changes between fetches of the same text (the time) goes into it, so an
    unchanged page is not embedded again."""
    links = [{"start": start, "end": end, "href": href} for start, end, href in record["links"]]
    return Document(
        record["url"],
        record["title"],
        record["text"],
        record["url"],
        {"links": links, "hidden_chars": record["hidden_chars"], "source": "browsed"},
    )
