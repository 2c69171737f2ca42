"""Evidence at sentence level: every sentence of every page the browser opened, each an exact quote.

The planned policy quotes two sentences a page; the answer often stands in a third. So the answerer reads
all of them: each sentence becomes a `Quote` whose text is `page.text[start:end]`, ranked against the
question. Whatever the answer then cites is one of these exact spans."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from webqa.answer.relevance import Relevance, lexical_overlap
from webqa.browser.injection import instruction_like, set_aside_spans
from webqa.browser.page import Page
from webqa.text import bare_title, cut_offset, quote_text, sentence_spans
from webqa.types import Quote, page_sha256

MIN_SENTENCE_CHARS = 12  # "Overview." or a stray heading claims nothing
MAX_SENTENCE_CHARS = 600  # a run-on "sentence" (a list, a table row) is cut at a word below this
BRIDGE_SOURCES = 5  # the best sentences whose named pages are scored as chains
PREFILTER = 80  # sentences embedded per question at most; the rest are ranked by word overlap alone


@dataclass(frozen=True)
class Sentence:
    """One sentence of evidence, its relevance to the question and its rank among all of them."""

    quote: Quote
    relevance: float
    rank: int
    coverage: float  # share of the question's content words the sentence (with its page title) contains
    via: Quote | None = None  # the other page's sentence that leads here, when the chain scored better


def page_sentences(page: Page, set_aside: list[Quote] | None = None) -> list[Quote]:
    """The sentences of a document or web page as exact quotes (search results pages have none). Text
    addressed to an assistant ("ignore previous instructions...") and what it carries is never evidence:
    it goes to `set_aside`, for the trace."""
    if page.kind == "search":
        return []
    quotes = []
    digest = page_sha256(page.text)
    aside = set_aside_spans(page.text)
    for start, end in sentence_spans(page.text):
        if end - start < MIN_SENTENCE_CHARS:
            continue
        end = cut_offset(page.text, start, end, MAX_SENTENCE_CHARS)
        quote = Quote(page.text[start:end], page.title, page.url, page.doc_id, start, end, digest)
        if instruction_like(quote.text) or any(start < b and a < end for a, b in aside):
            if set_aside is not None:
                set_aside.append(quote)
            continue
        quotes.append(quote)
    return quotes


def quote_sentences(quote: Quote) -> list[Quote]:
    """A stored quote split into its sentences, offsets still pointing into the quote's page."""
    spans = sentence_spans(quote.text)
    if len(spans) <= 1:
        return [quote]
    return [
        replace(quote, text=quote.text[a:b], start=quote.start + a, end=quote.start + b)
        for a, b in spans
        if b - a >= MIN_SENTENCE_CHARS
    ]


def collect(pages: Iterable[Page], quotes: Iterable[Quote] = (), set_aside: list[Quote] | None = None) -> list[Quote]:
    """Every sentence of the pages plus the sentences of earlier quotes, each passage once."""
    seen: set[tuple[str | None, str | None, int, int]] = set()
    found: list[Quote] = []
    read = [q for page in pages for q in page_sentences(page, set_aside)]
    earlier = [s for q in quotes for s in quote_sentences(q) if not instruction_like(s.text)]
    for quote in read:  # sentences of distinct pages, or of one page, never overlap
        key = (quote.doc_id, quote.url, quote.start, quote.end)
        if key not in seen:
            seen.add(key)
            found.append(quote)
    for quote in earlier:  # a quote from a page read again this turn adds nothing
        key = (quote.doc_id, quote.url, quote.start, quote.end)
        if key not in seen and not _inside_seen(quote, found):
            seen.add(key)
            found.append(quote)
    return found


def rank(question: str, sentences: Sequence[Quote], relevance: Relevance) -> list[Sentence]:
    """Sentences best first by relevance to the question (the page title gives a sentence its subject).

    A multi-hop answer stands on a page the question never names ("the actress who starred in Kiss and
    Tell" -> Shirley Temple's page), so a sentence of a page that another page's good sentence names is
    also scored together with that sentence (the chain), and keeps the better of the two scores."""
    if not sentences:
        return []
    texts = [quote_text(q) for q in sentences]
    coverage = [lexical_overlap(question, t) for t in texts]
    order = sorted(range(len(sentences)), key=lambda i: -coverage[i])[:PREFILTER]
    own = dict(zip(order, (float(x) for x in relevance.scores(question, [texts[i] for i in order])), strict=True))
    via: dict[int, int] = {}
    chains = _chains(sentences, sorted(own, key=lambda i: -own[i])[:BRIDGE_SOURCES])
    if chains:
        pairs = [(i, j) for i, j in chains if i in own]
        joined = [f"{texts[j]} {texts[i]}" for i, j in pairs]
        for (i, j), score in zip(pairs, relevance.scores(question, joined), strict=True):
            if float(score) > own[i]:
                own[i], via[i] = float(score), j
    ranked = sorted(own.items(), key=lambda pair: (-pair[1], pair[0]))
    return [
        Sentence(sentences[i], score, position, coverage[i], sentences[via[i]] if i in via else None)
        for position, (i, score) in enumerate(ranked)
    ]


def _chains(sentences: Sequence[Quote], sources: Sequence[int]) -> list[tuple[int, int]]:
    """(sentence, bridge sentence) pairs: each sentence of a page whose title one of the best sentences of
    another page mentions, with the best such sentence."""
    pairs = []
    bridge_of_page: dict[tuple[str | None, str | None], int] = {}
    for j in sources:
        mentioned = sentences[j].text.lower()
        for quote in sentences:
            page = (quote.doc_id, quote.url)
            name = bare_title(quote.title).lower()
            if page == (sentences[j].doc_id, sentences[j].url) or name == bare_title(sentences[j].title).lower():
                continue  # the same page, or another reading of the same name ("Mercury (element)")
            if len(name) >= 3 and name in mentioned and page not in bridge_of_page:
                bridge_of_page[page] = j
    for i, quote in enumerate(sentences):
        bridge = bridge_of_page.get((quote.doc_id, quote.url))
        if bridge is not None:
            pairs.append((i, bridge))
    return pairs


def _inside_seen(quote: Quote, found: Sequence[Quote]) -> bool:
    """An earlier quote that is a sentence of a page already read adds nothing."""
    return any(
        q.doc_id == quote.doc_id and q.url == quote.url and q.start <= quote.start and quote.end <= q.end for q in found
    )
