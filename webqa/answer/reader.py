"""The extractive answerer over sentence evidence: the short answer is the best-scored span of the opened
pages' sentences, and the answer text is the sentence that holds it, cited, then at most one supporting
sentence from another page (the other hop of a multi-hop question). Nothing in it is generated."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from webqa.answer.candidates import DEFINITION, is_yes_no, question_options
from webqa.answer.draft import Draft, abstention, with_citation
from webqa.answer.evidence import Sentence
from webqa.answer.extractive import choose_short_answer
from webqa.answer.features import answer_shape, question_kind
from webqa.answer.scorer import Ranking, rank_candidates
from webqa.types import Citation, Quote

if TYPE_CHECKING:
    from webqa.llm import LLM

# A when-question is answered with a date and a how-many question with a number, or not at all.
WANTED_SHAPES = {
    "when": ("date",),
    "howmany": ("number", "date"),
    "howmuch": ("number", "date"),
}  # not "how big is X?": "the smallest planet" answers it as well as a number does
SUPPORT_MIN_RELEVANCE = 0.45  # a second sentence must itself match the question this well
MAX_ANSWER_WORDS = 40
_CLAUSE = re.compile(r"[,;:]\s+|\s+[–—-]\s+|\s\(")


def read_answer(question: str, ranked: Sequence[Sentence], llm: LLM | None, abstain_below: float) -> Draft:
    """The cited answer from ranked evidence sentences, or an abstention that shows the closest of them."""
    scored = [(s.quote, s.relevance) for s in ranked]
    if not ranked or ranked[0].relevance < abstain_below:
        found = f"{ranked[0].relevance:.2f}" if ranked else "none"
        return abstention(question, scored, f"best evidence relevance {found} < {abstain_below}")
    if is_yes_no(question) or len(question_options(question)) >= 2:
        return _verdict(question, ranked, llm)
    lead = _lead_sentence(question, ranked)
    ranking = rank_candidates(question, [lead] if lead is not None else ranked, llm)
    if not ranking.scored and lead is not None:
        return _sentence_only(question, [lead], "definition")
    if not ranking.scored:
        return _sentence_only(question, ranked, "no candidates")
    wanted = WANTED_SHAPES.get(question_kind(question))
    fitting = [s for s in ranking.scored if wanted is None or answer_shape(s.candidate.text) in wanted]
    if not fitting:
        what = "date" if wanted == ("date",) else "number"
        return abstention(question, scored, f"the evidence holds no {what}, which the question asks for")
    best = fitting[0]
    answer = best.candidate.sentence
    quote = _clause_with(answer.quote, best.candidate.span.start, best.candidate.span.end)
    citations = [Citation(1, quote)]
    if answer.via is not None:  # the first hop, which names the page the answer stands on
        citations.append(Citation(2, _clause_with(answer.via, 0, 0)))
    text = " ".join(with_citation(c.quote.text, f"[{c.n}]") for c in citations)
    confidence = ranking.confidence if best is ranking.scored[0] else min(ranking.confidence, best.probability)
    return Draft(text, best.candidate.text, False, tuple(citations), _notes(ranking), confidence)


def _verdict(question: str, ranked: Sequence[Sentence], llm: LLM | None) -> Draft:
    """Yes/no and "X or Y?" questions answer with a verdict or an option, chosen as before, and cite the
    sentences it rests on, one from each page."""
    scored = [(s.quote, s.relevance) for s in ranked[:4]]
    short, source, how = choose_short_answer(question, scored, llm)
    first = ranked[source] if source is not None and source < len(ranked) else ranked[0]
    citations = [Citation(1, first.quote)]
    other = first.via or _supporting(ranked, first)
    if other is not None:
        citations.append(Citation(2, other))
    sentences = [with_citation(c.quote.text, f"[{c.n}]") for c in citations]
    if is_yes_no(question) and short:
        sentences[0] = f"{short.capitalize()}: {sentences[0]}"  # the verdict, in the sentence that grounds it
    return Draft(" ".join(sentences), short, False, tuple(citations), {"short_answer_by": how})


def _lead_sentence(question: str, ranked: Sequence[Sentence]) -> Sentence | None:
    """For "Who was X?" / "What is X?": the first sentence of X's own page, which says what X is."""
    match = DEFINITION.match(question)
    if match is None:
        return None
    subject = _strip_article(match.group("entity")).lower()
    own = [s for s in ranked if _strip_article(s.quote.title.split(" (")[0]).lower() == subject]
    return min(own, key=lambda s: (s.quote.start, s.rank)) if own else None


def _strip_article(text: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)


def _sentence_only(question: str, ranked: Sequence[Sentence], why: str) -> Draft:
    citation = Citation(1, ranked[0].quote)
    return Draft(with_citation(citation.quote.text, "[1]"), "", False, (citation,), {"short_answer_by": why})


def _supporting(ranked: Sequence[Sentence], answer: Sentence) -> Quote | None:
    """The best sentence of another page, when it matches the question well: the first hop's evidence."""
    for sentence in ranked[:4]:
        if sentence.quote.doc_id == answer.quote.doc_id and sentence.quote.url == answer.quote.url:
            continue
        return sentence.quote if sentence.relevance >= SUPPORT_MIN_RELEVANCE else None
    return None


def _clause_with(quote: Quote, start: int, end: int) -> Quote:
    """A long sentence cut to the clauses around [start, end): the reader needs the answer, not the whole
    run-on sentence. The cut is still an exact span of the page."""
    text = quote.text
    if len(text.split()) <= MAX_ANSWER_WORDS:
        return quote
    cuts = [0] + [m.start() for m in _CLAUSE.finditer(text)] + [len(text)]
    left = max(c for c in cuts if c <= start)
    right = min(c for c in cuts if c >= end)
    while len(text[left:right].split()) < 12:  # too short to read as a sentence: widen by a clause
        wider = [c for c in cuts if c > right]
        if not wider:
            break
        right = wider[0]
    raw = text[left:right]
    piece = raw.lstrip(",;:–—-( ").rstrip()
    if not piece or len(piece.split()) > MAX_ANSWER_WORDS + 10:
        return quote
    offset = left + len(raw) - len(raw.lstrip(",;:–—-( "))
    return replace(quote, text=piece, start=quote.start + offset, end=quote.start + offset + len(piece))


def _notes(ranking: Ranking) -> dict[str, object]:
    top = ranking.scored[:3]
    return {
        "short_answer_by": ranking.by,
        "candidates": ranking.candidates,
        "top_candidates": [{"text": s.candidate.text, "p": round(s.probability, 3)} for s in top],
    }
