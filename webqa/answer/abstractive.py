"""Abstractive answers: the model writes from the selected quotes, citing [n]; every sentence is checked
against the quotes it cites as it arrives. Supported sentences are shown; the rest are dropped and
recorded, never presented as sourced."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from webqa.answer.draft import (
    Draft,
    ScoredQuotes,
    answer_messages,
    with_citation,
)
from webqa.answer.extractive import choose_short_answer
from webqa.answer.support import SupportChecker
from webqa.text import CITATION, quote_text, sentence_spans
from webqa.types import Citation

if TYPE_CHECKING:
    from webqa.llm import LLM


def abstractive_answer(
    question: str,
    scored: ScoredQuotes,
    llm: LLM,
    support: SupportChecker,
    on_text: Callable[[str], None] | None = None,
    short_answer_scorer: LLM | None = None,
) -> Draft | None:
    """The checked answer, or None when no sentence the model wrote is supported (the caller falls back)."""
    messages = answer_messages(question, [quote for quote, _ in scored])
    checker = SentenceChecker(scored, support)
    buffer = ""
    for piece in llm.stream(messages):
        buffer += piece
        spans = sentence_spans(buffer)
        # Every sentence but the last is complete; the last one may still be growing.
        for start, end in spans[:-1]:
            checker.add(buffer[start:end], on_text)
        if len(spans) > 1:
            buffer = buffer[spans[-1][0] :]
    if buffer.strip():
        checker.add(buffer.strip(), on_text)
    return checked_draft(question, scored, checker, short_answer_scorer)


def check_text(text: str, scored: ScoredQuotes, support: SupportChecker) -> SentenceChecker:
    """A whole answer checked sentence by sentence, as `abstractive_answer` checks a stream."""
    checker = SentenceChecker(scored, support)
    for start, end in sentence_spans(text):
        checker.add(text[start:end].strip(), None)
    return checker


def checked_draft(
    question: str, scored: ScoredQuotes, checker: SentenceChecker, short_answer_scorer: LLM | None
) -> Draft | None:
    """The answer of the sentences kept, or None when none was."""
    if not checker.kept:
        return None
    short, _, how = choose_short_answer(question, scored, short_answer_scorer)
    citations = tuple(Citation(new, scored[old - 1][0]) for old, new in checker.renumber.items())
    notes = {
        "dropped_sentences": checker.dropped,
        "support_scores": checker.scores,
        "recited_sentences": checker.recited,
        "sentences": checker.sentences,
        "short_answer_by": how,
    }
    return Draft(" ".join(checker.kept), short, False, citations, notes)


class SentenceChecker:
    def __init__(self, scored: ScoredQuotes, support: SupportChecker) -> None:
        self.scored, self.support = scored, support
        self.kept: list[str] = []
        self.kept_as_cited: list[str] = []  # the kept sentences with the prompt's quote numbers, not the answer's
        self.dropped: list[str] = []
        self.scores: list[float] = []
        self.sentences: list[dict[str, Any]] = []  # every sentence written, in order: text, score, kept
        self.recited = 0  # sentences whose citation pointed at the wrong quote and was corrected
        self.renumber: dict[int, int] = {}  # the model's [n] -> the answer's [n], in order of first use

    def add(self, sentence: str, on_text: Callable[[str], None] | None) -> None:
        cited = list(
            dict.fromkeys(n for n in (int(m) for m in CITATION.findall(sentence)) if 1 <= n <= len(self.scored))
        )
        claim = CITATION.sub("", sentence).strip()
        score = self._support(claim, cited) if claim and cited else 0.0
        if claim and score < self.support.threshold:
            # The model cited nothing, or the wrong quotes (small models often misnumber): find the fewest
            # quotes that back the sentence, so that its citations are exactly what supports it.
            found, found_score = self._backing(claim)
            if found:
                self.recited += bool(cited)
                cited, score = found, found_score
        self.scores.append(round(score, 3))
        if score < self.support.threshold:
            self.dropped.append(sentence)
            self.sentences.append({"text": sentence.strip(), "score": round(score, 3), "kept": False})
            return
        for n in cited:
            self.renumber.setdefault(n, len(self.renumber) + 1)
        text = with_citation(claim, "".join(f"[{self.renumber[n]}]" for n in cited))
        self.kept.append(text)
        self.kept_as_cited.append(with_citation(claim, "".join(f"[{n}]" for n in cited)))
        self.sentences.append({"text": text, "score": round(score, 3), "kept": True})
        if on_text is not None:
            on_text(text + " ")

    def _support(self, claim: str, numbers: list[int]) -> float:
        return self.support.support(claim, [self._evidence(n) for n in numbers])

    def _backing(self, claim: str) -> tuple[list[int], float]:
        """The best single quote that supports the claim, else the best pair (a multi-hop sentence can
        need two), else nothing."""
        ranked = sorted(range(1, len(self.scored) + 1), key=lambda n: -self._support(claim, [n]))
        for numbers in (ranked[:1], sorted(ranked[:2])):
            if numbers and (score := self._support(claim, numbers)) >= self.support.threshold:
                return numbers, score
        return [], 0.0

    def _evidence(self, n: int) -> str:
        return quote_text(self.scored[n - 1][0])
