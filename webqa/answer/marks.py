"""How far to trust each sentence of an answer, for a reader: quoted, supported, uncertain, unsupported.

Extractive sentences are the quotes' own words ("quoted"). Sentences a model wrote carry the support score
the answerer gave them: below the checker's threshold they were left out of the answer and are shown as
"unsupported"; within UNCERTAIN_MARGIN above it, "uncertain". A sentence that cites nothing (an extractive
yes/no verdict) is "uncertain": it is a conclusion, not a quote."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from webqa.answer.sampling import JudgedSentence
from webqa.answer.support import DEFAULT_THRESHOLD
from webqa.text import CITATION, sentence_spans
from webqa.types import Answer

UNCERTAIN_MARGIN = 0.1


@dataclass(frozen=True)
class MarkedSentence:
    text: str
    status: str  # "quoted", "supported", "uncertain", "unsupported" or "abstained"
    score: float | None = None  # the support score, where a checker gave one


def marked_sentences(answer: Answer) -> list[MarkedSentence]:
    """The answer's sentences in order; for a model-written answer, the sentences it left out as well."""
    if answer.abstained:
        return [MarkedSentence(answer.answer, "abstained")]
    written = answer.trace.written_sentences
    if written:  # the model wrote it: every sentence, kept or not, with its score
        # A small model's list numbering ("1. 2.") splits into "sentences" that claim nothing: not shown.
        return [_judged(s["text"], s["score"], s["kept"]) for s in written if _says_something(s["text"])]
    marked = []
    for start, end in sentence_spans(answer.answer):
        sentence = answer.answer[start:end].strip()
        status = "quoted" if CITATION.search(sentence) else "uncertain"
        marked.append(MarkedSentence(sentence, status))
    return marked


def marked_sample(sentences: Sequence[JudgedSentence]) -> list[MarkedSentence]:
    """A sampled answer's sentences, marked the same way (a sample keeps its unsupported sentences)."""
    return [_judged(s.text, s.score, s.supported) for s in sentences if _says_something(s.text)]


def _says_something(text: str) -> bool:
    return any(ch.isalpha() for ch in CITATION.sub("", text))


def _judged(text: str, score: float, kept: bool) -> MarkedSentence:
    if not kept:
        return MarkedSentence(text, "unsupported", score)
    return MarkedSentence(text, "uncertain" if score < DEFAULT_THRESHOLD + UNCERTAIN_MARGIN else "supported", score)
