"""The assistant: models, embedder and index loaded once per process; one cited answer per question."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from webqa.agent.loop import AgentRun, Budgets, Policy, run_agent
from webqa.answer import evidence
from webqa.answer.confidence import packaged_model
from webqa.answer.quote_store import QuoteStore
from webqa.answer.relevance import Relevance
from webqa.answer_modes import TurnEvidence, answer_turn
from webqa.browser.session import new_browser
from webqa.config import Settings
from webqa.index.embedders import Embedder, EmbedderOptions, load_embedder
from webqa.index.search import Index
from webqa.registry import POLICIES
from webqa.search.base import RepeatCache, SearchBackend, SearchContext, make_backend
from webqa.trace import Trace
from webqa.types import Action, Answer, Quote

if TYPE_CHECKING:
    from webqa.browser.env import Browser, Observation
    from webqa.llm import LLM

    StepListener = Callable[[str, str, Observation], None]  # (command, argument, what it returned)


EARLIER_QUOTES = 8  # the conversation's quotes that join a turn's evidence, best first


class Assistant:
    def __init__(
        self,
        settings: Settings,
        *,
        index: Index | None = None,
        llm: LLM | None = None,
        search: SearchBackend | None = None,
    ) -> None:
        """`search` replaces the backend settings.search_backend names (a wrapper that records or holds
        searches, a backend the host application made); `index` still serves the local documents."""
        self.settings = settings
        self._llm = llm
        self._relevance: Relevance | None = None
        # Resolved once, here: a bad index or backend name fails before the first question, not on each.
        context = SearchContext(settings, index)
        self.search_backend = RepeatCache(search or make_backend(settings.search_backend, context))
        self._index = context.index  # the local backend opened it; the browser opens its documents from it

    @property
    def index(self) -> Index | None:
        return self._index

    def embedder(self) -> Embedder:
        if self._index is not None:
            return self._index.embedder()
        return load_embedder(self.settings.embedding_model, EmbedderOptions.from_settings(self.settings))

    def llm(self) -> LLM:
        if self._llm is None:
            from webqa.llm import load_llm

            self._llm = load_llm(self.settings)
        return self._llm

    def ask(
        self,
        question: str,
        *,
        policy: str | None = None,
        mode: str | None = None,
        on_text: Callable[[str], None] | None = None,
        quote_store: QuoteStore | None = None,
        skip_browsing: bool = False,
        on_step: StepListener | None = None,
    ) -> Answer:
        """Browse, then answer from the quotes. A conversation passes its `quote_store`: this question's
        quotes join it and the answer draws on all of them; with `skip_browsing` the answer comes from the
        store alone (a follow-up that earlier quotes already answer)."""
        if skip_browsing and quote_store is None:
            raise ValueError("skip_browsing needs a quote_store to answer from")
        started = time.perf_counter()
        run, browser = (None, None) if skip_browsing else self._browse(question, policy, on_step)
        browsed = time.perf_counter()

        store = quote_store if quote_store is not None else QuoteStore(self.embedder())
        store.add(browser.quotes if browser is not None else [])
        # Evidence: every sentence of every page this turn opened, and the conversation's earlier quotes
        # that match the question (a follow-up answered from what was already read).
        earlier = [quote for quote, _ in store.top(question, EARLIER_QUOTES)]
        set_aside: list[Quote] = []
        sentences = evidence.collect(browser.pages_read if browser is not None else [], earlier, set_aside)
        ranked = evidence.rank(question, sentences, self.relevance())
        mode = mode or self.settings.answer_mode
        scorer = self.llm() if self.settings.short_answer_scoring == "llm" else None
        draft, notes = answer_turn(mode, self, TurnEvidence(question, sentences, ranked, scorer), on_text)
        store.add([c.quote for c in draft.citations])  # what this answer cites, a later follow-up can reuse
        finished = time.perf_counter()

        steps = () if run is None else run.trace.steps
        timings = {
            "total_s": round(finished - started, 3),
            "browse_s": round(browsed - started, 3),
            "answer_s": round(finished - browsed, 3),
        }
        for phase in ("search", "open", "quote", "find"):
            timings[f"{phase}_s"] = round(sum(s.seconds for s in steps if s.command == phase), 3)
        timings["model_s"] = draft.model_s  # within answer_s: the model scoring short-answer candidates
        if run is not None and run.stopped_by == "unanswerable":
            # The policy's own verdict is a small model's guess: the measured confidence decides, and the
            # trace keeps what the policy said.
            notes["policy_said_unanswerable"] = browser.reason if browser is not None else ""
        if set_aside:  # page text addressed to an assistant, kept out of the evidence
            notes["set_aside"] = [{"title": q.title, "text": q.text[:200]} for q in set_aside]
        if run is None:
            trace = Trace(None, "reused_quotes", 0, notes)
        else:
            trace = Trace(run.trace, run.stopped_by, run.invalid_outputs, notes)
        return Answer(
            question=question,
            answer=draft.text,
            short_answer=draft.short_answer,
            abstained=draft.abstained,
            citations=draft.citations,
            confidence=draft.confidence,
            evidence_confidence=draft.evidence_confidence,
            best_guess=draft.best_guess,
            actions=tuple(Action(s.command, s.argument, s.ok) for s in steps),
            timings=timings,
            trace=trace,
        )

    def ranked_evidence(self, question: str) -> list[evidence.Sentence]:
        """Browse for a question and rank every sentence read, best first, as `ask` does before answering
        (training data is built from exactly the evidence the answer model meets)."""
        _, browser = self._browse(question, None, None)
        sentences = evidence.collect(browser.pages_read, browser.quotes)
        return evidence.rank(question, sentences, self.relevance())

    def confidence_threshold(self) -> float:
        """Answers whose evidence holds them with a probability below this are withheld (an abstention that
        shows the evidence)."""
        chosen = self.settings.abstain_below_confidence
        return packaged_model().threshold if chosen is None else chosen

    def relevance(self) -> Relevance:
        """One scorer per process: it remembers the embeddings of the sentences it has seen."""
        if self._relevance is None:
            self._relevance = Relevance(self.embedder())
        return self._relevance

    def _browse(self, question: str, policy: str | None, on_step: StepListener | None) -> tuple[AgentRun, Browser]:
        browser = new_browser(self.settings, index=self._index, backend=self.search_backend)
        policy_ = self._policy(policy or self.settings.policy)
        run = run_agent(question, policy_, browser, self._budgets(), on_step=on_step)
        return run, browser

    def _policy(self, name: str) -> Policy:
        policy: Policy = POLICIES.create(name, self)
        return policy

    def _budgets(self) -> Budgets:
        return Budgets(wall_s=self.settings.agent_wall_s, quote_chars=self.settings.agent_quote_chars)
