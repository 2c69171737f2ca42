"""Dense retrieval: chunk embeddings in FAISS (exact inner product by default, HNSW or IVF when asked)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from webqa.index.layout import EMBEDDINGS_FILE

FAISS_FILE = "dense.faiss"
# Chosen by evals/bench_scale at 1M chunks (HotpotQA's chunks repeated ~190 times with jittered vectors,
# a hard case: the exact top 10 are near-duplicates; 2 shared cores), for dense recall@10 within a point
# of exact search. HNSW efSearch 64: 0.761, 1024: 0.988, 2048 and 3072: 0.998 (9.5 ms a query; flat 269 ms).
# IVF nprobe 16: 0.980, 32: 0.992, 64: 0.997 (21 ms). With the queries embedded as one batch (int8 vectors
# then differ from one-at-a-time ones, cosine ~0.993) 2048 gave 0.988 and nprobe 32 0.987: one step up kept.
# They are search-time only, so they are set on load too and reach indexes built before them.
HNSW_EF_SEARCH = 3072
IVF_NPROBE = 64
IVF_TRAINING_POINTS_PER_LIST = 64


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
        elif kind == "ivf" and count >= 1000:
            # k-means costs (training points x lists), adding costs (n x lists). 4*sqrt(n) lists trained on
            # every vector took 32 s at 52k chunks on 2 shared cores (n^1.5: ~45 min at 1M, not run);
            # sqrt(n) lists trained on 64 points each took 124 s at 1M (evals/bench_scale).
            lists = max(1, min(int(math.sqrt(count)), count // 39))  # FAISS asks for >= 39 points per list
            quantizer = faiss.IndexFlatIP(dimension)
            index = faiss.IndexIVFFlat(quantizer, dimension, lists, faiss.METRIC_INNER_PRODUCT)
            index.cp.max_points_per_centroid = IVF_TRAINING_POINTS_PER_LIST
            index.train(vectors)
        else:
            # Exact search; also what 'ivf' falls back to when there is too little to train on.
            index = faiss.IndexFlatIP(dimension)
        if count:
            index.add(vectors)
        set_search_parameters(index)
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
            index = faiss.read_index(str(folder / FAISS_FILE))
            set_search_parameters(index)
            return cls(index, kind)
        vectors = load_embeddings(folder)
        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(np.ascontiguousarray(vectors))
        return cls(index, kind)


def set_search_parameters(index) -> None:  # noqa: ANN001
    """Today's search-time parameters; a loaded index would otherwise search with those it was saved with."""
    import faiss

    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif isinstance(index, faiss.IndexIVF):
        index.nprobe = min(index.nlist, IVF_NPROBE)


def load_embeddings(folder: Path) -> np.ndarray:
    return np.load(folder / EMBEDDINGS_FILE, mmap_mode="r", allow_pickle=False)


def _flat_type() -> type:
    import faiss

    return faiss.IndexFlat
