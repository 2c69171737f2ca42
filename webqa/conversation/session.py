"""A conversation: its turns, the quotes they collected, and a question on hold for a clarifying reply."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from webqa.answer.candidates import expected_kind, extract_candidates
from webqa.answer.quote_store import QuoteStore
from webqa.answer.sampling import Comparison, sample_answers
from webqa.answer.support import OverlapSupport
from webqa.conversation.clarify import (
    Clarification,
    choose_reading,
    clean_reply,
    find_ambiguity,
    is_bare_topic,
    looks_like_new_question,
    topic_clarification,
    topic_question,
    with_reading,
)
from webqa.conversation.rewrite import (
    PreviousTurn,
    Rewrite,
    check_llm_rewrite,
    find_references,
    rewrite_with_llm,
    rewrite_with_rules,
    substitute_references,
)
from webqa.conversation.store import ConversationStore, SavedTurn
from webqa.errors import WebqaError
from webqa.search.base import SearchError, SearchResult
from webqa.text import question_names, quote_text
from webqa.trace import Trace, TurnNotes
from webqa.types import Action, Answer, Citation, Quote

if TYPE_CHECKING:
    from webqa.assistant import Assistant, StepListener


@dataclass(frozen=True)
class Turn:
    """One exchange. `answer.question` is what the user typed; `question` is what was searched for."""

    n: int
    user_text: str
    question: str
    kind: str  # "answer" or "clarification" (then answer.answer is the clarifying question)
    answer: Answer
    started_at: str
    finished_at: str

    @property
    def clarification(self) -> Clarification | None:
        data = self.answer.trace.clarification
        return Clarification.from_dict(data) if self.kind == "clarification" and data else None

    def to_record(self, id: str | None = None) -> dict[str, Any]:
        """The answers-JSONL record of this turn, plus what the conversation did with it."""
        record = self.answer.to_record(id)
        record["rewritten_question"] = self.question
        record["clarification"] = self.kind == "clarification"
        return record

    def as_previous(self) -> PreviousTurn:
        answer = self.answer
        titles = tuple(c.quote.title for c in answer.citations)
        return PreviousTurn(self.question, answer.short_answer, answer.abstained, titles)


class Conversation:
    """Turns in order. With a `store`, every turn is saved as soon as it is answered."""

    def __init__(
        self,
        assistant: Assistant,
        *,
        store: ConversationStore | None = None,
        conversation_id: str | None = None,
    ) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self.id = conversation_id or uuid.uuid4().hex[:12]
        self.store = store
        self.turns: list[Turn] = []
        self.quotes = QuoteStore(assistant.embedder())  # every quote of the conversation, in the order found
        self.pending: Clarification | None = None
        self._saved_quotes = 0

    @classmethod
    def resume(cls, assistant: Assistant, store: ConversationStore, conversation_id: str) -> Conversation:
        """A saved conversation, with its quotes and any clarifying question still waiting for a reply."""
        saved = store.load(conversation_id)
        conversation = cls(assistant, store=store, conversation_id=conversation_id)
        conversation.turns = [
            Turn(t.n, t.user_text, t.question, t.kind, answer_from_record(t.record), t.started_at, t.finished_at)
            for t in saved.turns
        ]
        conversation.quotes.add(saved.quotes)
        conversation._saved_quotes = len(conversation.quotes)
        if conversation.turns:
            conversation.pending = conversation.turns[-1].clarification
        return conversation

    def use(self, assistant: Assistant) -> None:
        """Go on with another assistant (another index, backend or model); the turns and quotes stay."""
        self.assistant = assistant
        self.settings = assistant.settings

    @property
    def history(self) -> list[PreviousTurn]:
        """The answered turns, oldest first: what follow-ups may refer to."""
        return [turn.as_previous() for turn in self.turns if turn.kind == "answer"]

    def ask(
        self,
        text: str,
        *,
        on_text: Callable[[str], None] | None = None,
        on_step: StepListener | None = None,
    ) -> Turn:
        """Answer the user's next message: a reply to a clarifying question, a follow-up or a new question.
        `on_text` receives the answer as it is written, `on_step` each browsing command as it runs."""
        text = " ".join(text.split())
        if not text:
            raise WebqaError("The message is empty. Type a question.")
        started = _Start(_now(), time.perf_counter())
        pending, self.pending = self.pending, None
        if pending is not None:
            resolved = self._resolve(pending, text)
            if resolved is not None:
                return self._answer(text, resolved[0], resolved[1], started, on_text, on_step)
        if not self.history and is_bare_topic(text):
            return self._clarify(
                text, topic_clarification(text, self._results(text)), {"by": "topic"}, started, on_text
            )
        rewrite = self._rewrite(text)
        notes = {"by": rewrite.by, "entity": rewrite.entity, **rewrite.notes}
        if rewrite.unresolved is not None:
            return self._clarify(text, Clarification(text, "reference", rewrite.unresolved), notes, started, on_text)
        ambiguity = self._ambiguity(rewrite.question)
        if ambiguity is not None:
            return self._clarify(text, ambiguity, notes, started, on_text)
        return self._answer(text, rewrite.question, notes, started, on_text, on_step)

    def compare(self, n: int, count: int = 2) -> Comparison:
        """`count` answers to turn `n`'s question sampled from the same quotes, for the user to pick the better."""
        if not 1 <= n <= len(self.turns) or self.turns[n - 1].kind != "answer":
            raise WebqaError(f"Turn {n} of this conversation is not an answer; only answers can be compared.")
        question = self.turns[n - 1].question
        evidence, _ = self._evidence(question)
        quotes = [quote for quote, _ in evidence.top(question, self.settings.answer_quotes)]
        if not quotes:
            raise WebqaError("No quotes were found for this question, so there is nothing to write answers from.")
        support = OverlapSupport(self.assistant.embedder())
        s = self.settings
        return sample_answers(
            question, quotes, self.assistant.llm(), support, count=count, temperature=s.compare_temperature,
            seed=s.llm_seed + 1,
        )  # fmt: skip

    # --- the steps of a turn --------------------------------------------------------------------

    def _rewrite(self, text: str) -> Rewrite:
        history = self.history
        rules = rewrite_with_rules(text, history)
        if not (self.settings.rewrite_with_llm and history):
            return rules
        candidate = rewrite_with_llm(self.assistant.llm(), text, history)
        problem = check_llm_rewrite(candidate, text, history)
        if problem is None:
            return Rewrite(candidate, "llm", notes={"rules_rewrite": rules.question})
        return replace(rules, notes={"llm_rewrite": candidate, "llm_rejected": problem})

    def _ambiguity(self, question: str) -> Clarification | None:
        results = self._results(question)
        return find_ambiguity(question, results) if results else None

    def _results(self, question: str) -> list[SearchResult]:
        try:
            # The assistant's backend remembers this search, so browsing the same question reuses it.
            return list(self.assistant.search_backend.search(question, self.settings.search_k))
        except SearchError:
            return []  # the agent's own search will meet the same failure and report it in the trace

    def _resolve(self, pending: Clarification, reply: str) -> tuple[str, dict[str, Any]] | None:
        """The question the reply completes, or None when the reply is a new question instead."""
        if pending.kind == "topic":
            asked = topic_question(pending, reply)
            return None if asked is None else (asked, {"by": "clarification", "topic": pending.term})
        if pending.kind == "ambiguous":
            reading = choose_reading(pending.readings, reply)
            if reading is None and looks_like_new_question(reply):
                return None
            # A reply naming no listed reading still says what the user means ("the Roman god").
            chosen = reading.title if reading is not None else f"{pending.term} ({clean_reply(reply)})"
            return with_reading(pending.question, pending.term, chosen), {"by": "clarification", "reading": chosen}
        entity = clean_reply(reply)
        if looks_like_new_question(reply) or not entity:
            return None
        question = substitute_references(pending.question, find_references(pending.question), entity)
        return question, {"by": "clarification", "entity": entity}

    def _evidence(self, question: str) -> tuple[QuoteStore, int]:
        """The conversation's quotes narrowed to what a question may draw on, and how many earlier quotes
        that leaves: those about the names it mentions (all of them when it names nothing), plus whatever
        browsing finds for it now. Otherwise "He died in 869" from Lothair II's page could answer "When
        did Albert Einstein die?"."""
        names = [name.lower() for name in question_names(question)]
        off_topic = {q for q in self.quotes.quotes if names and not any(n in quote_text(q).lower() for n in names)}
        # Quotes browsing adds this turn are not in `off_topic`, so the narrowed store keeps them.
        return self.quotes.where(lambda quote: quote not in off_topic), len(self.quotes) - len(off_topic)

    def _reusable(self, question: str, evidence: QuoteStore, earlier: int) -> tuple[bool, float]:
        """Whether earlier quotes answer the question well enough to skip browsing, and their best score.

        A question asking when or how many also needs a date or number in those quotes: "king from 855
        until his death" matches "When did Lothair II die?" well but does not answer it."""
        if not self.history or not earlier:
            return False, 0.0
        scored = evidence.top(question, self.settings.answer_quotes)
        best = scored[0][1]
        if best < self.settings.reuse_quotes_above:
            return False, best
        kind = expected_kind(question)
        if kind in ("date", "number"):
            candidates = extract_candidates(question, [quote.text for quote, _ in scored])
            return any(c.kind == kind for c in candidates), best
        return True, best

    def _answer(
        self,
        text: str,
        question: str,
        notes: dict[str, Any],
        started: _Start,
        on_text: Callable[[str], None] | None,
        on_step: StepListener | None,
    ) -> Turn:
        evidence, earlier = self._evidence(question)
        reuse, best = self._reusable(question, evidence, earlier)
        # The answer draws on the earlier quotes about this question's names plus what browsing finds now;
        # what browsing finds joins the conversation's quotes through `evidence`, which shares their store.
        answer = self.assistant.ask(
            question, quote_store=evidence, skip_browsing=reuse, on_text=on_text, on_step=on_step
        )
        trace = answer.trace.with_turn(TurnNotes(question, notes, reuse, round(best, 3), earlier))
        return self._record(text, question, "answer", replace(answer, question=text, trace=trace), started)

    def _clarify(
        self,
        text: str,
        clarification: Clarification,
        notes: dict[str, Any],
        started: _Start,
        on_text: Callable[[str], None] | None,
    ) -> Turn:
        self.pending = clarification
        asked = clarification.text()
        if on_text is not None:
            on_text(asked)
        trace = Trace(turn=TurnNotes(clarification.question, notes, False, clarification=clarification.to_dict()))
        timings = {"total_s": round(time.perf_counter() - started.perf, 3)}
        answer = Answer(question=text, answer=asked, timings=timings, trace=trace)
        return self._record(text, clarification.question, "clarification", answer, started)

    def _record(self, text: str, question: str, kind: str, answer: Answer, started: _Start) -> Turn:
        turn = Turn(len(self.turns) + 1, text, question, kind, answer, started.at, _now())
        self.turns.append(turn)
        if self.store is not None:
            record = {**turn.to_record(), "trace": answer.trace.to_dict()}
            saved = SavedTurn(turn.n, text, question, kind, record, turn.started_at, turn.finished_at)
            self.store.save_turn(self.id, saved, self.quotes.quotes[self._saved_quotes :])
            self._saved_quotes = len(self.quotes)
        return turn


def conversation_record(assistant: Assistant, item_id: str, turns: Sequence[str]) -> dict[str, Any]:
    """One answers-JSONL line for a multi-turn input line: every turn's record under "turns"; the line's
    own answer fields are those of the last turn, its timings the whole conversation's."""
    conversation = Conversation(assistant)
    records = [conversation.ask(text).to_record(f"{item_id}#{n}") for n, text in enumerate(turns, start=1)]
    last = records[-1]
    return {
        "id": item_id,
        "question": turns[0],
        **{key: last[key] for key in ("answer", "short_answer", "citations", "actions")},
        # A line that ends on a clarifying question has no answer: its "answer" is the question asked.
        "abstained": last["abstained"] or last["clarification"],
        "clarification": last["clarification"],
        "timings": {"total_s": round(sum(r["timings"].get("total_s", 0.0) for r in records), 3)},
        "turns": records,
        "error": None,
    }


def answer_from_record(record: dict[str, Any]) -> Answer:
    """An Answer back from its saved record (Answer.to_record() plus "trace")."""
    citations = tuple(
        Citation(
            c["n"], Quote(c["quote"], c["title"], c["url"], c["doc_id"], c["start"], c["end"], c.get("page_sha256"))
        )
        for c in record.get("citations", [])
    )
    actions = tuple(Action(a["command"], a["argument"], a["ok"]) for a in record.get("actions", []))
    return Answer(
        question=record["question"],
        answer=record["answer"],
        short_answer=record.get("short_answer", ""),
        abstained=record.get("abstained", False),
        citations=citations,
        confidence=record.get("confidence"),
        evidence_confidence=record.get("evidence_confidence"),
        best_guess=record.get("best_guess", ""),
        actions=actions,
        timings=record.get("timings", {}),
        trace=Trace.from_dict(record.get("trace", {})),
    )


class _Start(NamedTuple):
    at: str  # wall clock, for the record
    perf: float  # monotonic, for timings


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
