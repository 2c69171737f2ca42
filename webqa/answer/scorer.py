"""The learned answer scorer: a linear model over candidate features, then the model's log-probability for
the best few. Its weights are a small text file in the package (webqa/answer/span_scorer.json), written
by evals/train_span_scorer.py, which reproduces them exactly from public dev data.

Two stages, because the model is the expensive part: stage one ranks every span by its features; stage
two adds, for the top `llm_top` spans, how likely the model finds "<span>" as the answer given the question
and the sentences. Both stages are softmax rankers trained on questions whose gold answer is a candidate.

The model's pass is nine tenths of the answer phase, and where stage one is already sure it seldom changes
the pick: above `skip_model_above` (stage one's probability of its best among the top `llm_top`, measured
by the training script as the lowest at which the training questions get as many right picks in all as
with the model always asked) the model is not asked."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from webqa.answer.evidence import Sentence
from webqa.answer.features import FEATURES, Candidate, candidates_and_features
from webqa.text import numbered_quotes

if TYPE_CHECKING:
    from webqa.llm import LLM

WEIGHTS_FILE = "span_scorer.json"
STAGE_TWO = ("stage_one", "llm_mean")
# Sentences the model reads before scoring: the prompt is most of its cost. The best-ranked two that hold
# one of the candidates (a candidate in a third sentence is scored without it). Two, not four: on the training
# data the held-out stage-two top-1 is as high or higher (SQuAD 0.526 -> 0.541, HotpotQA 0.432 -> 0.486) and
# the model's pass takes about 40% less time.
CONTEXT_SENTENCES = 2
PROMPT = "Answer the question with a short phrase taken from the context."


@dataclass(frozen=True)
class Weights:
    stage_one: np.ndarray  # one per FEATURES
    stage_two: np.ndarray  # one per STAGE_TWO
    llm_top: int
    info: dict[str, Any]
    skip_model_above: float = 1.0  # 1.0: always ask the model (a probability never exceeds it)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Weights:
        one = data["stage_one"]
        missing = [name for name in FEATURES if name not in one]
        if missing:
            raise ValueError(f"span scorer weights lack features: {', '.join(missing[:5])}")
        two = data["stage_two"]
        return cls(
            np.array([one[name] for name in FEATURES], dtype=np.float64),
            np.array([two[name] for name in STAGE_TWO], dtype=np.float64),
            int(data.get("llm_top", 6)),
            data.get("info", {}),
            float(data.get("skip_model_above", 1.0)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage_one": {name: round(float(w), 4) for name, w in zip(FEATURES, self.stage_one, strict=True)},
            "stage_two": {name: round(float(w), 4) for name, w in zip(STAGE_TWO, self.stage_two, strict=True)},
            "llm_top": self.llm_top,
            "skip_model_above": round(self.skip_model_above, 3),
            "info": self.info,
        }


@cache
def packaged_weights() -> Weights:
    text = resources.files("webqa.answer").joinpath(WEIGHTS_FILE).read_text(encoding="utf-8")
    return Weights.from_dict(json.loads(text))


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float  # the final logit
    probability: float  # softmax over the candidates that reached the final stage
    llm_mean: float | None = None  # mean log-probability per token, where the model scored it


@dataclass(frozen=True)
class Ranking:
    """Candidates best first, and how they were ranked (for the trace and the confidence)."""

    scored: list[Scored]
    candidates: int  # how many spans stage one looked at
    by: str  # "features", "features+llm" or "features, sure" (the model not asked: see skip_model_above)
    model_s: float = 0.0  # time the model spent scoring the candidates


def rank_candidates(
    question: str, sentences: Sequence[Sentence], llm: LLM | None, weights: Weights | None = None
) -> Ranking:
    weights = weights or packaged_weights()
    candidates, rows = candidates_and_features(question, sentences)
    if not candidates:
        return Ranking([], 0, "features")
    first = rows.astype(np.float64) @ weights.stage_one
    order = np.argsort(-first, kind="stable")
    top = [int(i) for i in order[: max(1, weights.llm_top)]]
    means, model_s = None, 0.0
    if llm is not None and len(top) >= 2:  # one candidate needs no vote
        if not model_needed(first[top], weights.stage_two, weights.skip_model_above):
            # Ranked as stage two would rank them with the model's term left out, so the probabilities (which
            # the confidence reads) are on the scale of the other answers.
            second = stage_two_logits(first[top], np.zeros(len(top)), weights.stage_two)
            return _ranking(candidates, top, second, None, first, order, "features, sure")
        started = time.perf_counter()
        means = llm_means(question, sentences, [candidates[i] for i in top], llm)
        model_s = round(time.perf_counter() - started, 3)
    if means is None:  # no model, or one that cannot score options
        probabilities = softmax(first[order])
        scored = [
            Scored(candidates[int(i)], float(first[i]), float(p)) for i, p in zip(order, probabilities, strict=True)
        ]
        return Ranking(scored, len(candidates), "features", model_s)
    second = stage_two_logits(first[top], means, weights.stage_two)
    return _ranking(candidates, top, second, means, first, order, "features+llm", model_s)


def _ranking(
    candidates: list[Candidate],
    top: list[int],
    second: np.ndarray,
    means: np.ndarray | None,
    first: np.ndarray,
    order: np.ndarray,
    by: str,
    model_s: float = 0.0,
) -> Ranking:
    """The top candidates by their stage-two logits, then the rest in stage one's order (probability 0)."""
    final = np.argsort(-second, kind="stable")
    probabilities = softmax(second[final])
    scored = [
        Scored(candidates[top[int(j)]], float(second[j]), float(p), None if means is None else float(means[j]))
        for j, p in zip(final, probabilities, strict=True)
    ]
    rest = [Scored(candidates[int(i)], float(first[i]), 0.0) for i in order[len(top) :]]
    return Ranking(scored + rest, len(candidates), by, model_s)


def model_needed(first_top: np.ndarray, stage_two: np.ndarray, skip_above: float) -> bool:
    """Whether the model is asked about these top candidates: stage one is not sure enough on its own (the
    training script decides with this too)."""
    return stage_one_sureness(first_top, stage_two) <= skip_above


def stage_one_sureness(first_top: np.ndarray, stage_two: np.ndarray) -> float:
    """Stage one's probability of its best candidate among the top few, on stage two's scale: how sure the
    features alone are, which decides whether the model is asked."""
    return float(softmax(stage_two_logits(first_top, np.zeros(len(first_top)), stage_two)).max())


def stage_two_features(first: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Each against the best of the question's candidates, so the scale of a question does not matter.
    (Tried and left out, by held-out top-1 on the training data: the model's first choice as a feature of
    its own, the log-probability summed over tokens, and pointwise mutual information with the question.)"""
    return np.stack([first - first.max(), means - means.max()], axis=1)


def stage_two_logits(first: np.ndarray, means: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return stage_two_features(first, means) @ weights


def llm_means(
    question: str, sentences: Sequence[Sentence], candidates: Sequence[Candidate], llm: LLM
) -> np.ndarray | None:
    """Mean log-probability per token of each candidate as the model's reply (None if it cannot tell)."""
    # The sentences the candidates stand in, best first, then the best others: at most CONTEXT_SENTENCES.
    chosen = list(dict.fromkeys([*sorted({c.sentence for c in candidates}, key=lambda s: s.rank), *sentences]))
    shown = sorted(chosen[:CONTEXT_SENTENCES], key=lambda s: s.rank)
    context = numbered_quotes(s.quote for s in shown)
    messages = [("system", PROMPT), ("user", f"Context:\n{context}\n\nQuestion: {question}")]
    texts = [c.text for c in candidates]
    scores = llm.score_options(messages, texts)
    if scores is None:
        return None
    return np.array([s / max(1, llm.count_tokens(t)) for s, t in zip(scores, texts, strict=True)], dtype=np.float64)


def softmax(logits: np.ndarray) -> np.ndarray:
    if logits.size == 0:
        return logits
    shifted = np.exp(logits - logits.max())
    return shifted / shifted.sum()
