"""Incremental rebuilds, atomic swaps and interrupted builds."""

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DOCUMENTS, write_corpus
from tests.fakes import CountingEmbedder
from webqa.config import Settings
from webqa.index import build_index, open_index
from webqa.index.layout import current_build
from webqa.text import SENTENCE_SPLITTER
from webqa.types import Document


def _build(corpus: Path, settings: Settings, embedder: CountingEmbedder):
    return build_index("kb", [str(corpus)], settings, embedder=embedder, progress=False)


def test_first_build_embeds_every_chunk_and_records_a_manifest(corpus, settings, embedder):
    report = _build(corpus, settings, embedder)
    assert report.documents == 5 and report.added == 5
    assert report.embedded_chunks == report.chunks == len(embedder.texts)
    manifest = json.loads((Path(report.path) / "manifest.json").read_text())
    assert manifest["format_version"] == 1
    assert manifest["embedding_model"] == "hashing:256"
    assert manifest["chunking"] == {
        "max_chars": 1000,
        "overlap_chars": 150,
        "title_in_embedding": True,
        "sentence_splitter": SENTENCE_SPLITTER,
    }
    assert set(manifest["documents"]) == {d.id for d in SAMPLE_DOCUMENTS}
    assert manifest["documents"]["nile"] == SAMPLE_DOCUMENTS[2].content_hash()


def test_unchanged_rebuild_embeds_nothing_and_keeps_the_build(corpus, settings, embedder):
    first = _build(corpus, settings, embedder)
    again = CountingEmbedder()
    report = _build(corpus, settings, again)
    assert again.calls == 0 and report.embedded_chunks == 0 and report.up_to_date
    assert report.unchanged == 5 and report.reused_chunks == report.chunks
    assert report.path == first.path
    assert open_index("kb", settings, embedder=again).search("Everest", 1)[0].chunk.doc_id == "everest"


def test_rebuild_embeds_only_the_changed_and_added_documents(tmp_path, corpus, settings, embedder):
    _build(corpus, settings, embedder)
    docs = {d.id: d for d in SAMPLE_DOCUMENTS}
    docs["nile"] = Document("nile", "Nile", "The Nile delta fans out near Cairo before the sea.")
    del docs["photosynthesis"]
    docs["danube"] = Document("danube", "Danube", "The Danube flows through Vienna and Budapest.")
    write_corpus(corpus, list(docs.values()))

    counting = CountingEmbedder()
    report = _build(corpus, settings, counting)
    assert (report.added, report.changed, report.unchanged, report.removed) == (1, 1, 3, 1)
    assert sorted(counting.texts) == [
        "Danube\nThe Danube flows through Vienna and Budapest.",
        "Nile\nThe Nile delta fans out near Cairo before the sea.",
    ]

    index = open_index("kb", settings, embedder=counting)
    assert index.get_document("photosynthesis") is None
    assert all(h.chunk.doc_id != "photosynthesis" for h in index.search("chlorophyll plants light", 5))
    assert index.search("Cairo delta", 1, "sparse")[0].chunk.doc_id == "nile"
    assert index.search("Vienna Budapest", 1, "dense")[0].chunk.doc_id == "danube"
    # Reused vectors still belong to their own chunks: an unchanged document is still found by dense search.
    assert index.search("Mount Everest Himalayas Nepal", 1, "dense")[0].chunk.doc_id == "everest"


def test_reused_vectors_equal_freshly_computed_ones(corpus, settings, embedder):
    import numpy as np

    _build(corpus, settings, embedder)
    docs = list(SAMPLE_DOCUMENTS)
    docs.insert(0, Document("new", "New", "A brand new first document shifts every row."))
    write_corpus(corpus, docs)
    report = _build(corpus, settings, CountingEmbedder())
    incremental = np.load(Path(report.path) / "embeddings.npy")
    fresh = build_index("fresh", [str(corpus)], settings, embedder=CountingEmbedder(), progress=False)
    assert np.array_equal(incremental, np.load(Path(fresh.path) / "embeddings.npy"))


def test_changing_the_model_or_chunking_reembeds_everything(tmp_path, corpus, settings, embedder):
    _build(corpus, settings, embedder)
    other = CountingEmbedder(dimension=128)
    report = _build(corpus, settings, other)
    assert report.embedded_chunks == report.chunks and "embedding model changed" in report.full_rebuild_reason
    rechunked = settings.model_copy(update={"chunk_chars": 100})
    report = build_index("kb", [str(corpus)], rechunked, embedder=other, progress=False)
    assert "chunking settings changed" in report.full_rebuild_reason
    assert report.chunks > 5


def test_an_index_cut_by_the_old_sentence_splitter_is_rebuilt_not_mixed(corpus, settings, embedder):
    first = _build(corpus, settings, embedder)
    manifest_file = Path(first.path) / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    del manifest["chunking"]["sentence_splitter"]  # as every manifest written before the field existed
    manifest_file.write_text(json.dumps(manifest))
    again = CountingEmbedder()
    report = _build(corpus, settings, again)
    assert "sentence splitter changed (regex/1 -> " in report.full_rebuild_reason
    assert report.embedded_chunks == report.chunks == len(again.texts)
    rebuilt = json.loads((Path(report.path) / "manifest.json").read_text())
    assert rebuilt["chunking"]["sentence_splitter"] == SENTENCE_SPLITTER


def test_an_interrupted_build_leaves_the_previous_index_working(corpus, settings, embedder):
    _build(corpus, settings, embedder)
    before = open_index("kb", settings, embedder=embedder).search("relativity", 3)
    root = settings.index_dir / "kb"
    previous_folder = current_build(root)

    docs = [*SAMPLE_DOCUMENTS, Document("new", "New", "Something new to embed.")]
    write_corpus(corpus, docs)
    with pytest.raises(KeyboardInterrupt):
        _build(corpus, settings, CountingEmbedder(fail_on_call=1))

    assert current_build(root) == previous_folder
    assert not [p for p in root.iterdir() if p.name.startswith(".tmp-")]
    after = open_index("kb", settings, embedder=embedder)
    assert after.search("relativity", 3) == before
    assert after.get_document("new") is None


def test_a_killed_build_leaves_a_temp_folder_the_next_build_removes(corpus, settings, embedder):
    _build(corpus, settings, embedder)
    root = settings.index_dir / "kb"
    leftover = root / ".tmp-19990101T000000-dead00"  # what kill -9 mid-build leaves behind
    leftover.mkdir()
    (leftover / "embeddings.npy").write_bytes(b"partial")
    assert open_index("kb", settings, embedder=embedder).manifest.document_count == 5
    _build(corpus, settings, CountingEmbedder())
    assert not leftover.exists()
    assert len([p for p in root.iterdir() if p.name.startswith("build-")]) == 1


def test_a_rebuild_without_sources_reuses_the_last_sources(corpus, settings, embedder):
    _build(corpus, settings, embedder)
    report = build_index("kb", [], settings, embedder=CountingEmbedder(), progress=False)
    assert report.documents == 5 and report.embedded_chunks == 0


def test_a_definition_file_supplies_sources(tmp_path, corpus, settings, embedder):
    settings.index_dir.mkdir(parents=True)
    # Sources in a definition are relative to the definition file, not to the current folder.
    (settings.index_dir / "defined.toml").write_text(f'sources = ["../{corpus.name}"]\n', encoding="utf-8")
    report = build_index("defined", [], settings, embedder=embedder, progress=False)
    assert report.documents == 5


def test_changing_the_dense_index_kind_rebuilds_without_embedding(corpus, settings, embedder):
    first = _build(corpus, settings, embedder)
    again = CountingEmbedder()
    report = build_index(
        "kb",
        [str(corpus)],
        settings.model_copy(update={"dense_index": "hnsw"}),
        embedder=again,
        progress=False,
    )
    assert not report.up_to_date and report.path != first.path
    assert again.calls == 0 and report.reused_chunks == report.chunks
    assert (Path(report.path) / "dense.faiss").is_file()


def test_the_lazy_default_embedder_never_loads_a_model_when_nothing_changed(corpus, settings, monkeypatch):
    import webqa.index.embedders as embedders

    build_index("kb", [str(corpus)], settings, progress=False)  # settings name hashing:256
    loads = []
    monkeypatch.setattr(embedders, "load_embedder", lambda *a, **k: loads.append(a) or 1 / 0)
    report = build_index("kb", [str(corpus)], settings, progress=False)
    assert report.up_to_date and loads == []
