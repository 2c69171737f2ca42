"""A page as the browser shows it: its text, its numbered links, and the text laid out in lines."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from webqa.web.html import LinkSpan


@dataclass(frozen=True)
class Link:
    number: int
    text: str
    target: str  # a URL, or "doc:<id>" for a local document


@dataclass(frozen=True)
class Page:
    """`text` is what quotes must come from and what offsets index into; `lines` is what is shown."""

    title: str
    text: str
    url: str | None = None
    doc_id: str | None = None
    kind: str = "document"  # "document", "web" or "search"
    links: tuple[Link, ...] = ()
    lines: tuple[str, ...] = field(default=(), compare=False)
    hidden_chars: int = 0  # text hidden from readers (CSS, `hidden`, aria-hidden) that was left out
    # (start, end, href) of each link in `text`, in reading order: enough to lay the page out again
    # (a page kept on disk, or added to the browsed index).
    link_spans: tuple[tuple[int, int, str], ...] = field(default=(), compare=False)

    @property
    def source(self) -> str:
        return self.url or (f"doc:{self.doc_id}" if self.doc_id else "")


def lay_out(text: str, spans: list[tuple[LinkSpan, Link]], width: int) -> tuple[str, ...]:
    """The page text with each link shown as [n†text], each paragraph wrapped at `width`."""
    pieces, position = [], 0
    for span, link in sorted(spans, key=lambda pair: pair[0].start):
        if span.start < position:
            continue  # overlapping spans cannot come from one DOM walk; skip rather than garble
        pieces.append(text[position : span.start])
        pieces.append(f"[{link.number}†{text[span.start : span.end]}]")
        position = span.end
    pieces.append(text[position:])
    shown = "".join(pieces)
    lines: list[str] = []
    for paragraph in shown.split("\n"):
        if not paragraph.strip():
            continue
        lines.extend(textwrap.wrap(paragraph, width=width, break_long_words=True, break_on_hyphens=False))
    return tuple(lines)


def make_page(
    title: str,
    text: str,
    *,
    url: str | None = None,
    doc_id: str | None = None,
    kind: str = "document",
    spans: list[tuple[LinkSpan, str]] | None = None,
    width: int = 120,
    hidden_chars: int = 0,
) -> Page:
    """Number the links in reading order and lay the page out."""
    numbered = [
        (span, Link(n, text[span.start : span.end], target))
        for n, (span, target) in enumerate(sorted(spans or [], key=lambda p: p[0].start), start=1)
    ]
    links = tuple(link for _, link in numbered)
    link_spans = tuple((span.start, span.end, span.href) for span, _ in numbered)
    return Page(title, text, url, doc_id, kind, links, lay_out(text, numbered, width), hidden_chars, link_spans)
