"""Short answers by the model's choice among typed spans of the quotes (names, dates, numbers), yes/no, or
one of the options a comparison question names. The reader (webqa/answer/reader.py) uses it for yes/no and
"X or Y" verdicts, the abstractive answerer for its short answer; other questions go to the learned
scorer (webqa/answer/scorer.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from webqa.answer.candidates import Candidate, expected_kind, extract_candidates
from webqa.answer.draft import ScoredQuotes, numbered_context

if TYPE_CHECKING:
    from webqa.llm import LLM

SHORT_ANSWER_PROMPT = "Answer the question with a short phrase taken from the context."
LLM_CANDIDATES = 8


def choose_short_answer(question: str, scored: ScoredQuotes, llm: LLM | None) -> tuple[str, int | None, str]:
    """(span, index of the quote it comes from, how it was chosen)."""
    candidates = _narrow(question, extract_candidates(question, [quote.text for quote, _ in scored]))
    if not candidates:
        return "", None, "no candidates"
    ranked = sorted(candidates, key=lambda c: -_prior(c, question, scored))
    if llm is not None and len(ranked) > 1:
        options = ranked[:LLM_CANDIDATES]
        messages = [
            ("system", SHORT_ANSWER_PROMPT),
            ("user", f"Context:\n{numbered_context(scored)}\n\nQuestion: {question}"),
        ]
        scores = llm.score_options(messages, [c.text for c in options])
        if scores is not None:
            # Mean log-probability per token, so long spans are not penalised for their length.
            means = [s / max(1, llm.count_tokens(c.text)) for s, c in zip(scores, options, strict=True)]
            best = options[max(range(len(options)), key=lambda i: means[i])]
            return best.text, _source(best, scored), "llm"
    best = ranked[0]
    return best.text, _source(best, scored), "heuristic"


def _narrow(question: str, candidates: list[Candidate]) -> list[Candidate]:
    """Keep only what the question can be answered with, when its wording says so: one of the options a
    comparison question names ("Who is older, X or Y?"), or a date or number for when/how-many questions."""
    options = [c for c in candidates if c.kind == "option"]
    if len(options) >= 2:
        return options
    kind = expected_kind(question)
    if kind in ("date", "number"):
        typed = [c for c in candidates if c.kind == kind]
        if typed:
            return typed
    return candidates


def _prior(candidate: Candidate, question: str, scored: ScoredQuotes) -> float:
    """Without a model: the relevance of its quote, whether it is the kind of thing asked for, and how many
    of the quotes mention it (the answer to a multi-hop question tends to recur)."""
    relevance = scored[candidate.quote_index][1] if candidate.quote_index >= 0 else scored[0][1]
    kind = 0.25 if candidate.kind == expected_kind(question) else 0.0
    needle = candidate.text.lower()
    mentions = sum(1 for quote, _ in scored if needle in quote.text.lower())
    specific = 0.03 * min(len(candidate.text.split()), 5)  # "Chief of Protocol of the United States" > "United States"
    return relevance + kind + 0.05 * mentions + specific


def _source(candidate: Candidate, scored: ScoredQuotes) -> int | None:
    if candidate.quote_index >= 0:
        return candidate.quote_index
    needle = candidate.text.lower()
    for index, (quote, _) in enumerate(scored):
        if needle in quote.text.lower():
            return index
    return None
