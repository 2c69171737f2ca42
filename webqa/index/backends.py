"""Embedding backends: what computes an index's vectors, and which backends may embed queries against them.

Kept apart from the embedders (and free of numpy) so that listing indexes can reason about them cheaply."""

from __future__ import annotations

# What runs a neural model: onnxruntime on the int8 or fp32 export, or sentence-transformers on PyTorch.
BACKENDS = ("onnx-int8", "onnx", "torch")
# Backends whose vectors are the same numbers (ONNX fp32 equals PyTorch within 1e-4 cosine, tested).
FP32_BACKENDS = frozenset({"onnx", "torch"})
HASHING_BACKEND = "numpy"


def backend_for(spec: str, requested: str) -> str:
    """The backend that `requested` means for a spec: hashing vectors need no model, so no backend."""
    return HASHING_BACKEND if spec.partition(":")[0] == "hashing" else requested


def same_vectors(built_with: str, query_with: str) -> bool:
    """Whether queries embedded by one backend may be searched against vectors made by another."""
    return built_with == query_with or {built_with, query_with} <= FP32_BACKENDS


def query_backend(built_with: str, requested: str) -> str:
    """The backend that embeds queries for an index built with `built_with`: the requested one when it
    makes the same vectors, else the index's own (an index of PyTorch vectors gets the fp32 ONNX export,
    which matches them and needs no torch). So int8 query vectors never meet fp32 document vectors."""
    if same_vectors(built_with, requested):
        return requested
    return "onnx" if built_with == "torch" else built_with
