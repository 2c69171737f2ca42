"""The planned policy: no model judgement. Search the question, open the best results, quote the sentences
that best match it; for a question that compares two things ("Who is older, X or Y?", "Were X and Y both
..."), open the page of each one not read yet; then, for multi-hop questions, search the entities those
quotes introduce and read the pages titled with them."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from webqa.agent.loop import PolicyContext
from webqa.agent.view import StateView
from webqa.answer import evidence
from webqa.answer.candidates import is_yes_no, question_options
from webqa.answer.relevance import Relevance
from webqa.answer.spans import MONTHS
from webqa.browser.commands import BrowserAction
from webqa.browser.page import Page
from webqa.text import NAME, bare_title, cut, quote_text, separate_names, stopwords, words

BRIDGES = 2  # bridge pages opened per hop
# Names searched per hop to find those pages: a name in the sentences read is a bridge only where a result
# is titled with it ("Lee Hazlewood"), not where the search merely returns something ("UK Singles Chart").
BRIDGE_NAMES = 6
BRIDGE_SENTENCES = 4  # the best sentences read so far whose names may be bridges
ANSWER = BrowserAction(command="answer")
# Capitalised words that name no page worth opening as a bridge: "August", "Monday".
CALENDAR = frozenset(MONTHS) | frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


@dataclass(frozen=True)
class _Search:
    """A search the plan holds, and how to read what it finds."""

    query: str
    open_k: int  # results to open
    min_score: float  # a sentence scoring below this is not quoted
    prefer_title: str | None = None  # a result with this title is opened first (a bridge entity's page)
    quotes: int | None = None  # best sentences quoted per page (default: quotes_per_page)
    skip_read: bool = False  # skip results whose page was read before this search
    bridge: bool = False  # open only a result titled `prefer_title`, and only while a hop has bridges left


class PlannedPolicy:
    """Decides each action from the view alone, as any policy does: what the last action returned (the
    results page, the page opened, as the view shows it) shapes the next ones."""

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
        self._question: str | None = None
        self._searches: deque[_Search] = deque()  # still to run, in order
        self._hops_left = 0
        self._compared = False  # whether the pages of the things the question compares were looked for
        self._bridges_left = 0  # bridge pages this hop may still open
        self._search: _Search | None = None  # the search whose results are being read
        self._queued: deque[BrowserAction] = deque()  # the opens and quotes decided for them
        self._last: BrowserAction | None = None  # what this policy returned last

    def next_action(self, view: StateView) -> BrowserAction:
        if view.question != self._question:
            self._question, self._hops_left, self._compared = view.question, self.hops, False
            self._searches = deque([_Search(view.question, self.open_k, self.min_sentence_score)])
            self._queued.clear()
        elif self._last is not None and self._search is not None:
            self._read_result(view, self._last, self._search)
        self._last = self._decide(view)
        return self._last

    def _decide(self, view: StateView) -> BrowserAction:
        while not self._queued:
            if self._searches:
                self._search = self._searches.popleft()
                if self._search.bridge and self._bridges_left <= 0:
                    continue  # this hop's bridge pages are open: the other names need no search
                return BrowserAction(command="search", argument=self._search.query)
            if not self._compared:
                # A comparison is answered from both pages' openings (webqa/answer/verdicts.py), and the
                # question's own search often finds only one of them.
                self._compared = True
                for name in self._compared_unread(view):
                    self._searches.append(_Search(name, 1, 0.0, prefer_title=name, quotes=1, skip_read=True))
                continue
            if self._hops_left == 0:
                return ANSWER
            self._hops_left -= 1
            # A page reached through a bridge entity often answers in words the question does not use
            # ("government position" -> "Chief of Protocol"), so its best sentences are quoted whatever
            # their score; the answerer reads all of its sentences anyway.
            self._bridges_left = BRIDGES
            for entity in self._bridge_entities(view)[:BRIDGE_NAMES]:
                self._searches.append(
                    _Search(entity, 1, 0.0, prefer_title=entity, quotes=1, skip_read=True, bridge=True)
                )
        return self._queued.popleft()

    def _read_result(self, view: StateView, last: BrowserAction, search: _Search) -> None:
        """What the last action returned decides what comes next: a results page, the results to open (the
        first open_k not skipped, a result titled `prefer_title` first); an opened page, its best sentences
        to quote before the next result is opened."""
        ok = view.last_step is not None and view.last_step.ok
        page = view.page
        if last.command == "search":
            if page is None or page.kind != "search" or not ok:
                return
            skip = {read.source for read in view.pages_read} if search.skip_read else set()
            links = [link for link in page.links if link.target not in skip]
            wanted = (search.prefer_title or "").lower()
            if wanted:
                links.sort(key=lambda link: not titled(link.text, wanted))  # stable
            if search.bridge:  # issued only while the hop has bridges left (_decide)
                links = [link for link in links if titled(link.text, wanted)]
                self._bridges_left -= min(len(links), search.open_k)
            self._queued.extend(BrowserAction(command="open", argument=link.target) for link in links[: search.open_k])
        elif last.command == "open":
            if not ok or page is None or page.kind == "search":
                return
            sentences = self.best_sentences(page, view.question, search.min_score)
            quotes = [
                BrowserAction(command="quote", argument=s) for s in sentences[: search.quotes or self.quotes_per_page]
            ]
            self._queued.extendleft(reversed(quotes))

    def best_sentences(self, page: Page, question: str, min_score: float) -> list[str]:
        """The page's sentences that best match the question, each cut to the quote length limit."""
        # The answerer's own sentences: text addressed to an assistant is never among them.
        sentences = evidence.page_sentences(page)
        if not sentences:
            return []
        scores = self.relevance.scores(question, [quote_text(quote) for quote in sentences])
        ranked = sorted(range(len(sentences)), key=lambda i: -scores[i])
        chosen = [i for i in ranked[: self.quotes_per_page] if scores[i] >= min_score]
        return [cut(sentences[i].text, self.max_quote_chars) for i in sorted(chosen)]

    @staticmethod
    def _compared_unread(view: StateView) -> list[str]:
        """The two things a comparison question names ("X or Y?"; "Were X and Y ..."), those no page read
        is titled with."""
        question = view.question
        names = question_options(question) if not is_yes_no(question) else separate_names(question)
        if len(names) != 2:
            return []
        read = {bare_title(page.title).lower() for page in view.pages_read}
        return [name for name in names if name.lower() not in read]

    def _bridge_entities(self, view: StateView) -> list[str]:
        """Names in the best sentences of the pages read so far (not only the quoted ones: the sentence that
        answers the first hop is often not the one that best matches the whole question) that the question
        does not mention and no page read is about."""
        question_words = set(words(view.question))
        read_titles = {page.title.lower() for page in view.pages_read}
        read_titles |= {bare_title(title) for title in read_titles}
        stop = stopwords()
        sentences = [quote for page in view.pages_read for quote in evidence.page_sentences(page)]
        if not sentences:
            return []
        scores = self.relevance.scores(view.question, [quote_text(quote) for quote in sentences])
        entities: list[str] = []
        for index in sorted(range(len(sentences)), key=lambda i: -scores[i])[:BRIDGE_SENTENCES]:
            for match in NAME.finditer(sentences[index].text):
                name = match.group().strip(" ,.;:'’")
                name_words = set(words(name))
                if not name_words or name_words <= question_words | stop | CALENDAR or name.lower() in read_titles:
                    continue
                if name not in entities:
                    entities.append(name)
        # Multi-word names ("Shirley Temple") make better bridges than lone words ("American").
        return sorted(entities, key=lambda name: " " not in name)


def titled(title: str, name: str) -> bool:
    """Whether a result's title names `name` (lower-cased): "Lee Hazlewood", "Mercury (planet)", a place's
    "Southaven, Mississippi", a web page's "Lee Hazlewood - Wikipedia", or a name of two words or more that
    a longer one holds ("Tata Consultancy Services" in "Tata Consultancy Services in Kochi")."""
    title = title.lower().strip()
    bare = bare_title(title)
    if bare == name or bare.split(", ")[0] == name:
        return True
    if any(title.startswith(name + sep) for sep in (" - ", " | ", " – ", " — ")):
        return True
    held = re.sub(r"['’]s\b", "", name)
    return " " in bare and f" {bare} " in f" {held} "


def create(context: PolicyContext) -> PlannedPolicy:
    s = context.settings
    return PlannedPolicy(
        context.relevance(),
        open_k=s.planned_open_k,
        quotes_per_page=s.planned_quotes_per_page,
        hops=s.planned_hops,
        max_quote_chars=s.browser_max_quote_chars,
    )
