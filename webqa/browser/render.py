"""Observations as text a model reads: what page this is, a window of numbered lines, and the state."""

from __future__ import annotations

from webqa.browser.page import Page
from webqa.search.base import SearchResult
from webqa.web.html import LinkSpan


def page_window(page: Page, position: int, window: int) -> str:
    total = len(page.lines)
    if total == 0:
        return f"Page: {page.title}\nSource: {page.source}\n(The page has no text.)"
    last = min(position + window, total)
    header = "Search results" if page.kind == "search" else "Page"
    shown = [f"L{n + 1}: {page.lines[n]}" for n in range(position, last)]
    where = f"Lines {position + 1}-{last} of {total}"
    if last < total:
        where += " (scroll down for more)"
    source = [f"Source: {page.source}"] if page.source else []
    if page.hidden_chars:
        where += f" ({page.hidden_chars} characters hidden from readers were set aside)"
    return "\n".join([f"{header}: {page.title}", *source, where, *shown])


def status(quotes: int, actions_left: int) -> str:
    return f"[Quotes: {quotes} · Actions left: {actions_left}]"


def results_page_parts(
    query: str, results: list[SearchResult], backend: str
) -> tuple[str, str, list[tuple[LinkSpan, str]]]:
    """(title, text, link spans) of a search results page: each result's title is link n."""
    lines: list[str] = []
    spans: list[tuple[LinkSpan, str]] = []
    length = 0
    for number, result in enumerate(results, start=1):
        prefix = f"{number}. "
        start = length + len(prefix)
        where = result.url or f"doc:{result.doc_id}"
        first = f"{prefix}{result.title} ({where})"
        target = f"doc:{result.doc_id}" if result.doc_id else (result.url or "")
        spans.append((LinkSpan(start, start + len(result.title), target), target))
        snippet = " ".join(result.snippet.split())
        for line in (first, f"   {snippet}" if snippet else ""):
            if line:
                lines.append(line)
                length += len(line) + 1
    return f"'{query}' ({backend})", "\n".join(lines), spans
