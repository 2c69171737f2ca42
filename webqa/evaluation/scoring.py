"""Scores of each answered question (or conversation turn) against its gold, and their summary.

Answer scores use SQuAD normalisation on the short answer (exact match, token F1) and on the full answer
(answer recall: a gold answer appears in it; answer F1: for sets whose gold is a whole response, INSCIT).
A failed question (an error line) scores 0 and is counted; an abstention scores 0 on answerable questions
and is right on unanswerable ones."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from webqa.answer.support import SupportChecker
from webqa.evaluation.citations import citation_scores
from webqa.evaluation.gold import Gold, GoldItem
from webqa.metrics import answer_is_right, answer_recall, exact_match, percentiles, token_f1
from webqa.text import without_citations

PHASES = ("search_s", "open_s", "find_s", "quote_s", "answer_s")  # one after another: they add up
WITHIN_ANSWER = ("model_s",)  # part of answer_s: the model scoring short-answer candidates


@dataclass(frozen=True)
class QuestionScore:
    """One question or turn. Metrics that do not apply (no gold passages, an abstention) are None."""

    id: str
    question: str
    gold_answers: list[str]
    answerable: bool
    short_answer: str
    answer: str
    abstained: bool
    clarified: bool
    error: str | None
    em: float | None
    f1: float | None
    answer_recall: float | None
    answer_f1: float | None
    supporting_recall: float | None
    supporting_precision: float | None
    citation_recall: float | None
    citation_precision: float | None
    citations: int
    actions: int
    latency_s: float | None
    phases: dict[str, float] = field(default_factory=dict)
    retrieved_gold_recall: float | None = None  # systems that report what they retrieved (the baseline)
    confidence: float | None = None  # the answer's (an abstention's: the withheld answer's), where estimated
    # Whether the answer, or the guess an abstention withheld, is right (metrics.answer_is_right); False on
    # an unanswerable question, which no answer gets right. None when there was neither.
    guess_right: bool | None = None


def score_run(
    items: Sequence[GoldItem], records: dict[str, dict[str, Any]], checker: SupportChecker
) -> list[QuestionScore]:
    """Every question and turn of `items`, scored from the answers `records` (by item id)."""
    scores = []
    for item in items:
        record = records.get(item.id)
        if record is None:
            raise ValueError(f"no answer record for {item.id!r}")
        turn_records = (record.get("turns") or []) if item.multi_turn else [record]
        for n, (question, gold) in enumerate(zip(item.questions, item.gold, strict=True)):
            unit_id = f"{item.id}#{n + 1}" if item.multi_turn else item.id
            turn = turn_records[n] if n < len(turn_records) else None
            error = record.get("error") or (None if turn is not None else "no record for this turn")
            scores.append(score_answer(unit_id, question, gold, None if error else turn, error, checker))
    return scores


def score_answer(
    unit_id: str,
    question: str,
    gold: Gold,
    record: dict[str, Any] | None,
    error: str | None,
    checker: SupportChecker,
) -> QuestionScore:
    if record is None:
        return _failed(unit_id, question, gold, error or "no answer")
    abstained = bool(record.get("abstained"))
    clarified = bool(record.get("clarification"))
    answered = not abstained and not clarified
    raw = record.get("answer", "")
    text = without_citations(raw)  # "[1]" is not a word of the answer
    short = without_citations(record.get("short_answer") or raw).strip()
    citations = record.get("citations") or []
    answers = gold.answers

    def judged(metric: Callable[[str, Sequence[str]], float], prediction: str) -> float | None:
        # No answer to get right on an unanswerable question; an abstention gets an answerable one wrong.
        return None if not gold.answerable else metric(prediction, answers) if answered else 0.0

    support_recall, support_precision = _supporting(gold, citations if answered else [])
    cite = citation_scores(raw, _evidence(citations), checker) if answered else None
    timings = record.get("timings") or {}
    return QuestionScore(
        unit_id,
        question,
        list(answers),
        gold.answerable,
        short_answer=short,
        answer=raw,
        abstained=abstained,
        clarified=clarified,
        error=None,
        em=judged(exact_match, short),
        f1=judged(token_f1, short),
        answer_recall=judged(answer_recall, text),
        answer_f1=judged(token_f1, text),
        supporting_recall=support_recall,
        supporting_precision=support_precision,
        citation_recall=cite.recall if cite else None,
        citation_precision=cite.precision if cite else None,
        citations=len(citations),
        actions=len(record.get("actions") or []),
        latency_s=timings.get("total_s"),
        phases={phase: timings[phase] for phase in (*PHASES, *WITHIN_ANSWER) if phase in timings},
        retrieved_gold_recall=_retrieved_recall(gold, record.get("retrieved")),
        confidence=record.get("confidence"),
        guess_right=_guess_right(gold, short if answered else record.get("best_guess") or "", text, answered),
    )


def _guess_right(gold: Gold, short: str, text: str, answered: bool) -> bool | None:
    if not answered and not short:
        return None  # an abstention with nothing withheld, or a clarifying question
    if not gold.answerable:
        return False
    return answer_is_right(short, text if answered else "", gold.answers)


def _failed(unit_id: str, question: str, gold: Gold, error: str) -> QuestionScore:
    """A question the system failed on: wrong on every answer score, counted among the errors."""
    zero = 0.0 if gold.answerable else None
    return QuestionScore(
        unit_id,
        question,
        list(gold.answers),
        gold.answerable,
        short_answer="",
        answer="",
        abstained=False,
        clarified=False,
        error=error,
        em=zero,
        f1=zero,
        answer_recall=zero,
        answer_f1=zero,
        supporting_recall=zero if gold.supporting else None,
        supporting_precision=None,
        citation_recall=None,
        citation_precision=None,
        citations=0,
        actions=0,
        latency_s=None,
    )


def _evidence(citations: list[dict[str, Any]]) -> dict[int, str]:
    # The title goes with the quote: a sentence naming its subject is backed by a quote from that page.
    return {c["n"]: f"{c.get('title') or ''}\n{c.get('quote') or ''}".strip() for c in citations}


def _supporting(gold: Gold, citations: list[dict[str, Any]]) -> tuple[float | None, float | None]:
    """Gold passages the answer cites (recall), and cited passages that are gold (precision). A passage
    matches by document id or by title, so question files may name gold passages either way."""
    if not gold.answerable or not gold.supporting:
        return None, None
    wanted = set(gold.supporting)
    cited: dict[str, set[str]] = {}
    for c in citations:
        key = c.get("doc_id") or c.get("title") or ""
        cited.setdefault(key, set()).update(x for x in (c.get("doc_id"), c.get("title")) if x)
    found = {g for g in wanted if any(g in names for names in cited.values())}
    precision = sum(bool(names & wanted) for names in cited.values()) / len(cited) if cited else None
    return len(found) / len(wanted), precision


def _retrieved_recall(gold: Gold, retrieved: object) -> float | None:
    if not isinstance(retrieved, list) or not gold.supporting or not gold.answerable:
        return None
    return len(set(gold.supporting) & set(retrieved)) / len(gold.supporting)


def summarise(scores: Sequence[QuestionScore]) -> dict[str, Any]:
    """The run's figures. Each is a mean over the questions it applies to; the counts say how many."""
    answerable = [s for s in scores if s.answerable]
    unanswerable = [s for s in scores if not s.answerable]
    answered = [s for s in scores if s.error is None]
    latencies = [s.latency_s for s in answered if s.latency_s is not None]
    p50, p95 = percentiles(latencies, 50, 95)
    summary: dict[str, Any] = {
        "questions": len(scores),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "errors": len(scores) - len(answered),
        "exact_match": _mean(s.em for s in scores),
        "f1": _mean(s.f1 for s in scores),
        "answer_recall": _mean(s.answer_recall for s in scores),
        "answer_f1": _mean(s.answer_f1 for s in scores),
        "supporting_recall": _mean(s.supporting_recall for s in scores),
        "supporting_precision": _mean(s.supporting_precision for s in scores),
        "retrieved_gold_recall": _mean(s.retrieved_gold_recall for s in scores),
        "citation_recall": _mean(s.citation_recall for s in scores),
        "citation_precision": _mean(s.citation_precision for s in scores),
        "abstention_rate": _share(answered, lambda s: s.abstained),
        "abstention_rate_answerable": _share([s for s in answered if s.answerable], lambda s: s.abstained),
        "unanswerable_accuracy": _share([s for s in answered if not s.answerable], lambda s: s.abstained),
        "clarification_rate": _share(answered, lambda s: s.clarified),
        "answered_answerable": _share([s for s in answered if s.answerable], lambda s: _gave_answer(s)),
        "abstention_precision": _share([s for s in answered if s.abstained], lambda s: not s.answerable),
        "accuracy_of_answered": _share([s for s in answered if _gave_answer(s)], _answered_right),
        "confidence_ece": _round(calibration_error(scores)) if _calibrated(scores) else None,
        "citations_per_answer": _mean(float(s.citations) for s in answered if not s.abstained),
        "actions_per_question": _mean(float(s.actions) for s in answered),
        "latency_p50_s": _round(p50),
        "latency_p95_s": _round(p95),
        "answering_s": round(sum(latencies), 1),  # stays when a rerun reuses the answers, unlike wall time
    }
    for phase in (*PHASES, *WITHIN_ANSWER):
        values = [s.phases[phase] for s in answered if phase in s.phases]
        summary[f"{phase[:-2]}_p50_s"] = _round(percentiles(values, 50)[0]) if values else None
    return summary


def _gave_answer(score: QuestionScore) -> bool:
    return not score.abstained and not score.clarified


def _answered_right(score: QuestionScore) -> bool:
    """An answer is right when its short answer matches or its text holds a gold answer (EM or answer
    recall); any answer to an unanswerable question is wrong."""
    return score.answerable and bool(score.em or score.answer_recall)


def _calibrated(scores: Sequence[QuestionScore]) -> list[QuestionScore]:
    return [s for s in scores if s.confidence is not None and s.guess_right is not None]


def calibration_error(scores: Sequence[QuestionScore], bins: int = 10) -> float:
    """Expected calibration error of `confidence` against `guess_right`, in equal-width bins."""
    judged = _calibrated(scores)
    total = 0.0
    for low, high, members in calibration_bins(judged, bins):
        del low, high
        mean_confidence = statistics.fmean(s.confidence or 0.0 for s in members)
        accuracy = statistics.fmean(float(bool(s.guess_right)) for s in members)
        total += abs(mean_confidence - accuracy) * len(members)
    return total / len(judged) if judged else float("nan")


def calibration_bins(scores: Sequence[QuestionScore], bins: int = 10) -> list[tuple[float, float, list[QuestionScore]]]:
    """The non-empty bins (low, high, members) of the scores with a confidence and a judgement."""
    grouped: dict[int, list[QuestionScore]] = {}
    for s in _calibrated(scores):
        grouped.setdefault(min(int((s.confidence or 0.0) * bins), bins - 1), []).append(s)
    return [(b / bins, (b + 1) / bins, grouped[b]) for b in sorted(grouped)]


def risk_coverage(scores: Sequence[QuestionScore]) -> list[tuple[float, float]]:
    """(share answered, accuracy of those answered) when only the most confident answers are given, for
    every cut: the curve a confidence threshold moves along. Right means what the confidence estimates."""
    judged = sorted(_calibrated(scores), key=lambda s: -(s.confidence or 0.0))
    points, right = [], 0
    for n, s in enumerate(judged, start=1):
        right += bool(s.guess_right)
        points.append((n / len(judged), right / n))
    return points


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.fmean(present), 4) if present else None


def _share(scores: Sequence[QuestionScore], test: Callable[[QuestionScore], bool]) -> float | None:
    return round(sum(map(test, scores)) / len(scores), 4) if scores else None


def _round(value: float) -> float | None:
    return None if value != value else round(value, 3)  # NaN (no values) is not JSON
