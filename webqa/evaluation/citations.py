"""Citation recall and precision in the style of ALCE (Gao et al., 2023), judged by webqa's own checker.

ALCE asks an NLI model whether the passages a sentence cites entail it. We ask webqa's support checker
(OverlapSupport: word coverage plus embedding similarity) instead, so these figures measure consistency with
the checker the answerer itself uses, not an independent judgement; reports say so.

- A sentence is supported when the quotes it cites, together, support it. Citation recall is the share of an
  answer's sentences that are supported; a sentence without a citation, or citing a number the answer has no
  quote for (out of range), is unsupported.
- A citation is irrelevant when it does not support its sentence alone and the sentence's other citations
  still support it without it (it adds nothing). Citation precision is the share of an answer's citations
  that are relevant; every citation of an unsupported sentence counts as not relevant. A quote cited twice
  in one sentence ([1][1]) is one citation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from webqa.answer.support import SupportChecker
from webqa.text import CITATION_GROUP, cited_numbers, sentence_spans, without_citations

_LEADING_MARKERS = re.compile(rf"^(?:\s*{CITATION_GROUP.pattern})+")


@dataclass(frozen=True)
class CitationScores:
    recall: float | None  # None: no sentences to judge
    precision: float | None  # None: no sentences to judge
    sentences: int
    supported: int
    citations: int
    relevant: int


def cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """Each sentence of an answer with the citation numbers it carries, in order, without repeats.

    A marker that follows the full stop ("... capital. [1] It ...") belongs to the sentence before it."""
    sentences = [answer[start:end] for start, end in sentence_spans(answer)]
    for i in range(1, len(sentences)):
        leading = _LEADING_MARKERS.match(sentences[i])
        if leading:
            sentences[i - 1] += " " + leading.group().strip()
            sentences[i] = sentences[i][leading.end() :].strip()
    result = []
    for sentence in sentences:
        text = without_citations(sentence).strip()
        if text and any(ch.isalnum() for ch in text):
            result.append((text, cited_numbers(sentence)))
    return result


def citation_scores(answer: str, quotes: Mapping[int, str], checker: SupportChecker) -> CitationScores:
    """ALCE citation recall and precision of one answer; `quotes` maps each citation number to its evidence."""
    sentences = cited_sentences(answer)
    supported = total = relevant = 0
    for text, numbers in sentences:
        total += len(numbers)
        if not numbers or any(n not in quotes for n in numbers):
            continue  # no citation, or one the answer cannot back: unsupported, its citations all irrelevant
        if not _supports(checker, text, [quotes[n] for n in numbers]):
            continue
        supported += 1
        if len(numbers) == 1:
            relevant += 1
            continue
        for n in numbers:
            alone = _supports(checker, text, [quotes[n]])
            others = [quotes[m] for m in numbers if m != n]
            relevant += alone or not _supports(checker, text, others)
    if not sentences:
        return CitationScores(None, None, 0, 0, total, 0)
    # ALCE: an answer that cites nothing has precision 0, not "undefined", so citing nothing never pays.
    precision = relevant / total if total else 0.0
    return CitationScores(supported / len(sentences), precision, len(sentences), supported, total, relevant)


def _supports(checker: SupportChecker, claim: str, evidence: list[str]) -> bool:
    return checker.support(claim, evidence) >= checker.threshold
