"""Embedding backends in manifests: what an index records, when a rebuild re-embeds, which backend embeds
queries against an index, and the cheap checks that `webqa index list` runs."""

import json
from pathlib import Path

import numpy as np
import pytest

from tests.fakes import CountingEmbedder
from webqa.errors import IndexDamagedError, IndexIncompatibleError
from webqa.index import build_index, open_index
from webqa.index.backends import query_backend, same_vectors
from webqa.index.checks import inspect_index, npy_rows
from webqa.index.embedders import EmbedderOptions, LazyEmbedder
from webqa.index.layout import current_build
from webqa.index.manifest import MANIFEST_FILE


def _embedder(backend: str, name: str | None = None) -> CountingEmbedder:
    """Hashing vectors presented as if a given backend (of a given model) had made them."""
    embedder = CountingEmbedder()
    embedder.backend = backend
    embedder.name = name or embedder.name
    return embedder


def _build(corpus: Path, settings, embedder):  # noqa: ANN001, ANN202
    return build_index("kb", [str(corpus)], settings, embedder=embedder, progress=False)


def _manifest(settings) -> dict:  # noqa: ANN001
    folder = current_build(settings.index_dir / "kb")
    assert folder is not None
    return json.loads((folder / MANIFEST_FILE).read_text())


@pytest.mark.parametrize(
    ("built_with", "requested", "queried_with"),
    [
        ("onnx-int8", "onnx-int8", "onnx-int8"),
        ("onnx-int8", "onnx", "onnx-int8"),  # int8 document vectors need int8 query vectors
        ("onnx-int8", "torch", "onnx-int8"),
        ("onnx", "torch", "torch"),  # fp32 ONNX and PyTorch make the same vectors
        ("torch", "onnx", "onnx"),
        ("torch", "onnx-int8", "onnx"),  # an index not rebuilt yet is queried without torch, at fp32
        ("torch", "torch", "torch"),
    ],
)
def test_queries_are_embedded_by_a_backend_that_makes_the_index_s_kind_of_vectors(built_with, requested, queried_with):
    chosen = query_backend(built_with, requested)
    assert chosen == queried_with
    assert same_vectors(built_with, chosen)


def test_a_build_records_its_backend_and_a_changed_backend_re_embeds_everything(corpus, settings):
    first = _build(corpus, settings, _embedder("onnx-int8"))
    assert _manifest(settings)["embedding_backend"] == "onnx-int8"

    same = _embedder("onnx-int8")
    assert _build(corpus, settings, same).up_to_date and same.calls == 0

    other = _embedder("onnx")
    report = _build(corpus, settings, other)
    assert report.full_rebuild_reason == "the embedding backend changed (onnx-int8 -> onnx)"
    assert report.embedded_chunks == report.chunks == first.chunks and other.calls > 0
    assert _manifest(settings)["embedding_backend"] == "onnx"


def test_an_embedder_whose_vectors_differ_from_the_index_s_is_refused_with_the_rebuild_command(corpus, settings):
    _build(corpus, settings, _embedder("onnx-int8"))
    with pytest.raises(IndexIncompatibleError, match=r"'onnx-int8' embedding backend.*webqa index build --name kb"):
        open_index("kb", settings, embedder=_embedder("torch"))
    assert open_index("kb", settings, embedder=_embedder("onnx-int8")).search("Everest", 1)


def test_a_manifest_from_before_backends_means_pytorch_vectors(corpus, settings):
    _build(corpus, settings, _embedder("torch", "minilm"))
    assert "embedding_backend" not in _manifest(settings)
    open_index("kb", settings, embedder=_embedder("onnx", "minilm")).close()  # fp32 ONNX matches PyTorch
    with pytest.raises(IndexIncompatibleError, match="'torch' embedding backend"):
        open_index("kb", settings, embedder=_embedder("onnx-int8", "minilm"))


def test_a_pytorch_build_writes_the_manifest_of_before_backends(corpus, settings):
    _build(corpus, settings, _embedder("torch", "minilm"))
    assert "embedding_backend" not in _manifest(settings)  # so an older webqa still opens it
    _build(corpus, settings, CountingEmbedder())
    assert "embedding_backend" not in _manifest(settings)


def test_the_hashing_embedder_has_no_model_backend_whatever_the_setting(settings):
    lazy = LazyEmbedder("hashing:64", EmbedderOptions(backend="torch"))
    assert lazy.backend == "numpy" and lazy.embed(["a b"]).shape == (1, 64)


def test_an_unknown_backend_is_a_message_not_a_traceback():
    from webqa.errors import WebqaError
    from webqa.index.embedders import load_embedder

    with pytest.raises(WebqaError, match="Unknown embedding backend 'cuda'"):
        load_embedder("minilm", EmbedderOptions(backend="cuda"))


def test_npy_rows_reads_the_shape_from_the_header(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros((7, 3), dtype=np.float32))
    assert npy_rows(tmp_path / "a.npy") == 7
    (tmp_path / "b.npy").write_bytes(b"not numpy at all")
    with pytest.raises(ValueError, match="not a .npy file"):
        npy_rows(tmp_path / "b.npy")


def test_inspect_index_finds_the_damage_that_opening_finds(corpus, settings, embedder):
    _build(corpus, settings, embedder)
    folder, manifest = inspect_index("kb", settings)
    assert manifest.chunk_count == 5 and folder == current_build(settings.index_dir / "kb")
    vectors = np.load(folder / "embeddings.npy")
    np.save(folder / "embeddings.npy", vectors[:-1])
    with pytest.raises(IndexDamagedError, match="files disagree"):
        inspect_index("kb", settings)
    with pytest.raises(IndexDamagedError, match="files disagree"):
        open_index("kb", settings, embedder=embedder)
    (folder / "bm25" / "params.index.json").unlink()
    with pytest.raises(IndexDamagedError, match="params.index.json is missing"):
        inspect_index("kb", settings)


def test_the_cli_s_search_modes_are_the_index_s():
    from webqa.cli.index_commands import MODES as CLI_MODES
    from webqa.index.search import MODES

    assert CLI_MODES == MODES
