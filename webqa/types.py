"""Plain data passed between webqa's parts. Frozen dataclasses; pydantic stays at the edges."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


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
