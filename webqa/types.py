"""Plain data passed between webqa's parts. Frozen dataclasses; pydantic stays at the edges."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from webqa.trace import Trace


@dataclass(frozen=True)
class Document:
    """A whole document as the index's document store keeps it, for opening pages later."""

    id: str
    title: str
    text: str
    url: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def content_hash(self) -> str:
        """Changes whenever anything that shapes this document's chunks or their embeddings changes."""
        payload = json.dumps([self.title, self.text, self.url, self.metadata], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Chunk:
    """A span of a document: `text == document.text[start:end]`, so any quote traces back to its place."""

    doc_id: str
    start: int
    end: int
    text: str
    title: str = ""


@dataclass(frozen=True)
class SearchHit:
    """One retrieved chunk, with the score of the ranking that produced it and its parts."""

    chunk: Chunk
    score: float
    rank: int
    url: str | None = None
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Quote:
    """An exact passage of a page, with where it came from: `text == page_text[start:end]`."""

    text: str
    title: str
    url: str | None
    doc_id: str | None
    start: int
    end: int
    page_sha256: str | None = None  # of page_text, so `webqa verify` can tell whether the page changed since


def page_sha256(text: str) -> str:
    """The hash a Quote records of the page text it was taken from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Citation:
    """Answer marker [n] -> the exact quote it stands for."""

    n: int
    quote: Quote


@dataclass(frozen=True)
class Action:
    """One browser command the agent ran, for the answer record."""

    command: str
    argument: str
    ok: bool


@dataclass(frozen=True)
class Answer:
    """A cited answer, or an abstention that shows the closest evidence it found."""

    question: str
    answer: str
    short_answer: str = ""
    abstained: bool = False
    citations: tuple[Citation, ...] = ()
    confidence: float | None = None  # estimated probability that the answer is right (None: not estimated)
    evidence_confidence: float | None = None  # estimated probability that the pages read hold the answer
    best_guess: str = ""  # an abstention's withheld short answer (its confidence is `confidence`)
    actions: tuple[Action, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    trace: Trace = field(default_factory=Trace)  # how the answer was found, for --trace and the UI

    def to_record(self, id: str | None = None) -> dict[str, Any]:
        """One line of the answers JSONL format (DESIGN.md)."""
        return {
            "id": id,
            "question": self.question,
            "answer": self.answer,
            "short_answer": self.short_answer,
            "abstained": self.abstained,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
            "evidence_confidence": None if self.evidence_confidence is None else round(self.evidence_confidence, 3),
            "best_guess": self.best_guess,
            "citations": [
                {
                    "n": c.n,
                    "doc_id": c.quote.doc_id,
                    "title": c.quote.title,
                    "url": c.quote.url,
                    "quote": c.quote.text,
                    "start": c.quote.start,
                    "end": c.quote.end,
                    "page_sha256": c.quote.page_sha256,
                }
                for c in self.citations
            ],
            "actions": [{"command": a.command, "argument": a.argument, "ok": a.ok} for a in self.actions],
            "timings": self.timings,
            "error": None,
        }
