"""Candidate short answers: spans of the quoted text (names, numbers, dates), or yes/no.

A tiny model is far better at choosing among real spans than at writing an answer, and a span of a quote
is an answer that cannot be invented."""

from __future__ import annotations

import re
from dataclasses import dataclass

from webqa.answer.spans import MONTHS
from webqa.text import AUXILIARY, NAME, QUESTION_WORD, WH_WORDS, question_names, stopwords, words

_MONTHS = rf"(?:{'|'.join(month.capitalize() for month in MONTHS)})"
_DATE = re.compile(rf"\b(?:{_MONTHS}\s+\d{{1,2}},?\s+\d{{3,4}}|\d{{1,2}}\s+{_MONTHS}\s+\d{{3,4}}|{_MONTHS}\s+\d{{4}})")
_NUMBER = re.compile(
    r"\b\d[\d,.]*(?:\s*(?:%|percent|million|billion|thousand|km|kilometres|kilometers|miles|metres|meters|feet|"
    r"years?|people|inhabitants|seats|episodes|acres|square\s+\w+))?"
)
_CLAUSE = re.compile(r"\s+(?:is|are|was|were|has|have|had|does|did)\s+[a-z].*$")  # lower case: not "What Is Love"
_YES_NO_START = re.compile(rf"^{AUXILIARY}\b", re.IGNORECASE)
_YEAR = re.compile(r"1\d{3}|20\d{2}")
_OPTION_START = re.compile(r"^[\"“'‘]?[A-Z0-9]")  # a name, a title or a year


@dataclass(frozen=True)
class Candidate:
    text: str
    kind: str  # "name", "date", "number", "yes/no", "option"
    quote_index: int  # which quote it came from (-1 for yes/no and question options)


def is_yes_no(question: str) -> bool:
    return bool(_YES_NO_START.match(question.strip())) and " or " not in question


def question_options(question: str) -> list[str]:
    """'Which is older, X or Y?' -> ['X', 'Y']: comparison questions answer with one of their own names."""
    if " or " not in question:
        return []
    head, _, tail = question.strip().rstrip("?").strip().rpartition(" or ")
    left = re.split(r"[,?]", head)[-1].strip()
    if QUESTION_WORD.match(left) and ":" in left:  # "Which dog ...: the Manchester Terrier or the Scotch Collie?"
        left = left.rpartition(":")[2].strip()
    if QUESTION_WORD.match(left):  # no comma before it: "Who was born first Am Rong or Ava DuVernay?"
        left = (question_names(left) or [left])[-1]
    tail = _CLAUSE.sub("", tail.strip())  # "... or El Paso International Airport is closer to their town?"
    options = [o for o in (_strip_article(left).rstrip(","), _strip_article(tail).rstrip(",")) if o]
    # Options are things a page is about, so names: "What is the process of adding structure to real property
    # or construction of buildings?" or "... to accept or reject God's salvation" offer none.
    return options if len(options) == 2 and all(_OPTION_START.match(o) for o in options) else []


_LEADING = re.compile(r"^(?:the|a|an|in|on|at|by|for|from|with|as|and|but|after|before|during|since|when)\s+", re.I)
_POSSESSIVE = re.compile(r"['’]s$")


def _clean_span(text: str) -> str:
    """'The Julio-Claudian' -> 'Julio-Claudian', "Einstein's" -> 'Einstein'."""
    span = text.strip(" ,.;:'’\"")
    span = _LEADING.sub("", span)
    return _POSSESSIVE.sub("", span).strip(" ,.;:'’\"")


def _strip_article(text: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE).strip(" '\"")


def extract_candidates(question: str, quotes: list[str], limit: int = 12) -> list[Candidate]:
    if is_yes_no(question):
        return [Candidate("yes", "yes/no", -1), Candidate("no", "yes/no", -1)]
    found: dict[str, Candidate] = {}
    for option in question_options(question):
        found.setdefault(option.lower(), Candidate(option, "option", -1))
    question_lower = " " + " ".join(words(question)) + " "
    stop = stopwords()
    for index, quote in enumerate(quotes):
        for kind, pattern in (("date", _DATE), ("number", _NUMBER), ("name", NAME)):
            for match in pattern.finditer(quote):
                span = _clean_span(match.group())
                lowered = span.lower()
                if len(span) < 2 or lowered in WH_WORDS or lowered in stop:
                    continue  # "As", "The", "It": capitalised only because they start a sentence
                if kind == "name" and f" {lowered} " in question_lower:
                    continue  # the question's own entities are rarely its answer (options are handled above)
                span_kind = "date" if kind == "number" and _YEAR.fullmatch(span) else kind
                found.setdefault(lowered, Candidate(span, span_kind, index))
    return list(found.values())[:limit]


def expected_kind(question: str) -> str | None:
    """The kind of span a wh-question asks for, when the wording says so."""
    q = question.lower()
    if re.search(r"\b(when|what year|which year|what date|in what year)\b", q):
        return "date"
    if re.search(r"\bhow (many|much|long|tall|high|old|far|big)\b", q):
        return "number"
    if re.search(r"\b(who|whom|whose|where|which|what)\b", q):
        return "name"
    return None
