"""Managing a shared llama.cpp KV cache: prefix reuse that stays deterministic, and option scoring.

Why the care: llama.cpp computes a one-token batch with other kernels than a longer one (the logits of
SmolLM2 differ by up to 0.4 and the greedy token can flip), while any batch of two or more tokens gives
bit-identical results however a prompt is split. So a cached prefix is reused only when at least two
prompt tokens are left to decode, and tokens generated one at a time are dropped from the cache after
each reply. The same prompt then gets the same reply whatever ran before it. (One gap remains: a
prompt tail that llama.cpp splits into 512-token batches can still end in a one-token batch.)

Scoring: the model is created without `logits_all` (that would keep a context-sized copy of the logits,
~800 MB for SmolLM2's 49k vocabulary), so option tokens are decoded through llama.cpp's C API with logits
for every position, on top of the prompt in the cache, and removed again afterwards.

Callers hold the model's lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class CannotRewindError(RuntimeError):
    """The model's memory cannot forget a suffix (recurrent models), which scoring relies on."""


def prepare_prompt(llama: Any, tokens: Sequence[int], *, generate: bool) -> None:
    """Trim the cache to the longest prefix of `tokens` that may be reused, before a decode of the rest.

    With `generate` llama-cpp-python decodes the rest itself and needs at least one token to sample from."""
    common = _common_prefix(llama, tokens)
    rest = len(tokens) - common
    if rest == 1 or (generate and rest == 0):
        common = max(0, len(tokens) - 2)
    if not truncate(llama, common):
        return  # a model that cannot rewind starts over, which is just as deterministic
    # llama-cpp-python trusts its own bookkeeping to skip decoding a fully cached prompt; never let it.
    if hasattr(llama, "_requires_eval"):
        llama._requires_eval = True


def forget_generated(llama: Any, prompt_length: int) -> None:
    """Drop the reply's tokens from the cache: they were decoded one at a time (see the module note)."""
    if llama.n_tokens > prompt_length:
        truncate(llama, prompt_length)


def truncate(llama: Any, length: int) -> bool:
    """Forget every cached token from position `length` on; False (and an empty cache) if it cannot."""
    import llama_cpp

    length = min(length, llama.n_tokens)
    if not llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(llama.ctx), -1, length, -1):
        llama.reset()
        return False
    llama.n_tokens = length
    return True


def score_continuations(llama: Any, prompt: Sequence[int], continuations: Sequence[Sequence[int]]) -> list[float]:
    """Sum of the log-probabilities of each continuation's tokens following `prompt`."""
    if not prompt:
        raise ValueError("score_continuations needs at least one prompt token.")
    longest = max((len(tokens) for tokens in continuations), default=0)
    assert len(prompt) + longest <= llama.n_ctx(), "callers check the fit first (SharedLlama.check_fits)"
    # The last prompt token is decoded again with each option: its logits predict the option's first token.
    kept = len(prompt) - 1
    _evaluate(llama, prompt[:kept])
    scores = []
    for tokens in continuations:
        scores.append(_score_one(llama, prompt[-1], tokens, kept) if tokens else 0.0)
    if hasattr(llama, "_requires_eval"):
        llama._requires_eval = True  # the context's logits are from our last decode, not the prompt's
    return scores


def _score_one(llama: Any, last_prompt_token: int, tokens: Sequence[int], start: int) -> float:
    logits = _decode_with_logits(llama, [last_prompt_token, *tokens], start)
    if not truncate(llama, start):
        raise CannotRewindError("This model's cache cannot drop tokens (a recurrent model?): no option scores.")
    logprobs = _log_softmax(logits[:-1])  # row i predicts tokens[i]
    return float(logprobs[np.arange(len(tokens)), np.asarray(tokens)].sum())


def _evaluate(llama: Any, tokens: Sequence[int]) -> None:
    """Bring the cache to exactly `tokens`, reusing what it already holds of them (the agent scores many
    options after the same question and quotes)."""
    prepare_prompt(llama, tokens, generate=False)
    if llama.n_tokens < len(tokens):
        llama.eval(list(tokens[llama.n_tokens :]))


def _common_prefix(llama: Any, tokens: Sequence[int]) -> int:
    cached = np.asarray(llama.input_ids[: llama.n_tokens])
    wanted = np.asarray(tokens, dtype=cached.dtype)
    common = min(len(cached), len(wanted))
    mismatches = np.flatnonzero(cached[:common] != wanted[:common])
    return int(mismatches[0]) if mismatches.size else common


def _decode_with_logits(llama: Any, tokens: Sequence[int], start: int) -> np.ndarray:
    """Decode `tokens` at positions start, start+1, ... and return their logits, one row per token."""
    import llama_cpp

    n_vocab = llama.n_vocab()
    rows = []
    for offset in range(0, len(tokens), llama.n_batch):
        part = tokens[offset : offset + llama.n_batch]
        batch = llama_cpp.llama_batch_init(len(part), 0, 1)
        try:
            batch.n_tokens = len(part)
            for i, token in enumerate(part):
                batch.token[i] = token
                batch.pos[i] = start + offset + i
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = 0
                batch.logits[i] = True
            status = llama_cpp.llama_decode(llama.ctx, batch)
            if status != 0:
                raise RuntimeError(f"llama_decode failed with status {status} while scoring options.")
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits(llama.ctx), shape=(len(part) * n_vocab,))
            rows.append(logits.reshape(len(part), n_vocab).astype(np.float64))
        finally:
            llama_cpp.llama_batch_free(batch)
    return np.concatenate(rows)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
