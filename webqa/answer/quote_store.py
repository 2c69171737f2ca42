"""The quotes of a conversation in a small FAISS index, so answers and follow-ups retrieve the most
relevant evidence instead of stuffing every quote into a prompt."""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from webqa.answer.relevance import blend
from webqa.index.embedders import Embedder
from webqa.text import quote_text
from webqa.types import Quote


class QuoteStore:
    def __init__(self, embedder: Embedder, semantic_weight: float = 0.6) -> None:
        import faiss

        self.embedder = embedder
        self.semantic_weight = semantic_weight
        self.quotes: list[Quote] = []  # in the order they were added: row i of the index is quotes[i]
        self._seen: set[Quote] = set()  # the same quotes, for an O(1) "already stored?"
        self._index = faiss.IndexFlatIP(embedder.dimension)
        self.keep: Callable[[Quote], bool] | None = None  # which quotes top() may return (see `where`)
        # The last top() answer: an answer checked against the store and then written from it asks twice.
        self._last_top: tuple[tuple[str, int, int], list[tuple[Quote, float]]] | None = None

    def __len__(self) -> int:
        return len(self.quotes)

    def add(self, quotes: list[Quote]) -> None:
        """Add quotes not already stored (the same passage quoted twice is one piece of evidence)."""
        new = [q for q in dict.fromkeys(quotes) if q not in self._seen]
        if not new:
            return
        vectors = self.embedder.embed([quote_text(q) for q in new])
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self.quotes.extend(new)
        self._seen.update(new)

    def where(self, keep: Callable[[Quote], bool]) -> QuoteStore:
        """This store narrowed to the quotes `keep` accepts: top() ranks only those, while add() still adds
        to this store, whose quotes and index the view shares (a shallow copy; both only ever grow in place).
        A conversation hands the assistant its one store this way, without copying or re-embedding it."""
        view = copy.copy(self)
        view.keep = keep
        view._last_top = None  # remembered under another filter
        return view

    def top(self, query: str, k: int) -> list[tuple[Quote, float]]:
        """The k quotes that best match the query, with a relevance in [0, 1], best first."""
        if not self.quotes or k <= 0:
            return []
        key = (query, k, len(self.quotes))  # quotes are only ever added: their count tells the store apart
        if self._last_top is not None and self._last_top[0] == key:
            return list(self._last_top[1])
        query_vector = self.embedder.embed([query])
        cosines, rows = self._index.search(np.ascontiguousarray(query_vector, dtype=np.float32), len(self.quotes))
        candidates = [(self.quotes[int(row)], float(cosine)) for row, cosine in zip(rows[0], cosines[0], strict=True)]
        if self.keep is not None:
            candidates = [(quote, cosine) for quote, cosine in candidates if self.keep(quote)]
        texts = [quote_text(quote) for quote, _ in candidates]
        scores = blend([cosine for _, cosine in candidates], query, texts, self.semantic_weight)
        scored = sorted(
            ((quote, float(score)) for (quote, _), score in zip(candidates, scores, strict=True)),
            key=lambda pair: -pair[1],
        )[:k]
        self._last_top = (key, scored)
        return list(scored)
