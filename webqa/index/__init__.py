"""The local document index: sources -> chunks -> dense (FAISS) + sparse (BM25) retrieval, hybrid search."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from webqa.index.builder import BuildReport, build_index
    from webqa.index.search import Index, open_index

__all__ = ["BuildReport", "Index", "build_index", "open_index"]

# Loaded on first use (PEP 562), so that importing a light submodule such as webqa.index.layout does not
# pull in the builder and the search stack with it.
_HOMES = {"BuildReport": "builder", "build_index": "builder", "Index": "search", "open_index": "search"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"webqa.index.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'webqa.index' has no attribute {name!r}")
