"""Dense retrieval: chunk embeddings in FAISS (exact inner product by default, HNSW or IVF when asked)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from webqa.index.layout import EMBEDDINGS_FILE

FAISS_FILE = "dense.faiss"


class DenseIndex:
    """Inner-product search over unit vectors, i.e. cosine similarity."""

    def __init__(self, faiss_index, kind: str) -> None:  # noqa: ANN001 - faiss has no type stubs
        self.faiss_index = faiss_index
        self.kind = kind

    @property
    def size(self) -> int:
        return int(self.faiss_index.ntotal)

    @classmethod
    def build(cls, vectors: np.ndarray, kind: str = "flat") -> DenseIndex:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        count, dimension = vectors.shape
        index: Any
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = 64
        elif kind == "ivf" and count >= 1000:
            # ~4*sqrt(n) lists, but at least 39 training points per list as FAISS asks.
            lists = max(1, min(int(4 * math.sqrt(count)), count // 39))
            quantizer = faiss.IndexFlatIP(dimension)
            index = faiss.IndexIVFFlat(quantizer, dimension, lists, faiss.METRIC_INNER_PRODUCT)
            index.train(vectors)
            index.nprobe = min(lists, 16)
        else:
            # Exact search; also what 'ivf' falls back to when there is too little to train on.
            index = faiss.IndexFlatIP(dimension)
        if count:
            index.add(vectors)
        return cls(index, kind)

    def search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(row, cosine) pairs, best first."""
        if self.size == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(query_vector.reshape(1, -1), dtype=np.float32)
        scores, rows = self.faiss_index.search(query, min(k, self.size))
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

    def save(self, folder: Path, vectors: np.ndarray) -> None:
        """Embeddings are always kept: they let a rebuild reuse unchanged documents' vectors.
        Flat indexes are rebuilt from them on load; approximate ones are saved as built."""
        np.save(folder / EMBEDDINGS_FILE, np.ascontiguousarray(vectors, dtype=np.float32))
        if not isinstance(self.faiss_index, _flat_type()):
            import faiss

            faiss.write_index(self.faiss_index, str(folder / FAISS_FILE))

    @classmethod
    def load(cls, folder: Path, kind: str) -> DenseIndex:
        import faiss

        if (folder / FAISS_FILE).exists():
            return cls(faiss.read_index(str(folder / FAISS_FILE)), kind)
        vectors = load_embeddings(folder)
        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(np.ascontiguousarray(vectors))
        return cls(index, kind)


def load_embeddings(folder: Path) -> np.ndarray:
    return np.load(folder / EMBEDDINGS_FILE, mmap_mode="r", allow_pickle=False)


def _flat_type() -> type:
    import faiss

    return faiss.IndexFlat
