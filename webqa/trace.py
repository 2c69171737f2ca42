"""A turn's trace, typed: what the browser did, how the agent stopped, how the answer was made and what a
conversation did with the turn. Writers build these frozen objects and readers use their attributes;
`to_dict()` is the `trace` field of the answers JSONL format (README) and of saved conversations, and
`Trace.from_dict` reads that field back from disk.

The answer notes stay a dict: each answer mode keeps its own (scores, samples, features), and only the few
that readers act on are named here, once."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # webqa.types holds Answer, which carries a Trace: the types are imported where used
    from webqa.browser.env import Browser, Step
    from webqa.types import Quote


@dataclass(frozen=True)
class PageAt:
    """The page the browser ended on, and where on it."""

    title: str
    source: str
    position: int


@dataclass(frozen=True)
class BrowsingTrace:
    """The browser session of one agent run: every step with its observation, and every quote taken."""

    budget: int
    actions_left: int
    ended_by: str | None
    reason: str
    steps: tuple[Step, ...]
    quotes: tuple[Quote, ...]
    page: PageAt | None

    @classmethod
    def of(cls, browser: Browser) -> BrowsingTrace:
        page = None if browser.page is None else PageAt(browser.page.title, browser.page.source, browser.position)
        return cls(
            browser.budget, browser.actions_left, browser.ended_by, browser.reason,
            tuple(browser.steps), tuple(browser.quotes), page,
        )  # fmt: skip

    @property
    def observation_chars(self) -> list[int]:
        """How long each observation was: what a model's context paid for each step."""
        return [len(step.observation) for step in self.steps]

    def to_dict(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "actions_left": self.actions_left,
            "ended_by": self.ended_by,
            "reason": self.reason,
            "steps": [asdict(step) for step in self.steps],
            "quotes": [asdict(quote) for quote in self.quotes],
            "page": None if self.page is None else asdict(self.page),
            "observation_chars": self.observation_chars,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BrowsingTrace:
        from webqa.browser.env import Step
        from webqa.types import Quote

        page = data.get("page")
        return cls(
            budget=data.get("budget", 0),
            actions_left=data.get("actions_left", 0),
            ended_by=data.get("ended_by"),
            reason=data.get("reason", ""),
            steps=tuple(Step(**step) for step in data.get("steps", [])),
            quotes=tuple(Quote(**quote) for quote in data.get("quotes", [])),
            page=None if page is None else PageAt(**page),
        )


@dataclass(frozen=True)
class TurnNotes:
    """What a conversation did with a turn: the standalone question it searched for, how it got it, and
    whether the conversation's earlier quotes answered it. A clarifying question keeps what it asked."""

    rewritten_question: str
    rewrite: dict[str, Any]
    reused_quotes: bool
    reuse_relevance: float | None = None  # how well the earlier quotes matched (answered turns only)
    earlier_quotes: int | None = None  # how many of the conversation's quotes the turn could draw on
    clarification: dict[str, Any] | None = None  # Clarification.to_dict() of a clarifying turn

    def to_dict(self) -> dict[str, Any]:
        data = {
            "rewritten_question": self.rewritten_question,
            "rewrite": self.rewrite,
            "reused_quotes": self.reused_quotes,
        }
        if self.clarification is None:
            data.update(reuse_relevance=self.reuse_relevance, earlier_quotes=self.earlier_quotes)
        return data


@dataclass(frozen=True)
class Trace:
    """One turn. `browsing` is None when nothing was browsed (a follow-up answered from earlier quotes, a
    clarifying question); `stopped_by` is None only for a clarifying question, which answers nothing."""

    browsing: BrowsingTrace | None = None
    stopped_by: str | None = None  # the agent's reason, or "reused_quotes"
    invalid_outputs: int = 0  # the policy's replies that were no command
    notes: dict[str, Any] = field(default_factory=dict)  # how the answer was made (the "answer" key)
    turn: TurnNotes | None = None  # set by a conversation

    @property
    def steps(self) -> tuple[Step, ...]:
        return () if self.browsing is None else self.browsing.steps

    @property
    def quotes(self) -> tuple[Quote, ...]:
        return () if self.browsing is None else self.browsing.quotes

    @property
    def reused_quotes(self) -> bool:
        return self.turn is not None and self.turn.reused_quotes

    @property
    def rewritten_question(self) -> str | None:
        return None if self.turn is None else self.turn.rewritten_question

    @property
    def clarification(self) -> dict[str, Any] | None:
        return None if self.turn is None else self.turn.clarification

    # The notes readers act on, named once; the answer modules write them (webqa.answer).
    @property
    def dropped_sentences(self) -> list[str]:
        """The model's sentences that their citations did not support."""
        return self.notes.get("dropped_sentences") or []

    @property
    def written_sentences(self) -> list[dict[str, Any]]:
        """Every sentence a model wrote, kept or not, with its support score (empty for an extractive answer)."""
        return self.notes.get("sentences") or []

    @property
    def best_of(self) -> list[dict[str, Any]]:
        """The best-of-N samples with their scores (empty unless settings.best_of > 1)."""
        return self.notes.get("best_of") or []

    def with_turn(self, turn: TurnNotes) -> Trace:
        return replace(self, turn=turn)

    def to_dict(self) -> dict[str, Any]:
        if self.turn is not None and self.turn.clarification is not None:
            return {**self.turn.to_dict(), "steps": [], "clarification": self.turn.clarification}
        data = _nothing_browsed() if self.browsing is None else self.browsing.to_dict()
        data.update(stopped_by=self.stopped_by, invalid_outputs=self.invalid_outputs, answer=self.notes)
        if self.turn is not None:
            data.update(self.turn.to_dict())
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trace:
        """A trace read back from a saved record (records written before a key existed lack it)."""
        turn = None
        if "rewritten_question" in data:
            turn = TurnNotes(
                data["rewritten_question"], data.get("rewrite", {}), data.get("reused_quotes", False),
                data.get("reuse_relevance"), data.get("earlier_quotes"), data.get("clarification"),
            )  # fmt: skip
        browsing = BrowsingTrace.from_dict(data) if "budget" in data else None
        notes = data.get("answer", {})
        return cls(browsing, data.get("stopped_by"), data.get("invalid_outputs", 0), notes, turn)


def _nothing_browsed() -> dict[str, Any]:
    """What a trace that browsed nothing shows in the browser's place: the keys every reader relies on."""
    return {"steps": [], "quotes": [], "page": None, "observation_chars": []}
