"""How well a text matches a query: embedding cosine blended with lexical overlap of content words.

Shared by the planned policy (which sentences to quote), the quote store (which quotes to answer from)
and the support checker (does a quote back a sentence)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from webqa.index.embedders import Embedder
from webqa.index.sparse import tokenize


def content_words(text: str) -> set[str]:
    """Stemmed words without stopwords, the same tokens BM25 matches on."""
    return set(tokenize(text))


def lexical_overlap(query: str, text: str) -> float:
    """Fraction of the query's content words that the text contains."""
    wanted = content_words(query)
    if not wanted:
        return 0.0
    return len(wanted & content_words(text)) / len(wanted)


def blend(cosines: Sequence[float] | np.ndarray, query: str, texts: Sequence[str], weight: float) -> np.ndarray:
    """weight * cosine + (1 - weight) * lexical overlap, one score per text. Cosines are clipped to [0, 1]:
    an opposite meaning is no more relevant than an unrelated one, and rounding can exceed 1."""
    lexical = np.array([lexical_overlap(query, t) for t in texts], dtype=np.float32)
    return weight * np.clip(np.asarray(cosines, dtype=np.float32), 0.0, 1.0) + (1.0 - weight) * lexical


class Relevance:
    """score = semantic_weight * cosine + (1 - semantic_weight) * lexical overlap, both in [0, 1].

    Embeddings are remembered (up to `cache_size` texts): the planned policy scores every sentence of a
    page it opens, and the answerer then ranks the same sentences against the same question."""

    def __init__(self, embedder: Embedder, semantic_weight: float = 0.6, cache_size: int = 4096) -> None:
        self.embedder = embedder
        self.semantic_weight = semantic_weight
        self.cache_size = cache_size
        self._vectors: dict[str, np.ndarray] = {}

    def scores(self, query: str, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=np.float32)
        vectors = self.embed([query, *texts])
        return blend(vectors[1:] @ vectors[0], query, texts, self.semantic_weight)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        # The vectors this call needs are collected in a local dict before anything is embedded: one scorer
        # serves every thread of a server, and another thread may clear the shared cache in the meantime.
        found = {t: vector for t in dict.fromkeys(texts) if (vector := self._vectors.get(t)) is not None}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(zip(missing, self.embedder.embed(missing), strict=True))
            if len(self._vectors) + len(missing) > self.cache_size:
                self._vectors.clear()  # start afresh rather than track ages: a question reuses only its own texts
            self._vectors.update(found)
        return np.stack([found[t] for t in texts])
