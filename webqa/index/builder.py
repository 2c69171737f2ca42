"""Build or incrementally rebuild an index: only new or changed documents are embedded."""

from __future__ import annotations

import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from webqa import __version__
from webqa.config import Settings
from webqa.errors import InputError, WebqaError
from webqa.index.backends import backend_for
from webqa.index.checks import built_backend
from webqa.index.chunking import chunk_document, embedding_text
from webqa.index.definitions import resolve_sources
from webqa.index.dense import DenseIndex, load_embeddings
from webqa.index.embedders import Embedder, EmbedderOptions, LazyEmbedder
from webqa.index.layout import build_lock, current_build, index_root, new_build_folder, publish, remove_stale
from webqa.index.manifest import (
    FORMAT_VERSION,
    Chunking,
    Manifest,
    ManifestError,
    read_manifest,
    write_manifest,
)
from webqa.index.search import open_index
from webqa.index.sources import read_sources
from webqa.index.sparse import TOKENIZER, SparseIndex
from webqa.index.store import DocumentStore, write_store
from webqa.types import Chunk, Document

EMBED_BLOCK = 512  # texts per embedder call: big enough to batch well, small enough for a live progress bar


@dataclass
class BuildReport:
    name: str
    path: str
    documents: int
    chunks: int
    added: int
    changed: int
    unchanged: int
    removed: int
    embedded_chunks: int
    reused_chunks: int
    seconds: float
    skipped: list[str] = field(default_factory=list)
    full_rebuild_reason: str | None = None
    up_to_date: bool = False  # nothing changed, so the current build was kept as it is


@dataclass
class _Previous:
    """The current build, when its vectors can be reused (same format, model and chunking)."""

    manifest: Manifest
    folder: Path
    hashes: dict[str, str]
    layout: dict[str, list[tuple[int, int, int]]]  # document id -> (row, start, end) of its chunks
    vectors: np.ndarray


def _up_to_date(
    previous: _Previous, hashes: dict[str, str], settings: Settings, sources: list[str], embedder: Embedder
) -> bool:
    """Same documents, index kind and sources, and the build opens cleanly: a new build would be
    identical, so keep the current one."""
    same = (
        previous.manifest.dense_index == settings.dense_index
        and previous.manifest.sparse_tokenizer == TOKENIZER
        and previous.manifest.sources == [str(Path(s).resolve()) for s in sources]
        and previous.hashes == hashes
    )
    if not same:
        return False
    try:
        open_index(previous.folder.parent.name, settings, embedder=embedder).close()
    except WebqaError:
        return False  # damaged somewhere: rebuild (reusing whatever vectors are intact)
    return True


def _up_to_date_report(
    name: str, previous: _Previous, documents: int, skipped: list[str], started: float
) -> BuildReport:
    chunks = previous.manifest.chunk_count
    return BuildReport(
        name=name,
        path=str(previous.folder),
        documents=documents,
        chunks=chunks,
        added=0,
        changed=0,
        unchanged=documents,
        removed=0,
        embedded_chunks=0,
        reused_chunks=chunks,
        seconds=round(time.perf_counter() - started, 3),
        skipped=skipped,
        up_to_date=True,
    )


def build_index(
    name: str,
    sources: list[str],
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    skip_bad: bool = False,
    progress: bool = True,
) -> BuildReport:
    started = time.perf_counter()
    root = index_root(settings.index_dir, name)
    sources = resolve_sources(name, sources, settings)
    report = read_sources(sources, settings, skip_bad)
    active: Embedder = embedder or LazyEmbedder(settings.embedding_model, EmbedderOptions.from_settings(settings))
    chunking = Chunking(max_chars=settings.chunk_chars, overlap_chars=settings.chunk_overlap_chars)
    hashes = {document.id: document.content_hash() for document in report.documents}
    with build_lock(root):
        remove_stale(root, keep=current_build(root))  # what an earlier killed build left behind
        previous, reason = _load_previous(root, active, chunking)
        if previous is not None and _up_to_date(previous, hashes, settings, sources, active):
            return _up_to_date_report(name, previous, len(report.documents), report.skipped, started)
        tmp = new_build_folder(root)
        try:
            result = _write_build(tmp, report.documents, hashes, previous, active, chunking, settings, progress)
            manifest = Manifest(
                format_version=FORMAT_VERSION,
                name=name,
                embedding_model=active.name,
                embedding_dimension=result.dimension,
                embedding_backend=_recorded_backend(active),
                chunking=chunking,
                dense_index=settings.dense_index,
                sparse_tokenizer=TOKENIZER,
                sources=[str(Path(s).resolve()) for s in sources],
                document_count=len(report.documents),
                chunk_count=result.chunks,
                built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                build_seconds=round(time.perf_counter() - started, 3),
                embedded_chunks=result.embedded,
                reused_chunks=result.chunks - result.embedded,
                webqa_version=__version__,
                documents=hashes,
            )
            # The manifest is written last: a folder without one is never a finished build.
            write_manifest(tmp, manifest)
            final = publish(root, tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    old_ids = set(previous.hashes) if previous else set()
    new_ids = set(hashes)
    changed = sum(1 for d in new_ids & old_ids if previous and previous.hashes[d] != hashes[d])
    return BuildReport(
        name=name,
        path=str(final),
        documents=len(report.documents),
        chunks=result.chunks,
        added=len(new_ids - old_ids),
        changed=changed,
        unchanged=len(new_ids & old_ids) - changed,
        removed=len(old_ids - new_ids),
        embedded_chunks=result.embedded,
        reused_chunks=result.chunks - result.embedded,
        seconds=round(time.perf_counter() - started, 3),
        skipped=report.skipped,
        full_rebuild_reason=reason,
    )


def _recorded_backend(embedder: Embedder) -> str | None:
    """The backend a manifest names. PyTorch (and hashing) builds name none, as before backends existed:
    their manifests stay the same, and a webqa from before this setting still opens them."""
    return None if embedder.backend == backend_for(embedder.name, "torch") else embedder.backend


def _load_previous(root: Path, embedder: Embedder, chunking: Chunking) -> tuple[_Previous | None, str | None]:
    """Reuse the current build's vectors only when they mean the same thing; otherwise say why not."""
    folder = current_build(root)
    if folder is None:
        return None, None
    try:
        manifest = read_manifest(folder)
    except ManifestError as exc:
        return None, f"the previous build cannot be reused ({exc})"
    if manifest.embedding_model != embedder.name:
        return None, f"the embedding model changed ({manifest.embedding_model} -> {embedder.name})"
    if built_backend(manifest) != embedder.backend:
        return None, f"the embedding backend changed ({built_backend(manifest)} -> {embedder.backend})"
    if manifest.chunking != chunking:
        return None, "the chunking settings changed"
    try:
        store = DocumentStore(folder / "store.sqlite")
        try:
            layout = store.chunk_layout()
        finally:
            store.close()
        vectors = load_embeddings(folder)
    except (OSError, ValueError, sqlite3.Error) as exc:  # damage means "re-embed everything", always safe
        return None, f"the previous build is damaged ({type(exc).__name__})"
    if vectors.shape != (manifest.chunk_count, manifest.embedding_dimension):
        return None, "the previous build's embeddings do not match its manifest"
    return _Previous(manifest, folder, manifest.documents, layout, vectors), None


@dataclass
class _Written:
    chunks: int
    embedded: int
    dimension: int


def _write_build(
    folder: Path,
    documents: list[Document],
    hashes: dict[str, str],
    previous: _Previous | None,
    embedder: Embedder,
    chunking: Chunking,
    settings: Settings,
    progress: bool,
) -> _Written:
    chunks: list[Chunk] = []
    reused_rows: list[tuple[int, int]] = []  # (new row, old row)
    fresh_rows: list[int] = []
    for document in documents:
        unchanged = previous is not None and previous.hashes.get(document.id) == hashes[document.id]
        if previous is not None and unchanged and document.id in previous.layout:
            for old_row, start, end in previous.layout[document.id]:
                reused_rows.append((len(chunks), old_row))
                chunks.append(Chunk(document.id, start, end, document.text[start:end], document.title))
        else:
            for chunk in chunk_document(document, chunking.max_chars, chunking.overlap_chars):
                fresh_rows.append(len(chunks))
                chunks.append(chunk)
    if not chunks:
        raise InputError("The sources produced no text to index.")

    # Asking a lazy embedder for its dimension loads the model; reuse the old one's when possible.
    dimension = previous.vectors.shape[1] if previous is not None else embedder.dimension
    vectors = np.zeros((len(chunks), dimension), dtype=np.float32)
    if reused_rows and previous is not None:
        new, old = zip(*reused_rows, strict=True)
        vectors[list(new)] = previous.vectors[list(old)]
    _embed_into(vectors, fresh_rows, [embedding_text(chunks[r]) for r in fresh_rows], embedder, progress)

    write_store(folder / "store.sqlite", ((d, hashes[d.id]) for d in documents), chunks)
    DenseIndex.build(vectors, settings.dense_index).save(folder, vectors)
    SparseIndex.build([embedding_text(c) for c in chunks]).save(folder)
    return _Written(len(chunks), len(fresh_rows), dimension)


def _embed_into(vectors: np.ndarray, rows: list[int], texts: list[str], embedder: Embedder, progress: bool) -> None:
    """Embed in length-sorted blocks (less padding per batch), scattering rows back into place."""
    if not rows:
        return
    from tqdm import tqdm

    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with tqdm(total=len(texts), desc="embedding", unit="chunk", file=sys.stderr, disable=not progress) as bar:
        for begin in range(0, len(order), EMBED_BLOCK):
            block = order[begin : begin + EMBED_BLOCK]
            embedded = embedder.embed([texts[i] for i in block])
            vectors[[rows[i] for i in block]] = embedded
            bar.update(len(block))


def remove_index(name: str, settings: Settings) -> None:
    root = index_root(settings.index_dir, name)
    with build_lock(root):
        remove_stale(root, keep=None)
        (root / "CURRENT").unlink(missing_ok=True)
    shutil.rmtree(root, ignore_errors=True)
