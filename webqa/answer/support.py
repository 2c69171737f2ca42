"""Does the evidence a sentence cites back it up? A support score in [0, 1] and a threshold.

The default checker is deliberately simple and conservative: a sentence is supported when nearly all of its
content words (and every number in it) appear in the cited quotes and it means much the same thing
(embedding cosine). A stronger checker, e.g. an NLI model, can replace it through the protocol."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from webqa.answer.relevance import content_words
from webqa.index.embedders import Embedder

_NUMBER = re.compile(r"\d[\d,.]*")
_MARKER = re.compile(r"\[\d+\]")


class SupportChecker(Protocol):
    threshold: float

    def support(self, claim: str, evidence: Sequence[str]) -> float:
        """How well the evidence backs the claim, 0 (not at all) to 1 (says the same)."""
        ...


class OverlapSupport:
    def __init__(self, embedder: Embedder, threshold: float = 0.7) -> None:
        self.embedder = embedder
        self.threshold = threshold

    def support(self, claim: str, evidence: Sequence[str]) -> float:
        claim = _MARKER.sub("", claim).strip()
        if not claim or not evidence:
            return 0.0
        joined = " ".join(evidence)
        words = content_words(claim)
        if not words:
            return 0.0  # nothing checkable is not the same as supported
        coverage = len(words & content_words(joined)) / len(words)
        if any(number.rstrip(".,") not in joined for number in _NUMBER.findall(claim)):
            coverage = min(coverage, 0.3)  # a number the evidence never states is the commonest invention
        vectors = self.embedder.embed([claim, *evidence])
        cosine = float(max(0.0, (vectors[1:] @ vectors[0]).max()))
        # Squared: one unbacked word in five ("was the President") must cost more than a paraphrase does.
        return coverage**2 * (0.5 + 0.5 * cosine)

    def supported(self, claim: str, evidence: Sequence[str]) -> bool:
        return self.support(claim, evidence) >= self.threshold
