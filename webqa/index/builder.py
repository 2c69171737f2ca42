"""Build or incrementally rebuild an index: only new or changed documents are embedded."""

from __future__ import annotations

import shutil
import sqlite3
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
from webqa.index.chunking import embedding_text
from webqa.index.definitions import resolve_sources
from webqa.index.dense import DenseIndex, load_embeddings
from webqa.index.embedders import Embedder, EmbedderOptions, LazyEmbedder
from webqa.index.fresh_chunks import ChunkEmbedding, LocalChunkEmbedding
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
from webqa.text import SENTENCE_SPLITTER
from webqa.types import Chunk, Document


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
    # Seconds by stage: reading the sources, chunking and embedding what is new, writing the build.
    stage_seconds: dict[str, float] = field(default_factory=dict)


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
    name: str, previous: _Previous, documents: int, skipped: list[str], started: float, read_s: float
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
        stage_seconds={"read": read_s},
    )


def build_index(
    name: str,
    sources: list[str],
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    skip_bad: bool = False,
    progress: bool = True,
    chunk_embedding: ChunkEmbedding | None = None,
) -> BuildReport:
    """Build or update the index `name`. New and changed documents are chunked and embedded by
    `chunk_embedding` (default: here, with `embedder` or the settings' model); only its name is asked of
    `embedder` then, to record it and to tell whether old vectors can be reused."""
    started = time.perf_counter()
    root = index_root(settings.index_dir, name)
    sources = resolve_sources(name, sources, settings)
    report = read_sources(sources, settings, skip_bad)
    active: Embedder = embedder or LazyEmbedder(settings.embedding_model, EmbedderOptions.from_settings(settings))
    chunking = Chunking(
        max_chars=settings.chunk_chars, overlap_chars=settings.chunk_overlap_chars, sentence_splitter=SENTENCE_SPLITTER
    )
    hashes = {document.id: document.content_hash() for document in report.documents}
    read_s = round(time.perf_counter() - started, 3)
    embed_fresh = chunk_embedding or LocalChunkEmbedding(active)
    with build_lock(root):
        remove_stale(root, keep=current_build(root))  # what an earlier killed build left behind
        previous, reason = _load_previous(root, active, chunking)
        if previous is not None and _up_to_date(previous, hashes, settings, sources, active):
            return _up_to_date_report(name, previous, len(report.documents), report.skipped, started, read_s)
        tmp = new_build_folder(root)
        try:
            result = _write_build(tmp, report.documents, hashes, previous, embed_fresh, chunking, settings, progress)
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
        stage_seconds={"read": read_s, "chunk_and_embed": result.embed_s, "write": result.write_s},
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
    if manifest.chunking.sentence_splitter != chunking.sentence_splitter:
        before, after = manifest.chunking.sentence_splitter, chunking.sentence_splitter
        return None, f"the sentence splitter changed ({before} -> {after})"
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
    embed_s: float
    write_s: float  # the store, both indexes: the part one process does, however many embed


def _write_build(
    folder: Path,
    documents: list[Document],
    hashes: dict[str, str],
    previous: _Previous | None,
    embed_fresh: ChunkEmbedding,
    chunking: Chunking,
    settings: Settings,
    progress: bool,
) -> _Written:
    started = time.perf_counter()

    def reusable(document: Document) -> bool:
        return (
            previous is not None
            and previous.hashes.get(document.id) == hashes[document.id]
            and document.id in previous.layout
        )

    fresh = embed_fresh([d for d in documents if not reusable(d)], chunking, progress)
    fresh_chunks = iter(fresh.chunks)
    chunks: list[Chunk] = []
    reused_rows: list[tuple[int, int]] = []  # (new row, old row)
    fresh_rows: list[int] = []
    for document in documents:
        if previous is not None and reusable(document):
            for old_row, start, end in previous.layout[document.id]:
                reused_rows.append((len(chunks), old_row))
                chunks.append(Chunk(document.id, start, end, document.text[start:end], document.title))
        else:
            for chunk in next(fresh_chunks):
                fresh_rows.append(len(chunks))
                chunks.append(chunk)
    if not chunks:
        raise InputError("The sources produced no text to index.")

    if previous is not None:
        dimension = previous.vectors.shape[1]
    else:
        assert fresh.vectors is not None  # every chunk is fresh, and there are chunks
        dimension = fresh.vectors.shape[1]
    vectors = np.zeros((len(chunks), dimension), dtype=np.float32)
    if reused_rows and previous is not None:
        new, old = zip(*reused_rows, strict=True)
        vectors[list(new)] = previous.vectors[list(old)]
    if fresh_rows:
        assert fresh.vectors is not None and len(fresh.vectors) == len(fresh_rows)
        vectors[fresh_rows] = fresh.vectors
    embedded = time.perf_counter()

    write_store(folder / "store.sqlite", ((d, hashes[d.id]) for d in documents), chunks)
    DenseIndex.build(vectors, settings.dense_index).save(folder, vectors)
    SparseIndex.build([embedding_text(c) for c in chunks]).save(folder)
    written = time.perf_counter()
    return _Written(len(chunks), len(fresh_rows), dimension, round(embedded - started, 3), round(written - embedded, 3))


def remove_index(name: str, settings: Settings) -> None:
    root = index_root(settings.index_dir, name)
    with build_lock(root):
        remove_stale(root, keep=None)
        (root / "CURRENT").unlink(missing_ok=True)
    shutil.rmtree(root, ignore_errors=True)
