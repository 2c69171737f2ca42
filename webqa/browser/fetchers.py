"""Page fetchers: local documents from an index's store, and http(s) pages through a cache."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

from webqa.browser.page import Page, make_page
from webqa.errors import FetchError
from webqa.web.fetch import FetchedPage, fetch
from webqa.web.html import LinkSpan, extract
from webqa.web.transport import guarded_client

if TYPE_CHECKING:
    import httpx

    from webqa.browser.archive import PageArchive
    from webqa.config import Settings
    from webqa.index.search import Index


class PageFetcher(Protocol):
    def get(self, target: str) -> Page:
        """The page at target; FetchError when it cannot be had (the browser shows why)."""
        ...


class LocalDocuments:
    """Documents of a built index, by id. Links between local HTML files lead to the linked document."""

    def __init__(self, index: Index, line_chars: int = 120) -> None:
        self.index = index
        self.line_chars = line_chars

    def get(self, doc_id: str) -> Page:
        document = self.index.get_document(doc_id)
        if document is None:
            raise FetchError(f"No document '{doc_id}' in index '{self.index.name}'.")
        spans = [
            (LinkSpan(link["start"], link["end"], link["href"]), self._target(link["href"]))
            for link in document.metadata.get("links", [])
        ]
        return make_page(
            document.title,
            document.text,
            url=document.url,
            doc_id=document.id,
            spans=spans,
            width=self.line_chars,
            hidden_chars=int(document.metadata.get("hidden_chars", 0)),
        )

    def _target(self, href: str) -> str:
        linked = self.index.store.find_by_url(href.split("#", 1)[0])
        return f"doc:{linked.id}" if linked is not None else href


class WebPages:
    """http(s) pages via webqa.web.fetch (SSRF guard, size cap, redirects), cached by URL and content.

    One instance serves every thread of a server: the cache is read and changed under a lock, and the
    fetch runs outside it (two threads asking for the same new page may both fetch it)."""

    def __init__(
        self, settings: Settings, client: httpx.Client | None = None, archive: PageArchive | None = None
    ) -> None:
        self.settings = settings
        # Pages kept on disk (keep_browsed): served from there while fresh, every fetched page added to it.
        # Not for `webqa verify` or URL-list builds, which must see the page as it is now.
        self.archive = archive
        # One client for every page: connections and TLS sessions are reused across fetches. Its transport
        # connects to the addresses the SSRF guard checked and holds each fetch to its deadline.
        self.client = client or guarded_client(settings.fetch_timeout_s, settings.user_agent)
        self._by_url: OrderedDict[str, Page] = OrderedDict()
        self._by_content: dict[str, Page] = {}
        self._lock = threading.Lock()  # another thread may evict a page between finding and returning it
        self.fetches = 0  # network fetches made; the cache exists to keep this low

    def get(self, url: str) -> Page:
        with self._lock:
            cached = self._by_url.get(url)
            if cached is not None:
                self._by_url.move_to_end(url)
                return cached
        kept = self.archive.get(url, self.settings.browser_line_chars) if self.archive is not None else None
        if kept is not None:
            with self._lock:
                self._remember(url, kept, None)  # no body to know it by: the content map is for fetches
            return kept
        fetched = fetch(
            url,
            timeout_s=self.settings.fetch_timeout_s,
            max_bytes=self.settings.fetch_max_bytes,
            allow_private=self.settings.allow_private_urls,
            user_agent=self.settings.user_agent,
            client=self.client,
            accept_pdf=True,
            deadline_s=self.settings.fetch_deadline_s,
        )
        digest = hashlib.sha256(fetched.body).hexdigest()
        with self._lock:
            self.fetches += 1
            known = self._by_content.get(digest)
        page = known or self._parse(fetched)  # parsed outside the lock: it is the slow part
        with self._lock:
            self._remember(url, page, digest)
            if fetched.final_url != url:
                self._remember(fetched.final_url, page, digest)
        if self.archive is not None:
            self.archive.put(url, page)
            if fetched.final_url != url:
                self.archive.put(fetched.final_url, page)
        return page

    def _remember(self, url: str, page: Page, digest: str | None) -> None:
        """Under the lock: the eviction rebuilds the content index, which another thread must not change."""
        if self.settings.page_cache_size == 0:
            return
        self._by_url[url] = page
        if digest is not None:
            self._by_content[digest] = page
        while len(self._by_url) > self.settings.page_cache_size:
            _, dropped = self._by_url.popitem(last=False)
            self._by_content = {d: p for d, p in self._by_content.items() if p is not dropped}

    def _parse(self, fetched: FetchedPage) -> Page:
        width = self.settings.browser_line_chars
        if fetched.content_type == "application/pdf":
            title, text = pdf_text(fetched)
            return make_page(title, text, url=fetched.final_url, kind="web", width=width)
        if fetched.content_type == "text/plain":
            name = fetched.final_url.rstrip("/").rsplit("/", 1)[-1] or fetched.final_url
            return make_page(name, fetched.text(), url=fetched.final_url, kind="web", width=width)
        html = fetched.body if fetched.charset is None else fetched.text()
        extracted = extract(html, base_url=fetched.final_url)
        spans = [(span, span.href) for span in extracted.links]
        title = extracted.title or fetched.final_url
        return make_page(
            title,
            extracted.text,
            url=fetched.final_url,
            kind="web",
            spans=spans,
            width=width,
            hidden_chars=extracted.hidden_chars,
        )


def pdf_text(fetched: FetchedPage) -> tuple[str, str]:
    try:
        from pypdf import PdfReader
    except ImportError:
        raise FetchError(
            f"{fetched.final_url} is a PDF and no PDF parser is installed. Install one with: pip install pypdf"
        ) from None
    import io

    try:
        reader = PdfReader(io.BytesIO(fetched.body))
        text = "\n".join((page.extract_text() or "") for page in reader.pages)
        title = str((reader.metadata or {}).get("/Title") or "") or fetched.final_url.rsplit("/", 1)[-1]
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types for a broken file; all mean "unreadable"
        raise FetchError(f"{fetched.final_url} is a PDF that could not be read ({type(exc).__name__}).") from None
    return title, text
