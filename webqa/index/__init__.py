"""The local document index: sources -> chunks -> dense (FAISS) + sparse (BM25) retrieval, hybrid search."""

from webqa.index.builder import BuildReport, build_index
from webqa.index.search import Index, open_index

__all__ = ["BuildReport", "Index", "build_index", "open_index"]
