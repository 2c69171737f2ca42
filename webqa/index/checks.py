"""The checks that tell whether a built index can be used, cheap enough for `webqa index list`: the
manifest (format, tokenizer) and the chunk counts of its files, without loading FAISS, BM25 or numpy."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

from webqa.config import Settings
from webqa.errors import IndexDamagedError, IndexIncompatibleError, IndexNotFoundError
from webqa.index.backends import backend_for
from webqa.index.layout import EMBEDDINGS_FILE, current_build, index_root, list_index_names
from webqa.index.manifest import Manifest, ManifestError, ManifestVersionError, read_manifest
from webqa.index.sparse import TOKENIZER, SparseIndex
from webqa.index.store import DocumentStore

_NPY_MAGIC = b"\x93NUMPY"


def inspect_index(name: str, settings: Settings) -> tuple[Path, Manifest]:
    """What `open_index(..., any_model=True)` checks, without loading FAISS, BM25 or a model: the manifest,
    and that the store, the embeddings and the BM25 files hold as many chunks as it says. For listing."""
    folder, manifest = checked_manifest(name, settings)
    try:
        store = DocumentStore(folder / "store.sqlite") if (folder / "store.sqlite").is_file() else None
        if store is None:
            raise FileNotFoundError("store.sqlite is missing")
        try:
            counts = (store.count_documents(), store.count_chunks())
        finally:
            store.close()
        dense_rows = npy_rows(folder / EMBEDDINGS_FILE)
        sparse_rows = SparseIndex.stored_size(folder)
    except (OSError, ValueError, sqlite3.Error, KeyError) as exc:
        raise IndexDamagedError(f"Index '{name}' is damaged ({describe_failure(exc)}). {rebuild_hint(name)}") from None
    check_counts(name, manifest, counts, dense_rows, sparse_rows)
    return folder, manifest


def rebuild_hint(name: str) -> str:
    return f"Rebuild it with: webqa index build --name {name} SOURCE..."


def checked_manifest(name: str, settings: Settings) -> tuple[Path, Manifest]:
    """The current build folder of index NAME and its manifest, if both are there, readable and of this
    format and BM25 tokenizer; otherwise the error that says what to do."""
    root = index_root(settings.index_dir, name)
    rebuild = rebuild_hint(name)
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
    if manifest.sparse_tokenizer != TOKENIZER:
        raise IndexIncompatibleError(
            f"Index '{name}' was built with another BM25 tokenizer ({manifest.sparse_tokenizer}). "
            f"Rebuild it (no re-embedding needed): webqa index build --name {name}"
        )
    return folder, manifest


def check_counts(name: str, manifest: Manifest, counts: tuple[int, int], dense_rows: int, sparse_rows: int) -> None:
    expected = (manifest.document_count, manifest.chunk_count)
    if counts != expected or dense_rows != manifest.chunk_count or sparse_rows != manifest.chunk_count:
        raise IndexDamagedError(
            f"Index '{name}' is damaged: its files disagree (manifest {expected[1]} chunks, store {counts[1]}, "
            f"dense {dense_rows}, bm25 {sparse_rows}). {rebuild_hint(name)}"
        )


def built_backend(manifest: Manifest) -> str:
    """The backend an index's vectors came from; manifests from before backends mean PyTorch."""
    return manifest.embedding_backend or backend_for(manifest.embedding_model, "torch")


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"{Path(str(exc.filename)).name if exc.filename else exc} is missing"
    return f"{type(exc).__name__}: {exc}"


def npy_rows(path: Path) -> int:
    """The first dimension of a saved .npy array, from its header alone (the format is documented by
    numpy: magic, version, header length, then a Python dict literal holding 'shape')."""
    with open(path, "rb") as handle:
        if handle.read(6) != _NPY_MAGIC:
            raise ValueError(f"{path.name} is not a .npy file")
        major = handle.read(2)[0]
        length = int.from_bytes(handle.read(2 if major == 1 else 4), "little")
        header = ast.literal_eval(handle.read(length).decode("latin1"))
    shape = header.get("shape") if isinstance(header, dict) else None
    if not isinstance(shape, tuple) or not shape:
        raise ValueError(f"{path.name} has no array shape in its header")
    return int(shape[0])
