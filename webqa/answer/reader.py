"""The extractive answerer over sentence evidence: the short answer is the best-scored span of the opened
pages' sentences, and the answer text is the sentence that holds it, cited, then at most one supporting
sentence from another page (the other hop of a multi-hop question). Nothing in it is generated."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from webqa.answer.candidates import is_yes_no, question_options
from webqa.answer.confidence import answer_features, packaged_model
from webqa.answer.draft import Draft, abstention, with_citation
from webqa.answer.evidence import Sentence
from webqa.answer.extractive import choose_short_answer
from webqa.answer.features import answer_shape, question_kind
from webqa.answer.scorer import Ranking, rank_candidates
from webqa.answer.verdicts import evidence_verdict, full_name, option_verdict
from webqa.text import AUXILIARY, DEFINITION, bare_title, separate_names
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
_RELATIVE = re.compile(r"[,;:–—(\s-]*(?:which|who|whom|whose|where|when|that)\b")
# A clause that starts with its verb ("is the geometric theory of gravitation published by Albert Einstein")
# has its subject before an appositive ("General relativity, also known as ..., is ..."): it reads as a
# sentence only from the sentence's start.
_PREDICATE = re.compile(rf"[,;:–—(\s-]*{AUXILIARY}\b", re.IGNORECASE)


def read_answer(
    question: str,
    ranked: Sequence[Sentence],
    llm: LLM | None,
    abstain_below: float,
    confidence_below: float = 0.0,
) -> Draft:
    """The cited answer from ranked evidence sentences, with its confidence; an abstention that shows the
    closest of them when the evidence is too weak to answer from or the answer's confidence is below
    `confidence_below`."""
    draft = _answer(question, ranked, llm, abstain_below)
    if draft.abstained or draft.evidence_confidence is None or draft.evidence_confidence >= confidence_below:
        return draft
    return withheld(question, ranked, draft, confidence_below)


def written_answer_confidence(question: str, ranked: Sequence[Sentence], draft: Draft) -> Draft:
    """An answer the model wrote (abstractive mode) gets the same confidence, from its evidence alone: the
    sentence its first citation quotes, and everything it cites."""
    if draft.abstained or not draft.citations:
        return draft
    quotes = [c.quote for c in draft.citations]
    first = next((s for s in ranked if s.quote == quotes[0]), ranked[0] if ranked else None)
    return _with_confidence(draft, answer_features(question, ranked, first, quotes, "sentence"))


def withheld(question: str, ranked: Sequence[Sentence], draft: Draft, threshold: float) -> Draft:
    """An answer whose evidence probably does not hold it: say what was looked for and where, name the
    withheld candidate as a guess (kept in `best_guess` with its confidence), show the closest evidence."""
    pages = list(dict.fromkeys(s.quote.title for s in ranked))
    shown = ", ".join(pages[:3]) + (", ..." if len(pages) > 3 else "")
    where = f"{len(pages)} page{'s' if len(pages) != 1 else ''} ({shown})"
    evidence = draft.evidence_confidence or 0.0
    reason = (
        f"I looked for {looked_for(question)} in {where}, and they do not seem to hold it "
        f"(an estimated {evidence:.0%} chance that they do)."
    )
    if draft.short_answer:
        reason += f" My best guess, “{draft.short_answer}”, is withheld (confidence {draft.confidence or 0.0:.0%})."
    why = f"evidence confidence {evidence:.2f} < {threshold:.2f}"
    closed = abstention(question, [(s.quote, s.relevance) for s in ranked], why, looked=reason)
    return replace(
        closed,
        notes={**draft.notes, **closed.notes},
        confidence=draft.confidence,
        evidence_confidence=draft.evidence_confidence,
        best_guess=draft.short_answer,
        model_s=draft.model_s,
    )


def looked_for(question: str) -> str:
    """What the question asks for, in words: "a date", "a person or a name", ..."""
    kind = question_kind(question)
    wanted = {
        "when": "a date",
        "who": "a person or a name",
        "where": "a place",
        "howmany": "a number",
        "howmuch": "an amount",
        "howmeasure": "a measurement",
        "why": "a reason",
    }.get(kind, "an answer")
    names = separate_names(question)
    return f"{wanted} about {' and '.join(names[:2])}" if names else wanted


def _answer(question: str, ranked: Sequence[Sentence], llm: LLM | None, abstain_below: float) -> Draft:
    scored = [(s.quote, s.relevance) for s in ranked]
    if not ranked or ranked[0].relevance < abstain_below:
        found = f"{ranked[0].relevance:.2f}" if ranked else "none"
        return abstention(question, scored, f"best evidence relevance {found} < {abstain_below}")
    if is_yes_no(question) or len(question_options(question)) >= 2:
        return _verdict(question, ranked, llm)
    lead = _lead_sentence(question, ranked)
    ranking = rank_candidates(question, [lead] if lead is not None else ranked, llm)
    if not ranking.scored and lead is not None:
        return _sentence_only(question, ranked, lead, "definition")
    if not ranking.scored:
        return _sentence_only(question, ranked, ranked[0], "no candidates")
    wanted = WANTED_SHAPES.get(question_kind(question))
    fitting = [s for s in ranking.scored if wanted is None or answer_shape(s.candidate.text) in wanted]
    if not fitting:
        what = "date" if wanted == ("date",) else "number"
        why = f"the evidence holds no {what}, which the question asks for"
        return replace(abstention(question, scored, why), model_s=ranking.model_s)
    best = fitting[0]
    answer = best.candidate.sentence
    quote = _clause_with(answer.quote, best.candidate.span.start, best.candidate.span.end)
    citations = [Citation(1, quote)]
    naming = _naming_sentence(ranked, answer.quote) if best.candidate.stand_in else None
    if naming is not None:  # "it is the largest hot desert": first the sentence that says what "it" is
        at = _mention(naming.text, naming.title)
        citations = [Citation(1, _clause_with(naming, at, at + len(bare_title(naming.title)))), Citation(2, quote)]
    elif answer.via is not None:  # the first hop, which names the page the answer stands on
        at = _mention(answer.via.text, answer.quote.title)
        citations.append(Citation(2, _clause_with(answer.via, at, at + len(bare_title(answer.quote.title)))))
    text = " ".join(with_citation(c.quote.text, f"[{c.n}]") for c in citations)
    features = answer_features(question, ranked, answer, [c.quote for c in citations], "span", ranking)
    if best is not ranking.scored[0]:  # a lower-ranked candidate, kept for its shape: no surer than its own share
        features = {**features, "probability": best.probability, "margin": 0.0}
    draft = Draft(text, best.candidate.text, False, tuple(citations), _notes(ranking), model_s=ranking.model_s)
    return _with_confidence(draft, features)


def _with_confidence(draft: Draft, features: dict[str, float]) -> Draft:
    notes = {**draft.notes, "confidence_features": {k: round(v, 4) for k, v in features.items()}}
    estimate = packaged_model().estimate(features)
    return replace(draft, notes=notes, confidence=estimate.confidence, evidence_confidence=estimate.evidence)


def _verdict(question: str, ranked: Sequence[Sentence], llm: LLM | None) -> Draft:
    """Yes/no and "X or Y?" questions answer with a verdict or an option, chosen as before, and cite the
    sentences it rests on, one from each page."""
    if is_yes_no(question):
        read = evidence_verdict(question, ranked)
    else:
        read = option_verdict(question, question_options(question), ranked)
    if read is not None:  # both pages' openings decide it: cite them (the chosen one's first), no model
        short, how, model_s = read.answer, "evidence", 0.0
        first = read.grounds[0]
        citations = [Citation(n, sentence.quote) for n, sentence in enumerate(read.grounds, start=1)]
    else:
        scored = [(s.quote, s.relevance) for s in ranked[:4]]
        started = time.perf_counter()
        short, source, how = choose_short_answer(question, scored, llm)
        model_s = round(time.perf_counter() - started, 3) if llm is not None else 0.0
        first = ranked[source] if source is not None and source < len(ranked) else ranked[0]
        citations = [Citation(1, first.quote)]
        other = first.via or _supporting(ranked, first)
        if other is not None:
            citations.append(Citation(2, other))
    if short and not is_yes_no(question):
        named = full_name(short, ranked)  # the name the chosen page opens with, where a citation says it
        short = named if any(named in c.quote.text for c in citations) else short
    sentences = [with_citation(c.quote.text, f"[{c.n}]") for c in citations]
    if is_yes_no(question) and short:
        sentences[0] = f"{short.capitalize()}: {sentences[0]}"  # the verdict, in the sentence that grounds it
    notes = {"short_answer_by": how} if read is None else {"short_answer_by": how, "verdict": read.how}
    draft = Draft(" ".join(sentences), short, False, tuple(citations), notes, model_s=model_s)
    return _with_confidence(draft, answer_features(question, ranked, first, [c.quote for c in citations], "verdict"))


def _lead_sentence(question: str, ranked: Sequence[Sentence]) -> Sentence | None:
    """For "Who was X?" / "What is X?": the first sentence of X's own page, which says what X is."""
    match = DEFINITION.match(question)
    if match is None:
        return None
    subject = _strip_article(match.group("entity")).lower()
    own = [s for s in ranked if _strip_article(bare_title(s.quote.title)).lower() == subject]
    return min(own, key=lambda s: (s.quote.start, s.rank)) if own else None


def _strip_article(text: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)


def _sentence_only(question: str, ranked: Sequence[Sentence], sentence: Sentence, why: str) -> Draft:
    citation = Citation(1, sentence.quote)
    draft = Draft(with_citation(citation.quote.text, "[1]"), "", False, (citation,), {"short_answer_by": why})
    return _with_confidence(draft, answer_features(question, ranked, sentence, [sentence.quote], "sentence"))


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
    while left > 0 and _RELATIVE.match(text, left):  # ", which emerged in Italy": keep what "which" is
        left = max(c for c in cuts if c < left)
    if _PREDICATE.match(text, left):
        left = 0
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


def _naming_sentence(ranked: Sequence[Sentence], quote: Quote) -> Quote | None:
    """The first sentence of `quote`'s page that names the page (its title), for an answer that stands
    on a pronoun of that page."""
    name = bare_title(quote.title).lower()
    same_page = [
        s.quote
        for s in ranked
        if s.quote.doc_id == quote.doc_id and s.quote.url == quote.url and name in s.quote.text.lower()
    ]
    return min(same_page, key=lambda q: q.start) if same_page else None


def _mention(text: str, title: str) -> int:
    """Where a sentence names a page ("Shirley Temple" in the first hop's sentence), or 0 if it does not."""
    found = text.lower().find(bare_title(title).lower())
    return max(found, 0)


def _notes(ranking: Ranking) -> dict[str, object]:
    top = ranking.scored[:3]
    return {
        "short_answer_by": ranking.by,
        "candidates": ranking.candidates,
        "top_candidates": [{"text": s.candidate.text, "p": round(s.probability, 3)} for s in top],
    }
