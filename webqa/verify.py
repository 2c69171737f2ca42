"""`webqa verify`: re-open every page an answers file cites and tell, for each citation, whether its quote is
still where it was (unchanged), elsewhere on the page (moved, with its new offsets) or no longer there (gone).

A citation records the page text's SHA-256 when it was quoted; a page with the same hash is unchanged as a
whole. Without one (older answers files), or when the page changed, the quote's own text decides."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from webqa.errors import FetchError, InputError
from webqa.jsonl import read_json_lines
from webqa.types import page_sha256

if TYPE_CHECKING:
    from webqa.browser.fetchers import LocalDocuments, WebPages
    from webqa.config import Settings
    from webqa.index.search import Index

STATUSES = ("unchanged", "moved", "gone")


@dataclass(frozen=True)
class CitedQuote:
    """One citation of one answer, as the answers file records it."""

    line: int  # of the answers file
    answer_id: str | None
    turn: int | None  # 1-based, for a multi-turn line
    n: int
    doc_id: str | None
    url: str | None
    text: str
    start: int
    end: int
    page_sha256: str | None

    @property
    def source(self) -> str:
        """What re-opens the page: a local document by id, else its address."""
        return f"doc:{self.doc_id}" if self.doc_id else (self.url or "")


@dataclass(frozen=True)
class Check:
    """What became of one cited quote."""

    cited: CitedQuote
    status: str  # one of STATUSES
    start: int | None = None  # where the quote is now (unchanged or moved)
    end: int | None = None
    page_changed: bool | None = None  # the page's hash differs from the recorded one; None: nothing to compare
    reason: str = ""  # for gone: why

    def to_json(self) -> dict[str, Any]:
        c = self.cited
        return {
            "line": c.line, "id": c.answer_id, "turn": c.turn, "n": c.n, "source": c.source, "status": self.status,
            "start": c.start, "end": c.end, "now_start": self.start, "now_end": self.end,
            "page_changed": self.page_changed, "reason": self.reason,
        }  # fmt: skip


@dataclass(frozen=True)
class Verification:
    checks: list[Check]
    answers: int  # answers (or turns) that cite something

    def counts(self) -> dict[str, int]:
        return {status: sum(1 for c in self.checks if c.status == status) for status in STATUSES}

    def summary(self) -> str:
        counts = self.counts()
        parts = ", ".join(f"{counts[s]} {s}" for s in STATUSES)
        citations, answers = len(self.checks), self.answers
        return f"{citations} citation{'s' * (citations != 1)} in {answers} answer{'s' * (answers != 1)}: {parts}"

    @property
    def any_gone(self) -> bool:
        return any(c.status == "gone" for c in self.checks)


def cited_quotes(path: Path) -> tuple[list[CitedQuote], int]:
    """Every citation in an answers file (single- and multi-turn lines), and how many answers cite."""
    if not path.is_file():
        raise InputError(f"No answers file at {path}. Give a file written by `webqa batch` or `webqa ask --json`.")
    quotes: list[CitedQuote] = []
    answers = 0
    for number, record in _records(path):
        if not isinstance(record, dict):
            raise InputError(f"{path} line {number}: expected a JSON object (an answer record).")
        for turn, part in _answers_of(record):
            citations = part.get("citations") or []
            if not isinstance(citations, list):
                raise InputError(f'{path} line {number}: "citations" must be a list.')
            answers += bool(citations)
            for citation in citations:
                quotes.append(_cited(path, number, record.get("id"), turn, citation))
    return quotes, answers


def _records(path: Path) -> list[tuple[int, Any]]:
    """The lines of an answers JSONL file, or the one record `webqa ask --json` prints (indented)."""
    try:
        whole = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return read_json_lines(path)
    return [(1, whole)] if isinstance(whole, dict) else read_json_lines(path)


def _answers_of(record: dict[str, Any]) -> Iterator[tuple[int | None, dict[str, Any]]]:
    turns = record.get("turns")
    if isinstance(turns, list):
        for number, turn in enumerate(turns, start=1):
            if isinstance(turn, dict):
                yield number, turn
    else:
        yield None, record


def _cited(path: Path, line: int, answer_id: Any, turn: int | None, citation: Any) -> CitedQuote:
    try:
        if not isinstance(citation, dict):
            raise TypeError("a citation must be a JSON object")
        cited = CitedQuote(
            line, None if answer_id is None else str(answer_id), turn, int(citation["n"]), citation.get("doc_id"),
            citation.get("url"), str(citation["quote"]), int(citation["start"]), int(citation["end"]),
            citation.get("page_sha256"),
        )  # fmt: skip
    except KeyError as exc:
        raise InputError(f"{path} line {line}: a citation has no {exc}. Is this an answers file?") from None
    except (TypeError, ValueError) as exc:
        raise InputError(f"{path} line {line}: a citation has an unexpected shape ({exc}).") from None
    if not cited.source:
        raise InputError(f"{path} line {line}: citation [{cited.n}] names neither a doc_id nor a url.")
    return cited


def check(cited: CitedQuote, page_text: str) -> Check:
    """Where the quote is on the page as it is now; the nearest occurrence to its old place if it moved."""
    changed = None if cited.page_sha256 is None else page_sha256(page_text) != cited.page_sha256
    if changed is False or page_text[cited.start : cited.end] == cited.text:
        return Check(cited, "unchanged", cited.start, cited.end, changed)
    found = _occurrences(page_text, cited.text)
    if not found:
        return Check(cited, "gone", page_changed=changed, reason="the quote is no longer on the page")
    start = min(found, key=lambda at: abs(at - cited.start))
    return Check(cited, "moved", start, start + len(cited.text), changed)


def _occurrences(haystack: str, needle: str) -> list[int]:
    found, at = [], haystack.find(needle) if needle else -1
    while at >= 0:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def verify(path: Path, open_page: Callable[[CitedQuote], str]) -> Verification:
    """Check every citation of the file; each page is opened once. A page that cannot be opened any more
    (no such document, a fetch that fails) makes its quotes gone, with the reason."""
    quotes, answers = cited_quotes(path)
    pages: dict[str, str | FetchError] = {}
    checks = []
    for cited in quotes:
        if cited.source not in pages:
            try:
                pages[cited.source] = open_page(cited)
            except FetchError as exc:
                pages[cited.source] = exc
        page = pages[cited.source]
        checks.append(check(cited, page) if isinstance(page, str) else Check(cited, "gone", reason=str(page)))
    return Verification(checks, answers)


class PageOpener:
    """Opens a cited page the way the browser did: a local document from the index by id (the index named
    by the settings), a web page through the guarded fetcher (SSRF guard, size cap, timeouts)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._index: Index | None = None
        self._local: LocalDocuments | None = None
        self._web: WebPages | None = None

    def __call__(self, cited: CitedQuote) -> str:
        from webqa.browser.fetchers import LocalDocuments, WebPages

        if cited.doc_id:
            if self._local is None:
                from webqa.index import open_index

                self._index = open_index(self.settings.default_index, self.settings, any_model=True)
                self._local = LocalDocuments(self._index, self.settings.browser_line_chars)
            return self._local.get(cited.doc_id).text
        if self._web is None:
            self._web = WebPages(self.settings)
        return self._web.get(cited.url or "").text

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        if self._web is not None:
            self._web.client.close()
