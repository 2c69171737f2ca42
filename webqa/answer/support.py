"""Does the evidence a sentence cites back it up? A support score in [0, 1] and a threshold.

The default checker is deliberately simple and conservative: a sentence is supported when nearly all of its
content words (and every number in it) appear in the cited quotes and it means much the same thing
(embedding cosine). A stronger checker, e.g. an NLI model, can replace it through the protocol."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from webqa.answer.relevance import content_words
from webqa.index.embedders import Embedder
from webqa.text import CITATION

_NUMBER = re.compile(r"\d[\d,.]*")
DEFAULT_THRESHOLD = 0.7


class SupportChecker(Protocol):
    threshold: float

    def support(self, claim: str, evidence: Sequence[str]) -> float:
        """How well the evidence backs the claim, 0 (not at all) to 1 (says the same)."""
        ...


class OverlapSupport:
    def __init__(self, embedder: Embedder, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.embedder = embedder
        self.threshold = threshold
        # One checker serves one answer, which asks about the same claim and quotes many times over
        # (each citation, then each quote when re-citing): embed each text once.
        self._vectors: dict[str, np.ndarray] = {}

    def support(self, claim: str, evidence: Sequence[str]) -> float:
        claim = CITATION.sub("", claim).strip()
        if not claim or not evidence:
            return 0.0
        joined = " ".join(evidence)
        words = content_words(claim)
        if not words:
            return 0.0  # nothing checkable is not the same as supported
        coverage = len(words & content_words(joined)) / len(words)
        if any(number.rstrip(".,") not in joined for number in _NUMBER.findall(claim)):
            coverage = min(coverage, 0.3)  # a number the evidence never states is the commonest invention
        vectors = self._embed([claim, *evidence])
        cosine = float(max(0.0, (vectors[1:] @ vectors[0]).max()))
        # Squared: one unbacked word in five ("was the President") must cost more than a paraphrase does.
        return coverage**2 * (0.5 + 0.5 * cosine)

    def _embed(self, texts: list[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self.embedder.embed(missing), strict=True))
        return np.stack([self._vectors[text] for text in texts])

    def supported(self, claim: str, evidence: Sequence[str]) -> bool:
        return self.support(claim, evidence) >= self.threshold
