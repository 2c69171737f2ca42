"""Extractive answers: the short answer is a span of a quote, chosen by scoring; the answer text is the
quoted sentence around it, with its citation. Nothing in it is generated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from webqa.answer.candidates import Candidate, expected_kind, extract_candidates, is_yes_no
from webqa.answer.draft import Draft, ScoredQuotes, abstention, numbered_context, with_citation
from webqa.index.chunking import sentence_spans
from webqa.types import Citation, Quote

if TYPE_CHECKING:
    from webqa.llm import LLM

SHORT_ANSWER_PROMPT = "Answer the question with a short phrase taken from the context."
LLM_CANDIDATES = 8


def extractive_answer(question: str, scored: ScoredQuotes, llm: LLM | None, abstain_below: float) -> Draft:
    if not scored or scored[0][1] < abstain_below:
        best = f"{scored[0][1]:.2f}" if scored else "none"
        return abstention(question, scored, f"best evidence relevance {best} < {abstain_below}")
    short, source, how = choose_short_answer(question, scored, llm)
    answer_quote = scored[source][0] if source is not None else scored[0][0]
    support = [answer_quote] + [q for q, s in scored[:2] if q != answer_quote and s >= abstain_below]
    citations = tuple(Citation(n, quote) for n, quote in enumerate(support, start=1))
    sentences = [with_citation(_sentence_with(c.quote, short), f"[{c.n}]") for c in citations]
    if is_yes_no(question) and short:
        sentences.insert(0, f"{short.capitalize()}.")  # the reader needs the verdict; the quotes are its grounds
    return Draft(" ".join(sentences), short, False, citations, {"short_answer_by": how})


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


def _sentence_with(quote: Quote, span: str) -> str:
    """The sentence of the quote that contains the span (the whole quote when it is one sentence)."""
    sentences = [quote.text[a:b] for a, b in sentence_spans(quote.text)]
    for sentence in sentences:
        if span and span.lower() in sentence.lower():
            return sentence
    return quote.text
