"""Index builds on Ray: the same index as a local build (chunks, vectors, search results), the same
incremental re-embedding of only what changed, and a worker's own error shown as it is."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import HOTPOT_STYLE, SAMPLE_DOCUMENTS, write_corpus
from tests.ray_cluster import ray_address  # noqa: F401 - a fixture
from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.index import BuildReport, build_index, open_index
from webqa.index.dense import load_embeddings
from webqa.index.manifest import read_manifest
from webqa.index.store import DocumentStore
from webqa.types import Document

QUERIES = ["Who developed the theory of relativity?", "Where did Lothair II die?", "highest mountain", "radio actress"]
# Small chunks, so that most documents have several, with overlaps.
CHUNKING = {"chunk_chars": 120, "chunk_overlap_chars": 40}


def build_on_ray(name: str, corpus: Path, settings: Settings, **options: object) -> BuildReport:
    from webqa.distributed.ray_index import build_index_on_ray

    return build_index_on_ray(name, [str(corpus)], settings, progress=False, **options)  # type: ignore[arg-type]


def assert_same_index(local: BuildReport, remote: BuildReport, settings: Settings, atol: float = 0.0) -> None:
    local_folder, ray_folder = Path(local.path), Path(remote.path)
    stores = [DocumentStore(f / "store.sqlite") for f in (local_folder, ray_folder)]
    try:
        layouts = [store.chunk_layout() for store in stores]
        documents = [list(store.iter_documents()) for store in stores]
    finally:
        for store in stores:
            store.close()
    assert layouts[0] == layouts[1] and documents[0] == documents[1]
    local_vectors, ray_vectors = load_embeddings(local_folder), load_embeddings(ray_folder)
    assert local_vectors.shape == ray_vectors.shape
    np.testing.assert_allclose(ray_vectors, local_vectors, rtol=0, atol=atol)
    manifests = [
        read_manifest(f).model_dump(exclude={"name", "built_at", "build_seconds"}) for f in (local_folder, ray_folder)
    ]
    assert manifests[0] == manifests[1]
    indexes = [open_index(r.name, settings) for r in (local, remote)]
    try:
        for query in QUERIES:
            hits = [[(h.chunk.doc_id, h.chunk.start, h.chunk.end) for h in i.search(query, 5)] for i in indexes]
            assert hits[0] == hits[1], query
    finally:
        for index in indexes:
            index.close()


def test_a_ray_build_is_the_local_build_and_updates_the_same_way(tmp_path: Path, ray_address: str) -> None:  # noqa: F811
    settings = Settings(index_dir=tmp_path / "indexes", embedding_model="hashing:256", **CHUNKING)
    corpus = write_corpus(tmp_path / "corpus.jsonl", SAMPLE_DOCUMENTS + HOTPOT_STYLE)

    local = build_index("local", [str(corpus)], settings, progress=False)
    remote = build_on_ray("ray", corpus, settings, actors=2, batch_size=4)  # several batches on each actor
    assert remote.chunks == local.chunks > len(SAMPLE_DOCUMENTS + HOTPOT_STYLE)
    assert remote.embedded_chunks == remote.chunks
    assert_same_index(local, remote, settings)

    # One document changed, one added, one removed: only the changed and added ones are embedded again.
    changed = Document("nile", "Nile", "The Nile flows north through eleven countries. It ends in a delta in Egypt.")
    added = Document("amazon", "Amazon River", "The Amazon is the largest river by discharge. It flows east.")
    documents = [changed if d.id == "nile" else d for d in SAMPLE_DOCUMENTS + HOTPOT_STYLE if d.id != "everest"]
    write_corpus(corpus, documents + [added])
    local_update = build_index("local", [str(corpus)], settings, progress=False)
    ray_update = build_on_ray("ray", corpus, settings, actors=2)
    assert (ray_update.added, ray_update.changed, ray_update.removed) == (1, 1, 1)
    assert ray_update.embedded_chunks == local_update.embedded_chunks < ray_update.chunks
    assert ray_update.reused_chunks == local_update.reused_chunks > 0
    assert_same_index(local_update, ray_update, settings)

    again = build_on_ray("ray", corpus, settings)
    assert again.up_to_date and again.embedded_chunks == 0 and again.path == ray_update.path


def test_a_model_that_cannot_load_on_the_workers_is_reported_as_such(tmp_path: Path, ray_address: str) -> None:  # noqa: F811
    settings = Settings(index_dir=tmp_path / "indexes", embedding_model="hashing:many")
    corpus = write_corpus(tmp_path / "corpus.jsonl")
    with pytest.raises(WebqaError, match="needs a whole number of dimensions") as caught:
        build_on_ray("broken", corpus, settings, actors=1)
    assert type(caught.value) is WebqaError  # the worker's own error, not Ray's wrapper with its traceback
    assert not (tmp_path / "indexes" / "broken" / "CURRENT").exists()  # nothing half-built was published


def test_cli_index_build_on_ray(
    tmp_path: Path,
    ray_address: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from webqa.cli import main

    monkeypatch.setenv("WEBQA_INDEX_DIR", str(tmp_path / "indexes"))
    monkeypatch.setenv("WEBQA_EMBEDDING_MODEL", "hashing:256")
    corpus = write_corpus(tmp_path / "corpus.jsonl")
    # --ray alone, right before the sources: the corpus path is not taken for an address.
    assert main(["index", "build", "--ray", str(corpus), "--name", "kb", "--ray-actors", "1", "--json", "-q"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == len(SAMPLE_DOCUMENTS) and report["embedded_chunks"] == report["chunks"]
    assert set(report["stage_seconds"]) == {"read", "chunk_and_embed", "write"}
    assert main(["index", "search", "kb", "Lothair", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["doc_id"] == "lothair"
    assert main(["index", "build", str(corpus), "--name", "kb", "--ray-actors", "2"]) == 2  # needs --ray
    assert "add --ray" in capsys.readouterr().err


def test_without_ray_installed_index_build_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from webqa.cli import main

    monkeypatch.setenv("WEBQA_INDEX_DIR", str(tmp_path / "indexes"))
    monkeypatch.setitem(sys.modules, "ray", None)
    assert main(["index", "build", str(write_corpus(tmp_path / "c.jsonl")), "--name", "kb", "--ray"]) == 1
    err = capsys.readouterr().err
    assert "pip install 'webqa[ray]'" in err and "Traceback" not in err


@pytest.mark.slow
def test_a_ray_build_with_the_real_minilm_is_the_local_build(tmp_path: Path, ray_address: str) -> None:  # noqa: F811
    settings = Settings(index_dir=tmp_path / "indexes", embedding_model="minilm", embedding_backend="onnx", **CHUNKING)
    corpus = write_corpus(tmp_path / "corpus.jsonl", SAMPLE_DOCUMENTS + HOTPOT_STYLE)
    local = build_index("local", [str(corpus)], settings, progress=False)
    remote = build_on_ray("ray", corpus, settings, actors=2, batch_size=8)
    # fp32: batches differ (and so does padding), which is float noise only.
    assert_same_index(local, remote, settings, atol=1e-5)


@pytest.mark.slow
def test_a_ray_build_with_the_int8_minilm_matches_the_local_build(tmp_path: Path, ray_address: str) -> None:  # noqa: F811
    settings = Settings(index_dir=tmp_path / "indexes", embedding_model="minilm", **CHUNKING)
    assert settings.embedding_backend == "onnx-int8"  # the default
    corpus = write_corpus(tmp_path / "corpus.jsonl", SAMPLE_DOCUMENTS + HOTPOT_STYLE)
    local = build_index("local", [str(corpus)], settings, progress=False)
    remote = build_on_ray("ray", corpus, settings, actors=2, batch_size=8)
    local_vectors, ray_vectors = (load_embeddings(Path(r.path)) for r in (local, remote))
    # Dynamic int8 quantisation scales activations per batch, so a text's vector depends a little on the texts
    # embedded with it (cosine ~0.99 between a text alone and in a batch): close, not equal. Everything
    # else (chunks, manifest with its backend) is the same.
    assert local_vectors.shape == ray_vectors.shape
    cosines = np.sum(np.asarray(local_vectors) * np.asarray(ray_vectors), axis=1)
    assert cosines.min() > 0.97, cosines.min()
    manifests = [
        read_manifest(Path(r.path)).model_dump(exclude={"name", "built_at", "build_seconds"}) for r in (local, remote)
    ]
    assert manifests[0] == manifests[1]


def test_a_missing_source_is_reported_before_ray_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from webqa.distributed import ray_index
    from webqa.errors import InputError

    def no_cluster(address: str):  # noqa: ANN202 - stands in for ray_session
        raise AssertionError("Ray was started for a build whose source does not exist")

    monkeypatch.setattr(ray_index, "ray_session", no_cluster)
    settings = Settings(index_dir=tmp_path / "indexes", embedding_model="hashing:64")
    with pytest.raises(InputError, match="Source not found"):
        ray_index.build_index_on_ray("docs", [str(tmp_path / "missing.jsonl")], settings, address="local")
