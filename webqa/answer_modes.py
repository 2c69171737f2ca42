"""The answer modes a setting names (webqa.registry.ANSWER_MODES): how a turn's ranked evidence becomes a
draft answer. Each mode is an `Answerer`; `answer_turn` runs the one a setting names, and is the one place
where an answerer with nothing to offer gives way to the extractive answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from webqa.answer import evidence
from webqa.answer.abstractive import abstractive_answer
from webqa.answer.best_of import best_of_answer
from webqa.answer.draft import Draft, ScoredQuotes
from webqa.answer.parts import combine_parts, question_parts
from webqa.answer.reader import read_answer, withheld, written_answer_confidence
from webqa.answer.reward import shared_reward_model
from webqa.answer.support import OverlapSupport
from webqa.registry import ANSWER_MODES

if TYPE_CHECKING:
    from webqa.answer.relevance import Relevance
    from webqa.config import Settings
    from webqa.index.embedders import Embedder
    from webqa.llm import LLM
    from webqa.types import Quote

TextListener = Callable[[str], None]


class AnswerContext(Protocol):
    """What an answer mode draws on (the assistant is one): settings, models loaded when asked for, and the
    confidence below which an answer is withheld."""

    @property
    def settings(self) -> Settings: ...

    def llm(self) -> LLM: ...

    def embedder(self) -> Embedder: ...

    def relevance(self) -> Relevance: ...

    def confidence_threshold(self) -> float: ...


@dataclass(frozen=True)
class TurnEvidence:
    """What one turn answers from: every sentence read, the same ranked best first, and the short-answer
    scorer (the model, or None for the heuristic)."""

    question: str
    sentences: list[Quote]
    ranked: list[evidence.Sentence]
    scorer: LLM | None


class Answerer(Protocol):
    """An answer mode. It takes what the assistant offers, the turn's evidence and the listener streamed
    text goes to, and returns the draft, or None when it has nothing worth offering (then the extractive
    answer stands in, and the trace says so)."""

    def answer(self, context: AnswerContext, turn: TurnEvidence, on_text: TextListener | None) -> Draft | None: ...


def answer_turn(
    mode: str, context: AnswerContext, turn: TurnEvidence, on_text: TextListener | None
) -> tuple[Draft, dict[str, Any]]:
    """The draft of the answerer registered as `mode`, and the notes the trace keeps about it. Every answerer
    but the extractive one may fall back to it, so the notes of every other say whether it did."""
    answerer: Answerer = ANSWER_MODES.create(mode)
    if isinstance(answerer, ExtractiveAnswerer):  # what the others fall back to: it always answers
        extracted = answerer.answer(context, turn, on_text)
        return extracted, dict(extracted.notes)
    draft = answerer.answer(context, turn, on_text)
    fell_back = draft is None
    if draft is None:
        draft = ExtractiveAnswerer().answer(context, turn, on_text)
    return draft, {**draft.notes, "fell_back_to_extractive": fell_back}


class ExtractiveAnswerer:
    """The answer built from the best quoted sentences; a two-part question is answered part by part from
    the same sentences. It always has an answer (an abstention, when the sentences are too weak)."""

    def answer(self, context: AnswerContext, turn: TurnEvidence, on_text: TextListener | None) -> Draft:
        below, threshold = context.settings.abstain_below, context.confidence_threshold()
        parts = question_parts(turn.question)
        if parts is None:
            draft = read_answer(turn.question, turn.ranked, turn.scorer, below, threshold)
        else:
            drafts = []
            for part in parts:
                ranked = evidence.rank(part, turn.sentences, context.relevance())
                drafts.append(read_answer(part, ranked, turn.scorer, below, threshold))
            draft = combine_parts(parts, (drafts[0], drafts[1]))
        if on_text is not None:
            on_text(draft.text)
        return draft


class AbstractiveAnswerer:
    """The model writes the answer and every sentence is checked against its citations; with no evidence
    worth writing from, or nothing supported, there is no draft."""

    def answer(self, context: AnswerContext, turn: TurnEvidence, on_text: TextListener | None) -> Draft | None:
        settings, ranked = context.settings, turn.ranked
        if not ranked or ranked[0].relevance < settings.abstain_below:
            return None
        support = OverlapSupport(context.embedder())
        scored = [(s.quote, s.relevance) for s in ranked[: settings.answer_quotes]]
        draft = _write(context, turn.question, scored, support, on_text, turn.scorer)
        if draft is None:
            return None
        draft = written_answer_confidence(turn.question, ranked, draft)
        if not draft.abstained and (draft.evidence_confidence or 0.0) < context.confidence_threshold():
            draft = withheld(turn.question, ranked, draft, context.confidence_threshold())
            if on_text is not None:  # what was streamed is taken back, in so many words
                on_text(f"\n\n(The answer above is withdrawn as too uncertain.) {draft.text}")
        return draft


def _write(
    context: AnswerContext,
    question: str,
    scored: ScoredQuotes,
    support: OverlapSupport,
    on_text: TextListener | None,
    scorer: LLM | None,
) -> Draft | None:
    """The abstractive answer: one greedy answer, or the best of settings.best_of samples."""
    s = context.settings
    if s.best_of == 1:
        return abstractive_answer(question, scored, context.llm(), support, on_text, short_answer_scorer=scorer)
    reward = shared_reward_model(s.reward_model) if s.reward_model is not None else None
    return best_of_answer(
        question, scored, context.llm(), support, reward, n=s.best_of, temperature=s.best_of_temperature,
        seed=s.llm_seed, on_text=on_text, short_answer_scorer=scorer,
    )  # fmt: skip
