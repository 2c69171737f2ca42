"""A fine-tuned model as a GGUF file for llama.cpp, written from the base GGUF it was trained from.

LoRA changes only the projections it targets. The export copies the base file whole (its metadata, its
tokenizer, every other tensor byte for byte) and replaces just those projections with the merged weights,
quantised back to the type each had in the base (Q4_1 for the embedded SmolLM2), so the fine-tuned model
runs at llama.cpp's speed with the same quantisation as the model it is compared with. Our own converter
on the gguf package's reader, writer and quantisers: llama.cpp's convert_hf_to_gguf.py is not part of any
pip package, and the gguf package ships no converter."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from webqa.errors import WebqaError

# transformers' name of a llama block's projection -> llama.cpp's
_BLOCK_TENSOR = re.compile(r"^model\.layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.weight$")
_GGUF_NAMES = {
    "q_proj": "attn_q",
    "k_proj": "attn_k",
    "v_proj": "attn_v",
    "o_proj": "attn_output",
    "gate_proj": "ffn_gate",
    "up_proj": "ffn_up",
    "down_proj": "ffn_down",
}


def gguf_name(hf_name: str) -> str:
    """'model.layers.3.self_attn.q_proj.weight' -> 'blk.3.attn_q.weight'."""
    match = _BLOCK_TENSOR.match(hf_name)
    if match is None or match.group(2) not in _GGUF_NAMES:
        raise WebqaError(f"The GGUF export knows llama block projections only, not {hf_name}.")
    return f"blk.{match.group(1)}.{_GGUF_NAMES[match.group(2)]}.weight"


def permute_for_llama_cpp(weights: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp stores the query and key projections with each head's rotary halves interleaved; the
    inverse of what transformers undoes when it loads a GGUF (the same formula as convert_hf_to_gguf.py)."""
    rows = weights.shape[0]
    return weights.reshape(heads, 2, rows // heads // 2, *weights.shape[1:]).swapaxes(1, 2).reshape(weights.shape)


def export_gguf(base: Path, replaced: Mapping[str, np.ndarray], out: Path) -> int:
    """Write `out`: the GGUF `base` with the transformers-named float tensors of `replaced` swapped in.
    Returns how many tensors were replaced."""
    import gguf

    reader = gguf.GGUFReader(base)
    arch = str(reader.fields[gguf.Keys.General.ARCHITECTURE].contents())
    if arch != "llama":
        raise WebqaError(f"The GGUF export supports llama-architecture models; {base} is {arch!r}.")
    heads = int(reader.fields[f"{arch}.attention.head_count"].contents())
    kv_heads = int(reader.fields[f"{arch}.attention.head_count_kv"].contents())
    new_data: dict[str, np.ndarray] = {}
    for hf_name, weights in replaced.items():
        name = gguf_name(hf_name)
        values = np.asarray(weights, dtype=np.float32)
        if name.endswith("attn_q.weight"):
            values = permute_for_llama_cpp(values, heads)
        elif name.endswith("attn_k.weight"):
            values = permute_for_llama_cpp(values, kv_heads)
        new_data[name] = values
    tensors = {tensor.name: tensor for tensor in reader.tensors}
    missing = sorted(set(new_data) - set(tensors))
    if missing:
        raise WebqaError(f"{base} has no tensor {missing[0]}; the fine-tuned model does not match its base.")

    writer = gguf.GGUFWriter(out, arch=arch, endianess=reader.endianess)
    _copy_metadata(reader, writer)
    payloads = []
    for tensor in reader.tensors:
        data = tensor.data
        if tensor.name in new_data:
            data = _encoded(new_data[tensor.name], tensor.tensor_type, tuple(int(n) for n in reversed(tensor.shape)))
        writer.add_tensor_info(tensor.name, data.shape, data.dtype, data.nbytes, tensor.tensor_type)
        payloads.append(data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for data in payloads:
        writer.write_tensor_data(data, tensor_endianess=reader.endianess)
    writer.close()
    return len(new_data)


def _encoded(values: np.ndarray, tensor_type: object, shape: tuple[int, ...]) -> np.ndarray:
    """Float weights in the tensor's own storage type (quantised blocks as bytes, or plain floats)."""
    import gguf

    if values.shape != shape:
        raise WebqaError(f"A fine-tuned tensor has shape {values.shape}; its base has {shape}.")
    if tensor_type == gguf.GGMLQuantizationType.F32:
        return values
    if tensor_type == gguf.GGMLQuantizationType.F16:
        return values.astype(np.float16)
    try:
        return gguf.quants.quantize(values, tensor_type)  # type: ignore[arg-type]
    except NotImplementedError:
        raise WebqaError(f"The gguf package cannot write {tensor_type} tensors; export needs another base.") from None


def _copy_metadata(reader: object, writer: object) -> None:
    """Every key of the base file but those the writer sets itself (the architecture, GGUF.* counts)."""
    import gguf

    for field in reader.fields.values():  # type: ignore[attr-defined]
        if field.name == gguf.Keys.General.ARCHITECTURE or field.name.startswith("GGUF."):
            continue
        value_type = field.types[0]
        sub_type = field.types[-1] if value_type == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), value_type, sub_type=sub_type)  # type: ignore[attr-defined]
