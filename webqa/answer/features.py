"""Features of an answer candidate, for the learned scorer: what kind of thing it is, what kind of thing the
question asks for, how relevant its sentence is, how close it stands to the question's words in that
sentence, and whether it merely repeats the question.

Every feature is a number computed from the text alone (no model), so the scorer is cheap enough to look
at hundreds of spans per question; the model's log-probability is added later, for the best few."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from webqa.answer.evidence import Sentence
from webqa.answer.spans import FUNCTION_WORDS, Span, Token, is_month, name_ranges, sentence_spans, tokens
from webqa.index.sparse import stem
from webqa.metrics import normalize_answer
from webqa.text import bare_title, stopwords

WINDOW = 6  # tokens either side of a candidate in which the question's words count as "near"
ANSWER_SENTENCES = 8  # the best sentences candidates come from

QUESTION_KINDS = ("who", "when", "where", "howmany", "howmuch", "howmeasure", "how", "why", "which", "what", "other")
SHAPES = ("cap", "num", "date", "lower")
_NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion trillion dozen half".split()
)
_PREPOSITIONS = frozenset("in at on by from to of for with near into during since until".split())
_ARTICLES = frozenset({"a", "an", "the"})
_NAME_CONNECTORS = frozenset("of the and de da del der di du la le van von bin al y".split())  # "Leonardo da Vinci"
# Verbs that no answer span is: without a tagger, the commonest of them by name.
_COMMON_VERBS = frozenset(
    "became become becomes known called named used made make makes include includes including included contain "
    "contains consist consists said says take takes took given gave give gives found find led lead leads began "
    "begin begins got get gets went go goes came come comes seen see sees held hold holds remain remains "
    "remained considered described regarded allowed allow allows helped help helps built caused cause causes "
    "shows show showed provide provides provided produce produces produced create created creates".split()
)
_NOUN_SUFFIXES = ("tion", "sion", "ism", "ity", "ness", "ment", "ance", "ence", "ship", "ogy", "ist")
_YEAR = re.compile(r"^(1\d{3}|20\d{2})s?$")
# Pronouns that, in an encyclopaedia page, stand for the page's subject: "With an area of 9,200,000 km2, it
# is the largest hot desert in the world" (the page "Sahara"), "Its capital is Doha" (the page "Qatar").
_SUBJECT_PRONOUNS = frozenset({"it", "its", "he", "his", "she"})
# Past forms the stemmer leaves apart from their verb ("began" and "begin"), so that a question's "When did
# the war begin?" finds its word in "The war began in 1939". The commonest irregular verbs of encyclopaedic
# prose; anything else is matched by its stem alone. Here, not in the shared stemmer: BM25's index is built
# with that one, and changing it would change every built index.
# fmt: off
_IRREGULAR = {
    form: verb
    for verb, forms in {
        "begin": "began begun", "become": "became", "bring": "brought", "build": "built", "buy": "bought",
        "choose": "chose chosen", "come": "came", "draw": "drew drawn", "drive": "drove driven",
        "fall": "fell fallen", "fight": "fought", "find": "found", "fly": "flew flown", "give": "gave given",
        "go": "went gone", "grow": "grew grown", "hold": "held", "know": "knew known", "lead": "led",
        "leave": "left", "lose": "lost", "make": "made", "meet": "met", "pay": "paid", "rise": "rose risen",
        "run": "ran", "see": "saw seen", "sell": "sold", "send": "sent", "sing": "sang sung", "speak":
        "spoke spoken", "spend": "spent", "stand": "stood", "strike": "struck", "take": "took taken",
        "teach": "taught", "tell": "told", "think": "thought", "win": "won", "write": "wrote written",
        "bear": "bore born", "break": "broke broken", "eat": "ate eaten", "shoot": "shot", "steal": "stole stolen",
    }.items()
    for form in forms.split()
}
# fmt: on
# Words after "what"/"which" passed over on the way to the noun they ask for: "what type of protest",
# "which of the forts".
_PASSED_OVER = frozenset({"kind", "type", "sort", "form", "name", "part", "one", "of", "the", "a", "an"})
_GAP = re.compile(r"^[\s\-–'\"“”]*$")  # what may stand between a candidate and a word beside it
ANCHOR_GAP = 2  # function words that may stand between a candidate and the question's word beside it

BASE_FEATURES = (
    "relevance", "relevance_gap", "rank_inverse", "sentence_coverage",
    "len1", "len2", "len3", "len4plus",
    "question_overlap", "question_any", "near_question", "distance_log",
    "all_capitalised", "sentence_start", "has_number", "is_date", "lower_case",
    "frequency_log", "several_pages", "whole_name", "part_of_name",
    "after_preposition", "after_article", "before_of", "in_brackets", "is_title", "first_sentence",
    "inner_function_words", "last_adverb", "last_verb_form", "first_verb_form", "common_verb", "noun_suffix",
    "stands_for_title",
)  # fmt: skip
# Where a candidate stands against the question's words: right beside one of them ("recorded by Bob Gallion"),
# near its rarer ones, before what a how-many question counts ("three study contracts"); whether it cuts a
# phrase ("Spanish" of "Spanish architect Enric Miralles"); whether a page read is titled with it.
SLOT_FEATURES = (
    "left_anchor", "right_anchor", "near_rare", "asked_follows", "next_content", "titles_page_read",
)  # fmt: skip
FEATURES = BASE_FEATURES + tuple(f"{kind}*{shape}" for kind in QUESTION_KINDS for shape in SHAPES) + SLOT_FEATURES


def answer_shape(text: str) -> str:
    """ "date", "number" or "other": what a when- or how-many question's answer must be."""
    toks = tokens(text)
    if any(is_month(t.text) and t.text[0].isupper() for t in toks) or any(_YEAR.match(t.text) for t in toks):
        return "date"
    if re.search(r"\b(?:century|decade|BC|AD|BCE|CE)\b", text):
        return "date"
    if any(t.text[0].isdigit() or t.lower in _NUMBER_WORDS for t in toks):
        return "number"
    return "other"


def question_kind(question: str) -> str:
    """What a question asks for, from its wh-words (wherever they stand: "...was named after whom?")."""
    # A capitalised wh-word inside the question is part of a name ("What does Doctor Who do ...?").
    q = re.sub(r"(?<=\w )(?:Who|What|When|Where|Which|Why|How)\b", "", question).lower()
    checks = (
        ("howmany", r"\bhow many\b"),
        ("howmuch", r"\bhow much\b"),
        ("howmeasure", r"\bhow (?:long|old|tall|high|far|big|large|deep|wide|heavy|fast)\b"),
        ("when", r"\b(?:when|what year|which year|what date|what century|what decade|what time|what day)\b"),
        ("who", r"\b(?:who|whom|whose)\b"),
        ("where", r"\bwhere\b"),
        ("why", r"\bwhy\b"),
        ("how", r"\bhow\b"),
        ("which", r"\bwhich\b"),
        ("what", r"\bwhat\b"),
    )
    for kind, pattern in checks:
        if re.search(pattern, q):
            return kind
    return "other"


def asked_words(question: str) -> list[str]:
    """The lower-case words naming what a what-, which- or how-many question asks for, at most two: "Which
    fort was rebuilt?" -> ["fort"], "What German city ...?" -> ["german", "city"], "What type of protest
    ...?" -> ["protest"], "How many study contracts ...?" -> ["study", "contracts"]; none for "What is ...?"."""
    toks = tokens(question)
    for position, token in enumerate(toks):
        after_how = position > 0 and toks[position - 1].lower == "how" and token.lower in ("many", "much")
        if (token.lower in ("what", "which") and not (position and token.text[0].isupper())) or after_how:
            words: list[str] = []
            for following in toks[position + 1 : position + 6]:
                if following.lower in _PASSED_OVER and not words:
                    continue
                if following.lower in FUNCTION_WORDS or len(words) == 2:
                    break
                words.append(following.lower)
            return words
    return []


@dataclass(frozen=True)
class Candidate:
    """A distinct answer span (by normalised text), in the best sentence that holds it. A stand-in is the
    page's title where that sentence says "it" or "he" for it: `span` is then the pronoun, `text` the title."""

    text: str
    span: Span
    sentence: Sentence
    key: str  # normalize_answer(text)
    stand_in: bool = False


@dataclass
class _SentenceView:
    sentence: Sentence
    tokens: list[Token]
    stems: list[str | None]  # None for function words
    question_positions: list[int]  # tokens whose stem the question has
    names: list[tuple[int, int]]


def candidates_and_features(
    question: str, sentences: Sequence[Sentence], max_sentences: int = ANSWER_SENTENCES
) -> tuple[list[Candidate], np.ndarray]:
    """The distinct candidate spans of the best sentences, and one feature row each (order of FEATURES)."""
    question_stems = _content_stems(question)
    kind = question_kind(question)
    asked_stems = {_stem(w) for w in asked_words(question)}
    question_words = {t.lower for t in tokens(question)}
    views = [_view(s, question_stems) for s in sentences[:max_sentences]]
    if not views:
        return [], np.zeros((0, len(FEATURES)), dtype=np.float32)
    best_relevance = max(v.sentence.relevance for v in views)
    # The pages read, by title: an answer that has a page of its own among them was looked up on purpose
    # (a bridge, a search for it), which a phrase that merely stands in a sentence was not.
    titles_read = {normalize_answer(bare_title(title)) for title in {s.quote.title for s in sentences}}
    # How many of the sentences hold each of the question's words: the page's subject stands in most of them
    # and says little about where in a sentence the answer is; a rarer word ("recorded") says more.
    spread: dict[str, int] = defaultdict(int)
    for view in views:
        for word in {stem_ for p in view.question_positions if (stem_ := view.stems[p]) is not None}:
            spread[word] += 1

    grouped: dict[str, list[tuple[Span, _SentenceView, list[Token] | None, str]]] = defaultdict(list)
    for index, view in enumerate(views):
        found: list[tuple[Span, list[Token] | None]] = [
            (span, None) for span in sentence_spans(view.sentence.quote.text, index, view.tokens)
        ]
        stand_in = _title_stand_in(view, index)
        if stand_in is not None:
            found.append(stand_in)
        for span, words in found:
            if words is None:
                content = [s for s in view.stems[span.first : span.last + 1] if s]
                text = span.text
            else:
                content = _words_stems(words)
                text = bare_title(view.sentence.quote.title)
            if content and all(s in question_stems for s in content):
                continue  # only the question's own words: never its answer
            key = normalize_answer(text)
            if key and key not in question_words:
                grouped[key].append((span, view, words, text))

    candidates, rows = [], []
    for key, found_for_key in grouped.items():
        span, view, words, text = found_for_key[0]  # sentences come best first
        pages = {(v.sentence.quote.doc_id, v.sentence.quote.url) for _, v, _, _ in found_for_key}
        sentences_with = {s.sentence for s, _, _, _ in found_for_key}
        candidates.append(Candidate(text, span, view.sentence, key, words is not None))
        row = _row(span, view, kind, question_stems, best_relevance, len(sentences_with), len(pages), words)
        rows.append(row + _slot_row(span, view, question_stems, asked_stems, spread, key in titles_read))
    return candidates, np.asarray(rows, dtype=np.float32)


def _words_stems(words: list[Token]) -> list[str]:
    """The content stems of a title's words, in order."""
    return [stem_ for word in words for stem_ in sorted(_content_stems(word.text))]


def _title_stand_in(view: _SentenceView, index: int) -> tuple[Span, list[Token]] | None:
    """The first subject pronoun of a sentence that does not name its page, as a span standing for the
    page's title (with the title's words), or None."""
    title = bare_title(view.sentence.quote.title)
    if not title or not title[0].isupper() or title.lower() in view.sentence.quote.text.lower():
        return None
    for position, token in enumerate(view.tokens):
        if token.lower in _SUBJECT_PRONOUNS:
            return Span(token.text, index, position, position, token.start, token.end), tokens(title)
    return None


def _row(
    span: Span,
    view: _SentenceView,
    kind: str,
    question_stems: set[str],
    best_relevance: float,
    sentence_count: int,
    page_count: int,
    stand_in: list[Token] | None = None,
) -> list[float]:
    """One candidate's features; for a title's stand-in, `stand_in` holds the title's words: what the
    candidate is comes from them, where it stands from the pronoun."""
    toks = stand_in if stand_in is not None else view.tokens[span.first : span.last + 1]
    content = [s for s in view.stems[span.first : span.last + 1] if s] if stand_in is None else _words_stems(toks)
    overlap = sum(1 for s in content if s in question_stems) / len(content) if content else 0.0
    inside = set(range(span.first, span.last + 1))
    outside = [p for p in view.question_positions if p not in inside]
    distances = [min(abs(p - span.first), abs(p - span.last)) for p in outside]
    near = {view.stems[p] for p in outside if min(abs(p - span.first), abs(p - span.last)) <= WINDOW}
    length = len(toks)
    capitalised = all(t.text[0].isupper() or t.lower in _NAME_CONNECTORS or t.text[0].isdigit() for t in toks)
    capitalised = capitalised and toks[0].text[0].isupper()
    has_number = any(t.text[0].isdigit() or t.lower in _NUMBER_WORDS for t in toks)
    is_date = any(is_month(t.text) and t.text[0].isupper() for t in toks) or any(_YEAR.match(t.text) for t in toks)
    lower = all(t.text.islower() for t in toks)
    previous = view.tokens[span.first - 1].lower if span.first > 0 else ""
    following = view.tokens[span.last + 1].lower if span.last + 1 < len(view.tokens) else ""
    text = view.sentence.quote.text
    whole_name = stand_in is not None or any(a == span.start and b == span.end for a, b in view.names)
    part_of_name = not whole_name and any(a <= span.start and span.end <= b for a, b in view.names)
    brackets = text.rfind("(", 0, span.start) > text.rfind(")", 0, span.start)
    title = normalize_answer(bare_title(view.sentence.quote.title))
    shape = "date" if is_date else "num" if has_number else "cap" if capitalised else "lower" if lower else ""
    row = [
        view.sentence.relevance,
        view.sentence.relevance - best_relevance,
        1.0 / (1 + view.sentence.rank),
        view.sentence.coverage,
        float(length == 1),
        float(length == 2),
        float(length == 3),
        float(length >= 4),
        overlap,
        float(overlap > 0),
        len(near) / max(1, len(question_stems)),
        math.log1p(min(distances)) if distances else math.log1p(30),
        float(capitalised),
        float(span.first == 0),
        float(has_number),
        float(is_date),
        float(lower),
        math.log1p(sentence_count - 1),
        float(page_count > 1),
        float(whole_name),
        float(part_of_name),
        float(previous in _PREPOSITIONS),
        float(previous in _ARTICLES),
        float(following == "of"),
        float(brackets),
        float(stand_in is not None or normalize_answer(span.text) == title),
        float(view.sentence.quote.start == 0),
        float(sum(1 for t in toks[1:-1] if t.lower in FUNCTION_WORDS)),
        float(toks[-1].lower.endswith("ly") and len(toks[-1].text) > 4),
        float(_verb_form(toks[-1])),
        float(_verb_form(toks[0])),
        float(any(t.lower in _COMMON_VERBS for t in toks)),
        float(toks[-1].lower.endswith(_NOUN_SUFFIXES)),
        float(stand_in is not None),
    ]
    row += [float(k == kind and s == shape) for k in QUESTION_KINDS for s in SHAPES]
    return row


def _slot_row(
    span: Span,
    view: _SentenceView,
    question_stems: set[str],
    asked_stems: set[str],
    spread: dict[str, int],
    titles_page_read: bool,
) -> list[float]:
    """One candidate's SLOT_FEATURES, in order; a title's stand-in is placed by its pronoun."""
    outside = [p for p in view.question_positions if not span.first <= p <= span.last]
    near = {
        stem_
        for p in outside
        if min(abs(p - span.first), abs(p - span.last)) <= WINDOW and (stem_ := view.stems[p]) is not None
    }
    return [
        float(_anchored(view, question_stems, span.first, -1)),
        float(_anchored(view, question_stems, span.last, 1)),
        sum(1.0 / spread[word] for word in near),
        float(_asked_follows(view, span, asked_stems)),
        float(_content_beside(view, span.last, 1)),
        float(titles_page_read),
    ]


def _asked_follows(view: _SentenceView, span: Span, asked_stems: set[str]) -> bool:
    """Whether the words after a candidate are what the question counts or names: "How many study contracts
    ...?" -> "three study contracts", "What percentage ...?" -> "50%"."""
    text = view.sentence.quote.text
    if text[span.end : span.end + 1] == "%" or text[span.end :].lstrip().lower().startswith("percent"):
        return bool(asked_stems & {"percentag", "percent"})
    following = span.last + 1
    return (
        following < len(view.tokens) and view.stems[following] in asked_stems and _adjacent(view, span.last, following)
    )


def _content_beside(view: _SentenceView, edge: int, step: int) -> bool:
    """Whether a content word stands right beside a span, with no punctuation between: the span then cuts a
    phrase ("Spanish" of "Spanish architect Enric Miralles")."""
    position = edge + step
    return 0 <= position < len(view.tokens) and view.stems[position] is not None and _adjacent(view, edge, position)


def _anchored(view: _SentenceView, question_stems: set[str], edge: int, step: int) -> bool:
    """Whether the first content word beside a span's edge (towards `step`, across at most ANCHOR_GAP
    function words and no punctuation) is one of the question's words."""
    position, skipped = edge + step, 0
    while 0 <= position < len(view.tokens):
        if not _adjacent(view, position - step, position):
            return False
        stem_ = view.stems[position]
        if stem_ is not None:
            return stem_ in question_stems
        skipped += 1
        if skipped > ANCHOR_GAP:
            return False
        position += step
    return False


def _adjacent(view: _SentenceView, one: int, other: int) -> bool:
    """Whether two neighbouring tokens of a sentence have nothing but spaces, dashes or quote marks between."""
    first, second = sorted((one, other))
    gap = view.sentence.quote.text[view.tokens[first].end : view.tokens[second].start]
    return _GAP.match(gap) is not None


def _stem(word: str) -> str:
    return stem(_IRREGULAR.get(word, word))


def _verb_form(token: Token) -> bool:
    """-ed and -ing words are mostly verbs ("earning", "renowned"); capitalised ones are names ("Reading")."""
    word = token.text
    return len(word) > 4 and word.islower() and word.endswith(("ed", "ing"))


def _view(sentence: Sentence, question_stems: set[str]) -> _SentenceView:
    toks = tokens(sentence.quote.text)
    stop = stopwords()
    stems = [None if t.lower in FUNCTION_WORDS or t.lower in stop else _stem(t.lower) for t in toks]
    positions = [i for i, s in enumerate(stems) if s is not None and s in question_stems]
    return _SentenceView(sentence, toks, stems, positions, name_ranges(sentence.quote.text))


def _content_stems(text: str) -> set[str]:
    stop = stopwords()
    return {_stem(t.lower) for t in tokens(text) if t.lower not in FUNCTION_WORDS and t.lower not in stop}
