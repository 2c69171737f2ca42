"""What an answer mode produces, and the pieces both modes share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from webqa.prompts import load_prompt
from webqa.text import numbered_quotes
from webqa.types import Citation, Quote

ScoredQuotes = list[tuple[Quote, float]]  # evidence with its relevance to the question, best first


@dataclass(frozen=True)
class Draft:
    text: str
    short_answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    notes: dict[str, Any] = field(default_factory=dict)  # how the answer was made, for the trace
    confidence: float | None = None  # estimated probability that the answer is right (an abstention's:
    # that of the answer it withheld)
    evidence_confidence: float | None = None  # estimated probability that the pages read hold the answer
    best_guess: str = ""  # an abstention's withheld short answer, shown as a guess, never as the answer
    model_s: float = 0.0  # seconds the model spent scoring short-answer candidates or a verdict's options


def abstention(question: str, scored: ScoredQuotes, why: str, looked: str = "") -> Draft:
    """Say that no reliable answer was found, and show the closest evidence (cited, never asserted).
    `looked`: what was looked for and where, said before the evidence."""
    closest = scored[:2]
    citations = tuple(Citation(n, quote) for n, (quote, _) in enumerate(closest, start=1))
    opening = (
        f"I could not find a reliable answer. {looked}"
        if looked
        else "I could not find a reliable answer to this question."
    )
    if closest:
        shown = " ".join(f"“{quote.text}” [{n}]" for n, (quote, _) in enumerate(closest, start=1))
        text = f"{opening} The closest evidence I found: {shown}"
    else:
        text = (
            f"{opening.rstrip('.')}, and found no relevant evidence."
            if not looked
            else f"{opening} I found no relevant evidence."
        )
    return Draft(text, "", True, citations, {"abstained_because": why}, 0.0)


def numbered_context(scored: ScoredQuotes) -> str:
    """Quotes as the model sees them: [n] title: text."""
    return numbered_quotes(quote for quote, _ in scored)


def answer_messages(question: str, quotes: list[Quote]) -> list[tuple[str, str]]:
    """The prompt the model writes an answer from: the quotes numbered [1], [2], ... and the question.
    Feedback exports use it too, so that fine-tuning data matches what the model is asked at run time."""
    context = numbered_context([(quote, 0.0) for quote in quotes])
    return [
        ("system", load_prompt("answer_system")),
        ("user", load_prompt("answer_user").format(context=context, question=question)),
    ]


def with_citation(sentence: str, markers: str) -> str:
    """'Paris is the capital.' + '[1]' -> 'Paris is the capital [1].'"""
    sentence = sentence.strip()
    if sentence and sentence[-1] in ".!?":
        return f"{sentence[:-1].rstrip()} {markers}{sentence[-1]}"
    return f"{sentence} {markers}."
