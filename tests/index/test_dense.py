"""The approximate FAISS indexes: shaped as dense.py says, exact enough, and the same after save and load."""

import math
from pathlib import Path

import numpy as np
import pytest

from webqa.index.dense import FAISS_FILE, HNSW_EF_SEARCH, IVF_NPROBE, IVF_TRAINING_POINTS_PER_LIST, DenseIndex


def unit_vectors(count: int, dimension: int = 32, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_every_kind_finds_a_stored_vector_first(kind):
    vectors = unit_vectors(3000)
    index = DenseIndex.build(vectors, kind)
    rows = range(0, 3000, 37)
    assert [index.search(vectors[row], 5)[0][0] for row in rows] == list(rows)


def test_ivf_uses_sqrt_n_lists_trained_on_a_sample():
    index = DenseIndex.build(unit_vectors(5000), "ivf").faiss_index
    assert index.nlist == int(math.sqrt(5000))
    assert index.cp.max_points_per_centroid == IVF_TRAINING_POINTS_PER_LIST


def test_search_parameters_are_set_when_built():
    assert DenseIndex.build(unit_vectors(2000), "hnsw").faiss_index.hnsw.efSearch == HNSW_EF_SEARCH
    assert DenseIndex.build(unit_vectors(5000, 8), "ivf").faiss_index.nprobe == IVF_NPROBE


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_an_index_saved_with_older_search_parameters_is_searched_with_todays(tmp_path: Path, kind):
    import faiss

    vectors = unit_vectors(2000)
    built = DenseIndex.build(vectors, kind)
    built.save(tmp_path, vectors)
    older = faiss.read_index(str(tmp_path / FAISS_FILE))
    if kind == "hnsw":
        older.hnsw.efSearch = 16
    else:
        older.nprobe = 1
    faiss.write_index(older, str(tmp_path / FAISS_FILE))
    loaded = DenseIndex.load(tmp_path, kind)
    index = loaded.faiss_index
    assert (index.hnsw.efSearch if kind == "hnsw" else index.nprobe) == (
        HNSW_EF_SEARCH if kind == "hnsw" else min(index.nlist, IVF_NPROBE)
    )
    query = unit_vectors(1, seed=1)[0]
    assert loaded.search(query, 10) == built.search(query, 10)
