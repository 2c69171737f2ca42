"""The quotes of a conversation in a small FAISS index, so answers and follow-ups retrieve the most
relevant evidence instead of stuffing every quote into a prompt."""

from __future__ import annotations

import numpy as np

from webqa.answer.relevance import lexical_overlap
from webqa.index.embedders import Embedder
from webqa.types import Quote


class QuoteStore:
    def __init__(self, embedder: Embedder, semantic_weight: float = 0.6) -> None:
        import faiss

        self.embedder = embedder
        self.semantic_weight = semantic_weight
        self.quotes: list[Quote] = []
        self._index = faiss.IndexFlatIP(embedder.dimension)

    def __len__(self) -> int:
        return len(self.quotes)

    def add(self, quotes: list[Quote]) -> None:
        """Add quotes not already stored (the same passage quoted twice is one piece of evidence)."""
        new = [q for q in dict.fromkeys(quotes) if q not in self.quotes]
        if not new:
            return
        vectors = self.embedder.embed([_embedding_text(q) for q in new])
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self.quotes.extend(new)

    def top(self, query: str, k: int) -> list[tuple[Quote, float]]:
        """The k quotes that best match the query, with a relevance in [0, 1], best first."""
        if not self.quotes or k <= 0:
            return []
        query_vector = self.embedder.embed([query])
        cosines, rows = self._index.search(np.ascontiguousarray(query_vector), len(self.quotes))
        scored = []
        for row, cosine in zip(rows[0], cosines[0], strict=True):
            quote = self.quotes[int(row)]
            lexical = lexical_overlap(query, _embedding_text(quote))
            score = self.semantic_weight * max(float(cosine), 0.0) + (1 - self.semantic_weight) * lexical
            scored.append((quote, score))
        scored.sort(key=lambda pair: -pair[1])
        return scored[:k]


def _embedding_text(quote: Quote) -> str:
    # The title names what a quote's pronouns refer to ("He died in 869" on the page "Lothair II").
    return f"{quote.title}\n{quote.text}" if quote.title and quote.title not in quote.text else quote.text
