"""How sure an answer is, for every kind of answer (a scored span, a yes/no or option verdict, a sentence
with no short answer, an abstractive reply): the estimated probability that the pages read hold the answer
at all, which decides whether webqa answers, and the estimated probability that the answer is right.

Logistic models over features of the evidence and of the answer. Most of them ask whether the pages read
are about what the question asks at all: a closed corpus almost always holds *some* sentence that matches
the question's words, so the best relevance alone cannot tell a missing page from a present one, but the
names in the question can ("Ed Wood" found nowhere in the pages read), and so can how much of the question
the cited sentence covers. The rest ask how sure the span scorer was (its top probability, its margin,
the model's log-probability of the span).

Fitted on public dev data where half the questions had their gold pages removed (their right reply is to
abstain, so their answers count as wrong), by evals/train_confidence.py, which writes the weights and the
abstention threshold it measured into webqa/answer/confidence.json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from webqa.answer.evidence import Sentence
from webqa.answer.relevance import content_words
from webqa.answer.scorer import Ranking
from webqa.text import bare_title, quote_text, separate_names
from webqa.types import Quote

WEIGHTS_FILE = "confidence.json"
KINDS = ("span", "verdict", "sentence")  # what the answer is: see `answer_kind`
FEATURES = (
    "kind_span",
    "kind_verdict",
    "kind_sentence",
    "probability",  # the span scorer's probability of its best candidate (0 for other kinds)
    "margin",  # ... minus the runner-up's
    "llm_mean",  # the model's mean log-probability per token of the span (0 when not scored)
    "answer_relevance",  # of the sentence the answer cites first
    "answer_coverage",  # share of the question's content words in that sentence (with its page title)
    "best_relevance",  # of the best evidence sentence
    "cited_coverage",  # share of the question's content words in all the cited sentences together
    "names_found",  # share of the question's names found anywhere in the pages read (1 when it has none)
    "names_titled",  # share of the question's names that a page read is titled with
    "has_names",
    "pages",  # how many pages the evidence comes from (log1p)
)


@dataclass(frozen=True)
class Estimate:
    evidence: float  # the probability that the pages read hold the answer: abstention is decided on it
    confidence: float  # the probability that the answer is right: evidence x right-given-evidence


HEADS = ("evidence", "right_given_evidence")


@dataclass(frozen=True)
class ConfidenceModel:
    """Two logistic heads over the same features: does the evidence hold the answer at all, and is the
    answer right when it does. Their product is the confidence; abstention looks at the first alone,
    which tells a missing page from a present one better than the product does (the product mixes in
    the span scorer's own uncertainty; see the training script's measurements)."""

    evidence: np.ndarray  # one weight per FEATURES, then the intercept
    right_given_evidence: np.ndarray
    threshold: float  # abstain when `evidence` is below this (measured by the training script)
    info: dict[str, Any]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConfidenceModel:
        heads = []
        for head in HEADS:
            weights = data[head]
            missing = [name for name in (*FEATURES, "intercept") if name not in weights]
            if missing:
                raise ValueError(f"confidence weights ({head}) lack features: {', '.join(missing)}")
            heads.append(np.array([weights[name] for name in (*FEATURES, "intercept")], dtype=np.float64))
        return cls(heads[0], heads[1], float(data["threshold"]), data.get("info", {}))

    def to_dict(self) -> dict[str, Any]:
        names = (*FEATURES, "intercept")
        heads = {
            head: {name: round(float(w), 4) for name, w in zip(names, getattr(self, head), strict=True)}
            for head in HEADS
        }
        return {**heads, "threshold": round(self.threshold, 3), "info": self.info}

    def estimate(self, features: dict[str, float]) -> Estimate:
        row = np.array([features[name] for name in FEATURES], dtype=np.float64)
        evidence, right = (_logistic(row, weights) for weights in (self.evidence, self.right_given_evidence))
        return Estimate(evidence, evidence * right)


def _logistic(row: np.ndarray, weights: np.ndarray) -> float:
    return 1.0 / (1.0 + float(np.exp(-(row @ weights[:-1] + weights[-1]))))


@cache
def packaged_model() -> ConfidenceModel:
    text = resources.files("webqa.answer").joinpath(WEIGHTS_FILE).read_text(encoding="utf-8")
    return ConfidenceModel.from_dict(json.loads(text))


def answer_features(
    question: str,
    ranked: Sequence[Sentence],
    first: Sentence | None,
    cited: Sequence[Quote],
    kind: str,
    ranking: Ranking | None = None,
) -> dict[str, float]:
    """What the confidence model reads for one answer. `first`: the evidence sentence the answer stands on
    (the one holding the short answer); `cited`: every quote the answer cites; `ranking`: the span
    scorer's, for a span answer."""
    if kind not in KINDS:
        raise ValueError(f"unknown answer kind {kind!r}")
    features = {f"kind_{k}": float(k == kind) for k in KINDS}
    probability = margin = llm_mean = 0.0
    if kind == "span" and ranking is not None and ranking.scored:
        top = [s.probability for s in ranking.scored[:2]]
        probability = top[0]
        margin = top[0] - (top[1] if len(top) > 1 else 0.0)
        llm_mean = ranking.scored[0].llm_mean or 0.0
    wanted = content_words(question)
    cited_words: set[str] = set()
    for quote in cited:
        cited_words |= content_words(quote_text(quote))
    names = separate_names(question)
    pages_text = " ".join(dict.fromkeys(quote_text(s.quote) for s in ranked)).lower()
    titles = {bare_title(s.quote.title).lower() for s in ranked}
    found = [n for n in names if n.lower() in pages_text]
    titled = [n for n in names if any(_names_page(n.lower(), t) for t in titles)]
    features.update(
        probability=probability,
        margin=margin,
        llm_mean=llm_mean,
        answer_relevance=first.relevance if first else 0.0,
        answer_coverage=first.coverage if first else 0.0,
        best_relevance=ranked[0].relevance if ranked else 0.0,
        cited_coverage=len(wanted & cited_words) / len(wanted) if wanted else 0.0,
        names_found=len(found) / len(names) if names else 1.0,
        names_titled=len(titled) / len(names) if names else 0.0,
        has_names=float(bool(names)),
        pages=float(np.log1p(len({(s.quote.doc_id, s.quote.url) for s in ranked}))),
    )
    return features


def _names_page(name: str, title: str) -> bool:
    """ "Ed Wood" names the page "Ed Wood"; "the Berlin Wall" the page "Berlin Wall"; "Derrickson" does not
    name "Scott Derrickson" (a surname alone is too loose to count)."""
    return name == title or (len(title.split()) > 1 and title in name)
