"""The GGUF export writes llama.cpp's layout: unchanged weights come back byte for byte."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from webqa.errors import WebqaError
from webqa.train.gguf_export import export_gguf, gguf_name, permute_for_llama_cpp

gguf = pytest.importorskip("gguf")


def _unpermute(weights: np.ndarray, heads: int) -> np.ndarray:
    """What transformers does to a GGUF's query/key weights as it loads them (its own formula, reimplemented)."""
    dim = weights.shape[0] // heads // 2
    return weights.reshape(heads, dim, 2, *weights.shape[1:]).swapaxes(2, 1).reshape(weights.shape)


def test_names_follow_llama_cpp():
    assert gguf_name("model.layers.3.self_attn.q_proj.weight") == "blk.3.attn_q.weight"
    assert gguf_name("model.layers.12.mlp.down_proj.weight") == "blk.12.ffn_down.weight"
    with pytest.raises(WebqaError, match="llama block projections only"):
        gguf_name("model.embed_tokens.weight")


def test_the_permutation_is_the_inverse_of_the_one_transformers_undoes():
    weights = np.arange(12 * 4, dtype=np.float32).reshape(12, 4)
    assert np.array_equal(permute_for_llama_cpp(_unpermute(weights, 3), 3), weights)
    assert not np.array_equal(permute_for_llama_cpp(weights, 3), weights)


@pytest.mark.slow
def test_weights_loaded_and_written_back_unchanged_reproduce_the_embedded_model_exactly(tmp_path):
    from webqa.llm import embedded_model_path

    base = embedded_model_path()
    tensors = {t.name: t for t in gguf.GGUFReader(base).tensors}
    q, v = tensors["blk.0.attn_q.weight"], tensors["blk.0.attn_v.weight"]
    as_loaded = {
        "model.layers.0.self_attn.q_proj.weight": _unpermute(gguf.quants.dequantize(q.data, q.tensor_type), 9),
        "model.layers.0.self_attn.v_proj.weight": gguf.quants.dequantize(v.data, v.tensor_type),
    }
    out = tmp_path / "same.gguf"
    assert export_gguf(base, as_loaded, out) == 2
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(base.read_bytes()).digest()

    changed = dict(as_loaded)
    changed["model.layers.0.self_attn.v_proj.weight"] = as_loaded["model.layers.0.self_attn.v_proj.weight"] + 0.05
    export_gguf(base, changed, tmp_path / "changed.gguf")
    written = {t.name: t for t in gguf.GGUFReader(tmp_path / "changed.gguf").tensors}
    assert written["blk.0.attn_v.weight"].tensor_type == v.tensor_type  # quantised as the base had it
    shifted = gguf.quants.dequantize(written["blk.0.attn_v.weight"].data, v.tensor_type)
    assert np.abs(shifted - changed["model.layers.0.self_attn.v_proj.weight"]).max() < 0.05
    assert np.array_equal(written["blk.0.attn_q.weight"].data, q.data)


@pytest.mark.slow
def test_a_tensor_of_the_wrong_shape_is_refused(tmp_path):
    from webqa.llm import embedded_model_path

    with pytest.raises(WebqaError, match="shape"):
        export_gguf(embedded_model_path(), {"model.layers.0.self_attn.v_proj.weight": np.zeros((3, 3))}, tmp_path / "x")
