"""Dense, sparse and hybrid retrievers over one index. Each answers `search(query, k)` with hits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from webqa.index.dense import DenseIndex
from webqa.index.embedders import Embedder
from webqa.index.sparse import SparseIndex
from webqa.index.store import DocumentStore
from webqa.types import SearchHit

Ranking = list[tuple[int, float]]  # (chunk row, score), best first


class Retriever(Protocol):
    def search(self, query: str, k: int) -> list[SearchHit]: ...


def _hits(store: DocumentStore, ranking: Ranking, parts: dict[int, dict[str, float]]) -> list[SearchHit]:
    chunks = store.chunks([row for row, _ in ranking])
    urls = store.urls(c.doc_id for c in chunks)
    return [
        SearchHit(chunk, score, rank, urls.get(chunk.doc_id), parts.get(row, {}))
        for rank, (chunk, (row, score)) in enumerate(zip(chunks, ranking, strict=True), start=1)
    ]


class DenseRetriever:
    def __init__(self, store: DocumentStore, dense: DenseIndex, embedder: Callable[[], Embedder]) -> None:
        self.store, self.dense, self._embedder = store, dense, embedder

    def rank(self, query: str, depth: int) -> Ranking:
        if not query.strip():
            return []
        return self.dense.search(self._embedder().embed([query])[0], depth)

    def search(self, query: str, k: int) -> list[SearchHit]:
        ranking = self.rank(query, k)
        return _hits(self.store, ranking, {row: {"dense": s} for row, s in ranking})


class SparseRetriever:
    def __init__(self, store: DocumentStore, sparse: SparseIndex) -> None:
        self.store, self.sparse = store, sparse

    def rank(self, query: str, depth: int) -> Ranking:
        return self.sparse.search(query, depth)

    def search(self, query: str, k: int) -> list[SearchHit]:
        ranking = self.rank(query, k)
        return _hits(self.store, ranking, {row: {"bm25": s} for row, s in ranking})


class HybridRetriever:
    """Fuses the dense and BM25 rankings of a deeper candidate list, then keeps the top k."""

    def __init__(
        self,
        dense: DenseRetriever,
        sparse: SparseRetriever,
        fusion: str = "rrf",
        rrf_k: int = 60,
        dense_weight: float = 0.5,
    ) -> None:
        self.dense, self.sparse = dense, sparse
        self.fusion, self.rrf_k, self.dense_weight = fusion, rrf_k, dense_weight

    def search(self, query: str, k: int) -> list[SearchHit]:
        depth = max(4 * k, 50)
        dense_ranking = self.dense.rank(query, depth)
        sparse_ranking = self.sparse.rank(query, depth)
        if self.fusion == "weighted":
            fused = weighted_fusion(dense_ranking, sparse_ranking, self.dense_weight)
        else:
            fused = reciprocal_rank_fusion([dense_ranking, sparse_ranking], self.rrf_k)
        parts: dict[int, dict[str, float]] = {}
        for name, ranking in (("dense", dense_ranking), ("bm25", sparse_ranking)):
            for row, score in ranking:
                parts.setdefault(row, {})[name] = score
        return _hits(self.dense.store, fused[:k], parts)


def reciprocal_rank_fusion(rankings: list[Ranking], k: int = 60) -> Ranking:
    """Cormack et al. 2009: score = sum of 1 / (k + rank). Ties break by first appearance."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, (row, _) in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def weighted_fusion(dense: Ranking, sparse: Ranking, dense_weight: float) -> Ranking:
    """Convex combination of min-max normalised scores; a list that misses a row contributes 0."""
    scores: dict[int, float] = {}
    for ranking, weight in ((dense, dense_weight), (sparse, 1.0 - dense_weight)):
        if not ranking:
            continue
        values = [s for _, s in ranking]
        low, high = min(values), max(values)
        spread = (high - low) or 1.0
        for row, score in ranking:
            scores[row] = scores.get(row, 0.0) + weight * (score - low) / spread
    return sorted(scores.items(), key=lambda item: -item[1])
