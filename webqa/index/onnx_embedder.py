"""A sentence-transformers model run by onnxruntime and the `tokenizers` library: no torch at query time.

It computes what sentence-transformers computes for a Transformer -> mean Pooling (-> Normalize) model:
the same word pieces (same tokenizer.json, same truncation), token embeddings from the exported graph,
the mean over real (unpadded) tokens, then L2 normalisation.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from webqa.errors import WebqaError
from webqa.index.onnx_export import exported_model


class OnnxEmbedder:
    """Embeds with the ONNX export ('onnx', fp32) or its dynamically quantised twin ('onnx-int8')."""

    def __init__(
        self, model_path: str, name: str, variant: str, batch_size: int = 32, cache_dir: Path | None = None
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        folder = Path(model_path)
        self.name = name
        self.backend = variant
        self.batch_size = batch_size
        max_tokens = _pipeline_max_tokens(folder)
        try:
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:  # noqa: BLE001 - the Rust library raises its own untyped errors
            raise WebqaError(f"Cannot read {folder / 'tokenizer.json'}: {exc}") from None
        # tokenizer.json ships with its own fixed padding and a 128-piece cut; sentence-transformers pads
        # each batch to its longest text and cuts at the model's max_seq_length instead.
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        threads = os.environ.get("OMP_NUM_THREADS", "")
        if threads.isdigit() and int(threads) > 0:
            options.intra_op_num_threads = int(threads)  # a batch worker's share of the cores
        options.log_severity_level = 3  # its warnings about unused initialisers are not the user's business
        graph = exported_model(folder, variant, cache_dir)
        self.session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Batches of similar length: padding to the longest of a batch then wastes little work.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for begin in range(0, len(order), self.batch_size):
            rows = order[begin : begin + self.batch_size]
            vectors[rows] = self._embed_batch([encodings[i].ids for i in rows])
        return vectors

    def _embed_batch(self, pieces: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in pieces)
        input_ids = np.zeros((len(pieces), width), dtype=np.int64)  # [PAD] is id 0 in BERT vocabularies
        mask = np.zeros_like(input_ids)
        for row, ids in enumerate(pieces):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        (tokens,) = self.session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})
        weights = mask[:, :, None].astype(np.float32)
        pooled = (tokens * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _pipeline_max_tokens(folder: Path) -> int:
    """Check the folder is a Transformer -> mean Pooling model (what this class reproduces) and return
    its max_seq_length."""
    pooling_file = folder / "1_Pooling" / "config.json"
    if pooling_file.is_file():
        pooling = json.loads(pooling_file.read_text(encoding="utf-8"))
        if not pooling.get("pooling_mode_mean_tokens"):
            raise WebqaError(
                f"The model in {folder} does not pool by the mean of its tokens, which is all the ONNX "
                "backends reproduce. Use embedding_backend=torch for it."
            )
    config_file = folder / "sentence_bert_config.json"
    config = json.loads(config_file.read_text(encoding="utf-8")) if config_file.is_file() else {}
    return int(config.get("max_seq_length") or 256)
