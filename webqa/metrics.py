"""Answer metrics: SQuAD-normalised exact match and token F1, answer recall, and summary statistics."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(text: str) -> str:
    """SQuAD v1.1 normalisation: lower case, no punctuation, no articles, single spaces."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    return float(any(normalize_answer(prediction) == normalize_answer(g) for g in golds)) if golds else 0.0


def token_f1(prediction: str, golds: Sequence[str]) -> float:
    """Best token-level F1 against any gold answer."""
    return max((_f1(prediction, gold) for gold in golds), default=0.0)


def _f1(prediction: str, gold: str) -> float:
    predicted, wanted = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not predicted or not wanted:
        return float(predicted == wanted)
    common = sum((Counter(predicted) & Counter(wanted)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(wanted)
    return 2 * precision * recall / (precision + recall)


def answer_recall(answer: str, golds: Sequence[str]) -> float:
    """1 when a normalised gold answer appears inside the normalised answer text."""
    text = f" {normalize_answer(answer)} "
    return float(any(f" {normalize_answer(g)} " in text for g in golds if normalize_answer(g)))


def answer_is_right(short_answer: str, answer: str, golds: Sequence[str]) -> bool:
    """What `confidence` estimates: the short answer names a gold answer (exactly, or holding it whole:
    "President Richard Nixon" for "Richard Nixon"); an answer with no short answer, its text holds one."""
    if short_answer.strip():
        return bool(exact_match(short_answer, golds) or answer_recall(short_answer, golds))
    return bool(answer_recall(answer, golds))


def percentiles(values: Iterable[float], *qs: float) -> list[float]:
    data = np.asarray(list(values), dtype=float)
    if data.size == 0:
        return [float("nan")] * len(qs)
    return [float(np.percentile(data, q)) for q in qs]
