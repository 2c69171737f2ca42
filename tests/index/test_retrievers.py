"""Contract every retriever (dense, sparse, hybrid) passes, plus the fusion arithmetic."""

from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DOCUMENTS
from webqa.config import Settings
from webqa.index import build_index, open_index
from webqa.index.retrievers import reciprocal_rank_fusion, weighted_fusion

MODES = ["dense", "sparse", "hybrid"]


@pytest.fixture
def index(corpus: Path, settings: Settings, embedder):
    build_index("sample", [str(corpus)], settings, embedder=embedder, progress=False)
    opened = open_index("sample", settings, embedder=embedder)
    yield opened
    opened.close()


@pytest.mark.parametrize("mode", MODES)
def test_finds_the_document_that_matches(index, mode):
    hits = index.search("highest mountain Himalayas summit", k=3, mode=mode)
    assert hits[0].chunk.doc_id == "everest"


@pytest.mark.parametrize("mode", MODES)
def test_hits_are_ranked_slices_of_their_documents(index, mode):
    hits = index.search("Nile river Africa Mediterranean", k=10, mode=mode)
    assert 1 <= len(hits) <= 10
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))
    by_id = {d.id: d for d in SAMPLE_DOCUMENTS}
    for hit in hits:
        document = by_id[hit.chunk.doc_id]
        assert hit.chunk.text == document.text[hit.chunk.start : hit.chunk.end]
        assert hit.chunk.title == document.title
        assert hit.url == document.url
    assert len({(h.chunk.doc_id, h.chunk.start) for h in hits}) == len(hits)


@pytest.mark.parametrize("mode", MODES)
def test_k_limits_hits_and_can_exceed_the_corpus(index, mode):
    assert len(index.search("the", k=1, mode=mode)) <= 1
    assert len(index.search("Einstein physics river mountain plants Lothair", k=50, mode=mode)) <= 5


@pytest.mark.parametrize("mode", MODES)
def test_empty_or_unknown_queries_return_no_hits_not_errors(index, mode):
    assert index.search("", k=5, mode=mode) == []
    if mode == "sparse":
        assert index.search("zzzqqq", k=5, mode=mode) == []


@pytest.mark.parametrize("mode", MODES)
def test_same_query_same_answer(index, mode):
    first = index.search("theory of relativity", k=5, mode=mode)
    second = index.search("theory of relativity", k=5, mode=mode)
    assert first == second
    assert first[0].chunk.doc_id == "einstein"


def test_hybrid_reports_both_component_scores(index):
    (hit, *_) = index.search("Einstein relativity physicist", k=3, mode="hybrid")
    assert set(hit.scores) == {"dense", "bm25"}


def test_reciprocal_rank_fusion_sums_reciprocal_ranks():
    fused = reciprocal_rank_fusion([[(1, 0.9), (2, 0.8)], [(2, 5.0), (3, 4.0)]], k=60)
    assert [row for row, _ in fused] == [2, 1, 3]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[1][1] == pytest.approx(1 / 61)


def test_weighted_fusion_normalises_each_ranking():
    fused = dict(weighted_fusion([(1, 0.9), (2, 0.5)], [(2, 10.0), (3, 0.0)], dense_weight=0.25))
    assert fused[1] == pytest.approx(0.25)
    assert fused[2] == pytest.approx(0.75)
    assert fused[3] == pytest.approx(0.0)


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_dense_indexes_search_like_exact(tmp_path: Path, corpus: Path, embedder, kind):
    settings = Settings(index_dir=tmp_path / "idx", embedding_model="hashing:256", dense_index=kind)
    build_index("approx", [str(corpus)], settings, embedder=embedder, progress=False)
    index = open_index("approx", settings, embedder=embedder)
    assert index.manifest.dense_index == kind
    assert index.search("Mount Everest Himalayas", k=2, mode="dense")[0].chunk.doc_id == "everest"
