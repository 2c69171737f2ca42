"""The planned policy: no model judgement. Search the question, open the best results, quote the sentences
that best match it; then, for multi-hop questions, search the entities those quotes introduce and read on."""

from __future__ import annotations

import re
from collections.abc import Iterator

from webqa.agent.loop import AgentState, PolicyContext
from webqa.answer import evidence
from webqa.answer.candidates import NAME_PATTERN
from webqa.answer.relevance import Relevance
from webqa.browser.page import Page
from webqa.index.sparse import stopwords

Action = tuple[str, str]
_WORD = re.compile(r"[\w'’]+")
BRIDGES = 2  # bridge entities searched per hop
BRIDGE_SENTENCES = 4  # the best sentences read so far whose names may be bridges


class PlannedPolicy:
    def __init__(
        self,
        relevance: Relevance,
        *,
        open_k: int = 3,
        quotes_per_page: int = 2,
        hops: int = 1,
        max_quote_chars: int = 500,
        min_sentence_score: float = 0.15,
    ) -> None:
        self.relevance = relevance
        self.open_k, self.quotes_per_page, self.hops = open_k, quotes_per_page, hops
        self.max_quote_chars, self.min_sentence_score = max_quote_chars, min_sentence_score
        self._plan: Iterator[Action] | None = None
        self._question = ""

    def next_action(self, state: AgentState) -> Action:
        if self._plan is None or state.question != self._question:
            self._question, self._plan = state.question, self._steps(state)
        return next(self._plan, ("answer", ""))

    def _steps(self, state: AgentState) -> Iterator[Action]:
        opened: set[str] = set()
        yield from self._search_and_read(state, state.question, opened, self.open_k, self.min_sentence_score)
        for _ in range(self.hops):
            entities = self._bridge_entities(state)
            for entity in entities[:BRIDGES]:
                # A page reached through a bridge entity often answers in words the question does not use
                # ("government position" -> "Chief of Protocol"), so its best sentences are quoted whatever
                # their score; the answerer reads all of its sentences anyway.
                read = {page.source for page in state.browser.pages_read}
                yield from self._search_and_read(state, entity, read, 1, 0.0, prefer_title=entity, quotes=1)
        yield ("answer", "")

    def _search_and_read(
        self,
        state: AgentState,
        query: str,
        skip: set[str],
        open_k: int,
        min_score: float,
        prefer_title: str | None = None,
        quotes: int | None = None,
    ) -> Iterator[Action]:
        """Search, then open the first open_k results not in `skip` (a result titled `prefer_title` first:
        the page about a bridge entity) and quote their best sentences."""
        yield ("search", query)
        results = state.browser.page
        if results is None or results.kind != "search" or not state.browser.steps[-1].ok:
            return
        links = [link for link in results.links if link.target not in skip]
        if prefer_title is not None:
            wanted = prefer_title.lower()
            links.sort(key=lambda link: link.text.split(" (")[0].strip().lower() != wanted)  # stable
        targets = [link.target for link in links][:open_k]
        for target in targets:
            skip.add(target)
            yield ("open", target)
            page = state.browser.page
            if not state.browser.steps[-1].ok or page is None or page.kind == "search":
                continue
            for sentence in self.best_sentences(page, state.question, min_score)[: quotes or self.quotes_per_page]:
                yield ("quote", sentence)

    def best_sentences(self, page: Page, question: str, min_score: float) -> list[str]:
        """The page's sentences that best match the question, each cut to the quote length limit."""
        # The answerer's own sentences: text addressed to an assistant is never among them.
        sentences = [quote.text for quote in evidence.page_sentences(page)]
        if not sentences:
            return []
        # The title gives each sentence its subject ("He died in 869." on the page "Lothair II").
        scores = self.relevance.scores(question, [f"{page.title}: {s}" for s in sentences])
        ranked = sorted(range(len(sentences)), key=lambda i: -scores[i])
        chosen = [i for i in ranked[: self.quotes_per_page] if scores[i] >= min_score]
        return [_cut(sentences[i], self.max_quote_chars) for i in sorted(chosen)]

    def _bridge_entities(self, state: AgentState) -> list[str]:
        """Names in the best sentences of the pages read so far (not only the quoted ones: the sentence that
        answers the first hop is often not the one that best matches the whole question) that the question
        does not mention and no page read is about."""
        question_words = {w.lower() for w in _WORD.findall(state.question)}
        read_titles = {page.title.lower() for page in state.browser.pages_read}
        read_titles |= {title.split(" (")[0] for title in read_titles}
        stop = stopwords()
        sentences = [
            (quote.title, quote.text) for page in state.browser.pages_read for quote in evidence.page_sentences(page)
        ]
        if not sentences:
            return []
        scores = self.relevance.scores(state.question, [f"{title}: {text}" for title, text in sentences])
        entities: list[str] = []
        for index in sorted(range(len(sentences)), key=lambda i: -scores[i])[:BRIDGE_SENTENCES]:
            for match in NAME_PATTERN.finditer(sentences[index][1]):
                name = match.group().strip(" ,.;:'’")
                words = {w.lower() for w in _WORD.findall(name)}
                if not words or words <= question_words | stop or name.lower() in read_titles:
                    continue
                if name not in entities:
                    entities.append(name)
        # Multi-word names ("Shirley Temple") make better bridges than lone words ("American").
        return sorted(entities, key=lambda name: " " not in name)


def create(context: PolicyContext) -> PlannedPolicy:
    s = context.settings
    return PlannedPolicy(
        context.relevance(),
        open_k=s.planned_open_k,
        quotes_per_page=s.planned_quotes_per_page,
        hops=s.planned_hops,
        max_quote_chars=s.browser_max_quote_chars,
    )


def _cut(sentence: str, limit: int) -> str:
    if len(sentence) <= limit:
        return sentence
    cut = sentence.rfind(" ", 0, limit)
    return sentence[: cut if cut > 0 else limit]
