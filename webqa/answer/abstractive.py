"""Abstractive answers: the model writes from the selected quotes, citing [n]; every sentence is checked
against the quotes it cites as it arrives. Supported sentences are shown; the rest are dropped and
recorded, never presented as sourced."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from webqa.answer.draft import Draft, ScoredQuotes, numbered_context, with_citation
from webqa.answer.extractive import choose_short_answer
from webqa.answer.support import SupportChecker
from webqa.index.chunking import sentence_spans
from webqa.prompts import load_prompt
from webqa.types import Citation

if TYPE_CHECKING:
    from webqa.llm import LLM

_MARKER = re.compile(r"\[(\d+)\]")


def abstractive_answer(
    question: str,
    scored: ScoredQuotes,
    llm: LLM,
    support: SupportChecker,
    on_text: Callable[[str], None] | None = None,
) -> Draft | None:
    """The checked answer, or None when no sentence the model wrote is supported (the caller falls back)."""
    messages = [
        ("system", load_prompt("answer_system")),
        ("user", load_prompt("answer_user").format(context=numbered_context(scored), question=question)),
    ]
    checker = _SentenceChecker(scored, support)
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
    if not checker.kept:
        return None
    short, _, how = choose_short_answer(question, scored, llm)
    citations = tuple(Citation(new, scored[old - 1][0]) for old, new in checker.renumber.items())
    notes = {
        "dropped_sentences": checker.dropped,
        "support_scores": checker.scores,
        "recited_sentences": checker.recited,
        "short_answer_by": how,
    }
    return Draft(" ".join(checker.kept), short, False, citations, notes)


class _SentenceChecker:
    def __init__(self, scored: ScoredQuotes, support: SupportChecker) -> None:
        self.scored, self.support = scored, support
        self.kept: list[str] = []
        self.dropped: list[str] = []
        self.scores: list[float] = []
        self.recited = 0  # sentences whose citation pointed at the wrong quote and was corrected
        self.renumber: dict[int, int] = {}  # the model's [n] -> the answer's [n], in order of first use

    def add(self, sentence: str, on_text: Callable[[str], None] | None) -> None:
        cited = [n for n in (int(m) for m in _MARKER.findall(sentence)) if 1 <= n <= len(self.scored)]
        claim = _MARKER.sub("", sentence).strip()
        candidates = cited or list(range(1, len(self.scored) + 1))
        evidence = [self._evidence(n) for n in candidates]
        score = self.support.support(claim, evidence) if claim else 0.0
        if cited and score < self.support.threshold and claim:
            # Small models often cite the wrong number for a true sentence: if another quote backs it,
            # cite that one instead; the sentence is still only shown when some quote supports it.
            best = max(range(1, len(self.scored) + 1), key=lambda n: self.support.support(claim, [self._evidence(n)]))
            if (rescored := self.support.support(claim, [self._evidence(best)])) >= self.support.threshold:
                cited, score = [best], rescored
                self.recited += 1
        self.scores.append(round(score, 3))
        if score < self.support.threshold:
            self.dropped.append(sentence)
            return
        if not cited:  # uncited but supported: cite the quote that supports it best
            cited = [max(candidates, key=lambda n: self.support.support(claim, [self._evidence(n)]))]
        for n in cited:
            self.renumber.setdefault(n, len(self.renumber) + 1)
        markers = "".join(f"[{self.renumber[n]}]" for n in dict.fromkeys(cited))
        text = with_citation(claim, markers)
        self.kept.append(text)
        if on_text is not None:
            on_text(text + " ")

    def _evidence(self, n: int) -> str:
        quote = self.scored[n - 1][0]
        return f"{quote.title}\n{quote.text}"
