"""Open a built index (checking it is whole and compatible) and search it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from webqa.config import Settings
from webqa.errors import IndexDamagedError, IndexIncompatibleError, IndexNotFoundError
from webqa.index.dense import DenseIndex
from webqa.index.embedders import Embedder, EmbedderOptions, backend_for, load_embedder, query_backend, same_vectors
from webqa.index.layout import current_build, folder_size, index_root, list_index_names
from webqa.index.manifest import Manifest, ManifestError, ManifestVersionError, read_manifest
from webqa.index.retrievers import DenseRetriever, HybridRetriever, Retriever, SparseRetriever
from webqa.index.sparse import TOKENIZER, SparseIndex
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


def open_index(name: str, settings: Settings, embedder: Embedder | None = None, *, any_model: bool = False) -> Index:
    """Open index NAME, or explain exactly why it cannot be used and what to run instead. With `any_model`
    an index built with another embedding model opens too (for listing; its own model serves searches)."""
    root = index_root(settings.index_dir, name)
    rebuild = f"Rebuild it with: webqa index build --name {name} SOURCE..."
    folder = current_build(root)
    if folder is None:
        known = list_index_names(settings.index_dir)
        listing = f" Built indexes: {', '.join(known)}." if known else ""
        raise IndexNotFoundError(
            f"No index named '{name}' in {settings.index_dir}.{listing} "
            f"Build one with: webqa index build SOURCE... --name {name}"
        )
    if not folder.is_dir():
        raise IndexDamagedError(f"Index '{name}' is damaged: its build folder {folder.name} is missing. {rebuild}")
    try:
        manifest = read_manifest(folder)
    except ManifestVersionError as exc:
        raise IndexIncompatibleError(f"Index '{name}' was built by another webqa version ({exc}). {rebuild}") from None
    except ManifestError as exc:
        raise IndexDamagedError(f"Index '{name}' is damaged: {exc}. {rebuild}") from None
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
    if manifest.sparse_tokenizer != TOKENIZER:
        raise IndexIncompatibleError(
            f"Index '{name}' was built with another BM25 tokenizer ({manifest.sparse_tokenizer}). "
            f"Rebuild it (no re-embedding needed): webqa index build --name {name}"
        )
    return _load_parts(name, folder, manifest, settings, embedder, rebuild)


def built_backend(manifest: Manifest) -> str:
    """The backend an index's vectors came from; manifests from before backends mean PyTorch."""
    return manifest.embedding_backend or backend_for(manifest.embedding_model, "torch")


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
        raise IndexDamagedError(f"Index '{name}' is damaged ({_describe(exc)}). {rebuild}") from None
    expected = (manifest.document_count, manifest.chunk_count)
    if counts != expected or dense.size != manifest.chunk_count or sparse.size != manifest.chunk_count:
        store.close()
        raise IndexDamagedError(
            f"Index '{name}' is damaged: its files disagree (manifest {expected[1]} chunks, store {counts[1]}, "
            f"dense {dense.size}, bm25 {sparse.size}). {rebuild}"
        )
    return Index(name, folder, manifest, store, dense, sparse, settings, embedder)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"{Path(str(exc.filename)).name if exc.filename else exc} is missing"
    return f"{type(exc).__name__}: {exc}"
