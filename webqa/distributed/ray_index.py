"""`webqa index build --ray`: chunking and embedding as a Ray Data pipeline feeding the same builder.

The driver reads the sources and hashes the documents (the manifest needs every hash), so the builder
decides as it always does which documents are new or changed. Only those go to the cluster:

    documents -> map_batches(chunk, tasks) -> map_batches(embed, actors holding the model once each)

and come back as (document, chunk number, start, end, vector) rows, put back in document order here, so
the builder writes the very store, indexes and manifest a local build writes, and swaps them in the same
way. The chunker and the embedder are webqa's own (chunk_document, load_embedder), run on the workers.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from webqa.config import Settings
from webqa.distributed.cluster import cluster_cpus, ray_session, task_failure
from webqa.errors import WebqaError
from webqa.index.builder import BuildReport, build_index
from webqa.index.chunking import chunk_document, embedding_text
from webqa.index.definitions import resolve_sources
from webqa.index.embedders import Embedder, EmbedderOptions, load_embedder
from webqa.index.fresh_chunks import EMBED_BLOCK, FreshChunks
from webqa.index.manifest import Chunking
from webqa.index.sources import check_sources_exist
from webqa.types import Chunk, Document

DOCUMENTS_PER_BLOCK = 200  # at most, per Ray Data block: a big corpus is spread in pieces the actors share
BLOCKS_PER_ACTOR = 4  # at least, so that a small corpus keeps every actor busy too


def build_index_on_ray(
    name: str,
    sources: list[str],
    settings: Settings,
    *,
    address: str | None = None,
    actors: int | None = None,
    batch_size: int = EMBED_BLOCK,
    skip_bad: bool = False,
    progress: bool = True,
) -> BuildReport:
    """build_index() with the chunking and embedding of new and changed documents on Ray: `actors`
    embedding actors (default: one per CPU of the cluster), `batch_size` chunks per embedder call."""
    if actors is not None and actors < 1:
        raise ValueError(f"actors must be at least 1, got {actors}")
    sources = resolve_sources(name, sources, settings)
    check_sources_exist(sources)  # before Ray starts: that takes seconds
    with ray_session(address) as ray:
        chunk_embedding = RayChunkEmbedding(
            settings.embedding_model, actors or cluster_cpus(ray), batch_size, EmbedderOptions.from_settings(settings)
        )
        return build_index(
            name, sources, settings, skip_bad=skip_bad, progress=progress, chunk_embedding=chunk_embedding
        )


class RayChunkEmbedding:
    """A ChunkEmbedding (webqa.index.fresh_chunks) on the Ray cluster this process is connected to."""

    def __init__(self, embedding_model: str, actors: int, batch_size: int, options: EmbedderOptions) -> None:
        self.embedding_model = embedding_model
        self.actors = actors
        self.batch_size = batch_size
        self.options = options  # the backend too: the manifest records the local embedder's

    def __call__(self, documents: Sequence[Document], chunking: Chunking, progress: bool) -> FreshChunks:
        if not documents:
            return FreshChunks([], None)
        import ray
        import ray.data

        # Ray Data sets up its loggers when first imported: quieted here, after that (see cluster.py).
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # the driver shows its own bar, below
        context.print_on_execution_start = False
        context.raise_original_map_exception = True  # a worker's WebqaError, not Ray's wrapper around it
        rows = [{"position": i, "id": d.id, "title": d.title, "text": d.text} for i, d in enumerate(documents)]
        dataset = (
            ray.data.from_items(rows, override_num_blocks=_blocks_for(len(rows), self.actors))
            .map_batches(
                functools.partial(chunk_rows, max_chars=chunking.max_chars, overlap_chars=chunking.overlap_chars)
            )
            .map_batches(
                EmbeddingActor,
                fn_constructor_args=(self.embedding_model, self.options),
                batch_size=self.batch_size,
                compute=ray.data.ActorPoolStrategy(size=self.actors),
                num_cpus=1,
            )
        )
        try:
            return _collect(dataset, documents, progress)
        except Exception as exc:
            ours = _our_error(ray, exc)
            if ours is exc:
                raise
            raise ours from None


def _blocks_for(documents: int, actors: int) -> int:
    """Enough blocks that every actor gets work (a block goes to one actor), and no block is huge."""
    return max(1, min(documents, max(actors * BLOCKS_PER_ACTOR, -(-documents // DOCUMENTS_PER_BLOCK))))


def _collect(dataset: Any, documents: Sequence[Document], progress: bool) -> FreshChunks:
    """The pipeline's rows, in whatever order they finish, back into document and chunk order."""
    from tqdm import tqdm

    columns: dict[str, list[np.ndarray]] = {key: [] for key in ("position", "number", "start", "end", "vector")}
    with tqdm(desc="embedding on Ray", unit="chunk", file=sys.stderr, disable=not progress) as bar:
        for batch in dataset.iter_batches(batch_format="numpy", batch_size=None):
            for key, parts in columns.items():
                parts.append(np.asarray(batch[key]))
            bar.update(len(batch["position"]))
    per_document: list[list[Chunk]] = [[] for _ in documents]
    if not columns["position"] or sum(len(p) for p in columns["position"]) == 0:
        return FreshChunks(per_document, None)
    position, number, start, end = (np.concatenate(columns[key]) for key in ("position", "number", "start", "end"))
    order = np.lexsort((number, position))
    for row in order:
        document = documents[int(position[row])]
        first, last = int(start[row]), int(end[row])
        per_document[int(position[row])].append(
            Chunk(document.id, first, last, document.text[first:last], document.title)
        )
    vectors = np.concatenate(columns["vector"])[order]
    return FreshChunks(per_document, np.ascontiguousarray(vectors, dtype=np.float32))


def chunk_rows(batch: dict[str, np.ndarray], max_chars: int, overlap_chars: int) -> dict[str, np.ndarray]:
    """Ray Data stage: documents -> one row per chunk, with the text the embedder sees."""
    out: dict[str, list[Any]] = {key: [] for key in ("position", "number", "start", "end", "embedding_text")}
    for position, doc_id, title, text in zip(
        batch["position"], batch["id"], batch["title"], batch["text"], strict=True
    ):
        document = Document(str(doc_id), str(title), str(text))
        for number, chunk in enumerate(chunk_document(document, max_chars, overlap_chars)):
            out["position"].append(int(position))
            out["number"].append(number)
            out["start"].append(chunk.start)
            out["end"].append(chunk.end)
            out["embedding_text"].append(embedding_text(chunk))
    return {
        "position": np.asarray(out["position"], dtype=np.int64),
        "number": np.asarray(out["number"], dtype=np.int64),
        "start": np.asarray(out["start"], dtype=np.int64),
        "end": np.asarray(out["end"], dtype=np.int64),
        "embedding_text": np.asarray(out["embedding_text"], dtype=object),
    }


class EmbeddingActor:
    """Ray Data stage, one per actor: the embedding model is loaded once, when the actor starts."""

    def __init__(self, embedding_model: str, options: EmbedderOptions) -> None:
        self.embedder: Embedder | None = None
        self.setup_error: WebqaError | None = None
        try:
            self.embedder = load_embedder(embedding_model, options)
        except WebqaError as exc:
            # Raised from the first batch instead: Ray reports an actor that fails to start only as a dead
            # actor, and keeps the message in its text, not as the exception the driver could show.
            self.setup_error = exc

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if self.setup_error is not None:
            raise self.setup_error
        assert self.embedder is not None
        vectors = self.embedder.embed([str(text) for text in batch["embedding_text"]])
        kept = {key: batch[key] for key in ("position", "number", "start", "end")}
        return {**kept, "vector": vectors}


def _our_error(ray: Any, exc: Exception) -> Exception:
    """A failure of webqa's own code on a worker (a model that cannot load) as its own exception, with its
    message; Ray's wrapping, with the worker's traceback, only for what is not ours."""
    seen: BaseException | None = exc
    while seen is not None:
        unwrapped = task_failure(ray, seen)  # first: Ray's wrapper is itself an instance of the cause's class
        if unwrapped is None and isinstance(seen, WebqaError):
            return seen
        seen = unwrapped or seen.__cause__
    return exc
