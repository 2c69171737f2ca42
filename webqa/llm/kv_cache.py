"""Managing a shared llama.cpp KV cache: prefix reuse that stays deterministic, and option scoring.

Why the care: llama.cpp computes a one-token batch with other kernels than a longer one (the logits of
SmolLM2 differ by up to 0.4 and the greedy token can flip), while any batch of two or more tokens gives
bit-identical results however a prompt is split. So a cached prefix is reused only when at least two
prompt tokens are left to decode, and tokens generated one at a time are dropped from the cache after
each reply. The same prompt then gets the same reply whatever ran before it. (One gap remains: a
prompt tail that llama.cpp splits into 512-token batches can still end in a one-token batch.)

Scoring: the model is created without `logits_all` (that would keep a context-sized copy of the logits,
~800 MB for SmolLM2's 49k vocabulary), so option tokens are decoded through llama.cpp's C API with logits
for every position, on top of the prompt in the cache, and removed again afterwards. Where the context
has room for several sequences (webqa loads its models so), the options are decoded side by side in one
batch, each in its own sequence that shares the prompt's cells: six short options then cost one decode
instead of six (2.1x faster for SmolLM2 on two cores in `python -m evals.bench_llm`), and
their scores are the same as one at a time (each sequence sees only the prompt and itself; see
SIDE_BY_SIDE_TOKENS).

Callers hold the model's lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

# Sequences a context is created with (webqa.llm.llamacpp): sequence 0 holds the prompt, the others one
# option each. Eight covers the scorer's six candidates in one decode; more options take several.
SCORING_SEQUENCES = 8
# Most tokens decoded side by side. From 32 tokens on, llama.cpp's CPU matrix products take other kernels
# (an option's score then moved by up to 0.08 with its neighbours); below, the scores were bit for bit
# those of one option at a time (measured on this project's 2-core AVX-512 CPU; test_llamacpp_real checks
# it wherever the tests run), so an option's score does not depend on which others it was batched with.
SIDE_BY_SIDE_TOKENS = 31


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
    import llama_cpp

    if not prompt:
        raise ValueError("score_continuations needs at least one prompt token.")
    longest = max((len(tokens) for tokens in continuations), default=0)
    assert len(prompt) + longest <= llama.n_ctx(), "callers check the fit first (SharedLlama.check_fits)"
    # The last prompt token is decoded again with each option: its logits predict the option's first token.
    kept = len(prompt) - 1
    _evaluate(llama, prompt[:kept])
    scores = [0.0] * len(continuations)
    wanted = [i for i, tokens in enumerate(continuations) if tokens]
    free = max(1, int(llama_cpp.llama_n_seq_max(llama.ctx)) - 1)  # every sequence but the prompt's
    if llama_cpp.llama_model_is_recurrent(llama.model) or llama_cpp.llama_model_is_hybrid(llama.model):
        free = 1  # their state cannot forget a suffix: one at a time, which says so (CannotRewindError)
    # A group's options take cells of their own beside the prompt's: they must fit the context together.
    budget = min(SIDE_BY_SIDE_TOKENS, llama.n_ctx() - kept)
    for group in side_by_side([len(continuations[i]) + 1 for i in wanted], free, budget):
        chosen = [wanted[j] for j in group]
        options = [continuations[i] for i in chosen]
        if len(options) == 1:  # also every option of a context with one sequence
            together = [_score_one(llama, prompt[-1], options[0], kept)]
        else:
            together = _score_together(llama, prompt[-1], options, kept)
        for i, score in zip(chosen, together, strict=True):
            scores[i] = score
    if hasattr(llama, "_requires_eval"):
        llama._requires_eval = True  # the context's logits are from our last decode, not the prompt's
    return scores


def _score_one(llama: Any, last_prompt_token: int, tokens: Sequence[int], start: int) -> float:
    logits = _decode_with_logits(llama, [last_prompt_token, *tokens], start)
    if not truncate(llama, start):
        raise CannotRewindError("This model's cache cannot drop tokens (a recurrent model?): no option scores.")
    logprobs = _log_softmax(logits[:-1])  # row i predicts tokens[i]
    return float(logprobs[np.arange(len(tokens)), np.asarray(tokens)].sum())


def side_by_side(lengths: Sequence[int], sequences: int, most_tokens: int = SIDE_BY_SIDE_TOKENS) -> list[list[int]]:
    """Groups of option positions to decode together, in order: each at most `sequences` options (the
    context's sequences but the prompt's) and `most_tokens` tokens, unless one option alone is longer."""
    groups: list[list[int]] = []
    tokens = 0
    for i, length in enumerate(lengths):
        if groups and len(groups[-1]) < sequences and tokens + length <= most_tokens:
            groups[-1].append(i)
            tokens += length
        else:
            groups.append([i])
            tokens = length
    return groups


def _score_together(llama: Any, last_prompt_token: int, options: Sequence[Sequence[int]], start: int) -> list[float]:
    """Score options in one decode, option k in sequence k, which first shares the prompt's cells."""
    import llama_cpp

    memory = llama_cpp.llama_get_memory(llama.ctx)
    rows = [[last_prompt_token, *tokens] for tokens in options]
    removed = True
    try:
        for sequence in range(1, len(options) + 1):
            llama_cpp.llama_memory_seq_cp(memory, 0, sequence, 0, start)
        logits = _decode_batch(llama, [(sequence, start, row) for sequence, row in enumerate(rows, start=1)])
    finally:  # every option's sequence goes, whether or not the decode worked
        for sequence in range(1, len(options) + 1):
            removed = bool(llama_cpp.llama_memory_seq_rm(memory, sequence, -1, -1)) and removed
        if not removed:
            llama.reset()
    if not removed:  # raised here, not in `finally`, so that a decode error is not hidden behind it
        raise CannotRewindError("This model's cache cannot drop a sequence: no option scores.")
    scores = []
    offset = 0
    for tokens, row in zip(options, rows, strict=True):
        logprobs = _log_softmax(logits[offset : offset + len(tokens)])  # row i predicts tokens[i]
        scores.append(float(logprobs[np.arange(len(tokens)), np.asarray(tokens)].sum()))
        offset += len(row)
    return scores


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
    parts = [tokens[offset : offset + llama.n_batch] for offset in range(0, len(tokens), llama.n_batch)]
    return np.concatenate(
        [_decode_batch(llama, [(0, start + i * llama.n_batch, part)]) for i, part in enumerate(parts)]
    )


def _decode_batch(llama: Any, runs: Sequence[tuple[int, int, Sequence[int]]]) -> np.ndarray:
    """Decode runs of (sequence, first position, tokens) in one batch; their logits, one row per token."""
    import llama_cpp

    n_tokens = sum(len(tokens) for _, _, tokens in runs)
    batch = llama_cpp.llama_batch_init(n_tokens, 0, 1)
    try:
        batch.n_tokens = n_tokens
        i = 0
        for sequence, first, tokens in runs:
            for j, token in enumerate(tokens):
                batch.token[i] = token
                batch.pos[i] = first + j
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = sequence
                batch.logits[i] = True
                i += 1
        status = llama_cpp.llama_decode(llama.ctx, batch)
        if status != 0:
            raise RuntimeError(f"llama_decode failed with status {status} while scoring options.")
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits(llama.ctx), shape=(n_tokens * llama.n_vocab(),))
        return logits.reshape(n_tokens, llama.n_vocab()).astype(np.float64)
    finally:
        llama_cpp.llama_batch_free(batch)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
