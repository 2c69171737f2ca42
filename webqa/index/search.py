"""Open a built index (checking it is whole and compatible) and search it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from webqa.config import Settings
from webqa.errors import IndexDamagedError, IndexIncompatibleError
from webqa.index.backends import query_backend, same_vectors
from webqa.index.checks import built_backend, check_counts, checked_manifest, describe_failure, rebuild_hint
from webqa.index.dense import DenseIndex
from webqa.index.embedders import Embedder, EmbedderOptions, load_embedder
from webqa.index.layout import folder_size
from webqa.index.manifest import Manifest
from webqa.index.retrievers import DenseRetriever, HybridRetriever, Retriever, SparseRetriever
from webqa.index.sparse import SparseIndex
from webqa.index.store import DocumentStore
from webqa.types import Document, SearchHit

MODES = ("hybrid", "dense", "sparse")


class Index:
    """A built index: its manifest, document store, and dense/sparse/hybrid retrievers."""

    def __init__(
        self,
        name: str,
        folder: Path,
        manifest: Manifest,
        store: DocumentStore,
        dense: DenseIndex,
        sparse: SparseIndex,
        settings: Settings,
        embedder: Embedder | None = None,
    ) -> None:
        self.name, self.folder, self.manifest, self.store = name, folder, manifest, store
        self.settings = settings
        self._embedder = embedder
        dense_retriever = DenseRetriever(store, dense, self.embedder)
        sparse_retriever = SparseRetriever(store, sparse)
        self.retrievers: dict[str, Retriever] = {
            "dense": dense_retriever,
            "sparse": sparse_retriever,
            "hybrid": HybridRetriever(
                dense_retriever, sparse_retriever, settings.fusion, settings.rrf_k, settings.dense_weight
            ),
        }

    def embedder(self) -> Embedder:
        """Loaded on first dense search, so BM25-only use never pays for the model."""
        if self._embedder is None:
            backend = query_backend(built_backend(self.manifest), self.settings.embedding_backend)
            options = EmbedderOptions.from_settings(self.settings).with_backend(backend)
            self._embedder = load_embedder(self.manifest.embedding_model, options)
        return self._embedder

    def search(self, query: str, k: int | None = None, mode: str = "hybrid") -> list[SearchHit]:
        if mode not in self.retrievers:
            raise ValueError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        return self.retrievers[mode].search(query, k or self.settings.search_k)

    def get_document(self, doc_id: str) -> Document | None:
        return self.store.get_document(doc_id)

    def info(self) -> dict[str, object]:
        return {**self.manifest.summary(), "path": str(self.folder), "size_bytes": folder_size(self.folder)}

    def close(self) -> None:
        self.store.close()


# Every setting open_index (and the embedder it loads) reads: two settings that agree on these open the
# same index, searched the same way, so a process can share one opened copy between them.
INDEX_FIELDS = (
    "default_index",
    "index_dir",
    "embedding_model",
    "embedding_backend",
    "embedding_batch_size",
    "embedding_cache_dir",
    "fusion",
    "dense_weight",
    "rrf_k",
    "search_k",
)


def index_key(settings: Settings) -> str:
    """What decides the index a setting opens: the INDEX_FIELDS, as JSON."""
    return settings.model_dump_json(include=set(INDEX_FIELDS))


def open_index(name: str, settings: Settings, embedder: Embedder | None = None, *, any_model: bool = False) -> Index:
    """Open index NAME, or explain exactly why it cannot be used and what to run instead. With `any_model`
    an index built with another embedding model opens too (for listing; its own model serves searches)."""
    folder, manifest = checked_manifest(name, settings)
    rebuild = rebuild_hint(name)
    wanted = embedder.name if embedder is not None else settings.embedding_model
    if manifest.embedding_model != wanted and not any_model:
        raise IndexIncompatibleError(
            f"Index '{name}' was built with embedding model '{manifest.embedding_model}', but the current "
            f"setting is '{wanted}'. Set WEBQA_EMBEDDING_MODEL={manifest.embedding_model}, or rebuild it: "
            f"webqa index build --name {name}"
        )
    if embedder is not None and not any_model and not same_vectors(built_backend(manifest), embedder.backend):
        raise IndexIncompatibleError(
            f"Index '{name}' was built with the '{built_backend(manifest)}' embedding backend, whose vectors the "
            f"'{embedder.backend}' embedder does not reproduce. Rebuild it: webqa index build --name {name}"
        )
    return _load_parts(name, folder, manifest, settings, embedder, rebuild)


def _load_parts(
    name: str,
    folder: Path,
    manifest: Manifest,
    settings: Settings,
    embedder: Embedder | None,
    rebuild: str,
) -> Index:
    store_path = folder / "store.sqlite"
    try:
        if not store_path.is_file():
            raise FileNotFoundError("store.sqlite is missing")
        store = DocumentStore(store_path)
        counts = (store.count_documents(), store.count_chunks())
        dense = DenseIndex.load(folder, manifest.dense_index)
        sparse = SparseIndex.load(folder)
    except (OSError, ValueError, RuntimeError, sqlite3.Error, KeyError) as exc:
        raise IndexDamagedError(f"Index '{name}' is damaged ({describe_failure(exc)}). {rebuild}") from None
    try:
        check_counts(name, manifest, counts, dense.size, sparse.size)
    except IndexDamagedError:
        store.close()
        raise
    return Index(name, folder, manifest, store, dense, sparse, settings, embedder)
