"""How a build turns its new and changed documents into chunks and vectors: here, in this process, or
elsewhere (webqa.distributed.ray_index runs the same chunking and embedder on a Ray cluster). The builder
does everything else (reuse of unchanged vectors, the store, the indexes, the manifest, the swap), so the
two ways give the same index."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from webqa.index.chunking import chunk_document, embedding_text
from webqa.index.embedders import Embedder
from webqa.index.manifest import Chunking
from webqa.types import Chunk, Document

EMBED_BLOCK = 512  # texts per embedder call: big enough to batch well, small enough for a live progress bar


@dataclass
class FreshChunks:
    """Per document (in the order given), its chunks; `vectors` holds one row per chunk, in the order of the
    documents and then of their chunks, or is None when the documents gave no chunk at all."""

    chunks: list[list[Chunk]]
    vectors: np.ndarray | None


class ChunkEmbedding(Protocol):
    """Chunks and embeds documents, returning them in the order given (whatever order the work ran in)."""

    def __call__(self, documents: Sequence[Document], chunking: Chunking, progress: bool) -> FreshChunks: ...


class LocalChunkEmbedding:
    """Chunking and embedding in this process, with one embedder."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, documents: Sequence[Document], chunking: Chunking, progress: bool) -> FreshChunks:
        per_document = [chunk_document(d, chunking.max_chars, chunking.overlap_chars) for d in documents]
        texts = [embedding_text(chunk) for chunks in per_document for chunk in chunks]
        if not texts:
            return FreshChunks(per_document, None)
        # Asking a lazy embedder for its dimension loads the model: only now that there is text to embed.
        vectors = np.zeros((len(texts), self.embedder.dimension), dtype=np.float32)
        _embed_into(vectors, texts, self.embedder, progress)
        return FreshChunks(per_document, vectors)


def _embed_into(vectors: np.ndarray, texts: list[str], embedder: Embedder, progress: bool) -> None:
    """Embed in length-sorted blocks (less padding per batch), scattering rows back into place."""
    from tqdm import tqdm

    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with tqdm(total=len(texts), desc="embedding", unit="chunk", file=sys.stderr, disable=not progress) as bar:
        for begin in range(0, len(order), EMBED_BLOCK):
            block = order[begin : begin + EMBED_BLOCK]
            vectors[block] = embedder.embed([texts[i] for i in block])
            bar.update(len(block))
