"""Answer candidates of any kind: every short span of the best evidence sentences that could be an answer.

Names, dates and numbers are not the only answers ("carbon dioxide", "the pancreas", "sovereignty"), so
candidates are word n-grams of the sentences, bounded so that they neither start nor end on a function
word and never cross punctuation. The learned scorer (webqa/answer/scorer.py) decides which is the answer;
a candidate is always a real span of a real sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from webqa.text import NAME

MAX_TOKENS = 6
# A token: a number with its separators ("1,234.5"), or a word with inner hyphens, apostrophes and dots
# ("Jean-Paul", "O'Neill", "U.S").
TOKEN = re.compile(r"\d+(?:[.,:]\d+)*(?:st|nd|rd|th|s)?|\w+(?:[-'’.]\w+)*")
# Words that never begin or end an answer span: articles, prepositions, conjunctions, pronouns, auxiliaries.
FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet of in on at by for from to with without into onto upon over under about
    above below between among through during before after since until till as than like via per within
    across against along around behind beyond near off out up down toward towards is are was were be been
    being am has have had having do does did will would shall should can could may might must it its it's
    he she they them his her hers their theirs him we us our you your i me my this that these those which
    who whom whose what when where why how there here also not no only then thus however although though
    while whereas because if whether such both either neither each every all any some most many much more
    other another same own very too just even still again ever often later first second one's""".split()
)
# Function words that do stand inside names and noun phrases: "Chief of Protocol of the United States",
# "Kiss and Tell", "Institute for Advanced Study".
INNER_WORDS = frozenset({"of", "the", "and", "for", "a", "an"})
MONTHS = tuple("january february march april may june july august september october november december".split())
_MONTHS = frozenset(MONTHS)
_GAP_OK = re.compile(r"^[\s\-–]*$")  # what may stand between two tokens of one span
# Marks a name or a date keeps inside it: the dot of an initial or an abbreviation ("John F. Kennedy",
# "St. Louis", "U.S. Army", "Rear Adm. J. Edward Snyder"), a plural's possessive ("Seven Years' War") and the
# comma of a date ("October 16, 1973").
_ABBREVIATIONS = frozenset(
    "st mt ft dr mr mrs ms jr sr adm gen col lt capt cmdr sgt rev prof gov sen rep pres inc ltd co corp bros".split()
)
_DOT_GAP = re.compile(r"^\.\s+$")
_POSSESSIVE_GAP = re.compile(r"^['’]\s+$")
_COMMA_GAP = re.compile(r"^,\s+$")
_YEAR = re.compile(r"^\d{3,4}$")


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # offsets in the sentence
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass(frozen=True)
class Span:
    """Tokens first..last (inclusive) of sentence `sentence`; `text` is the exact slice of that sentence."""

    text: str
    sentence: int
    first: int
    last: int
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


def sentence_spans(sentence: str, index: int, toks: list[Token] | None = None) -> list[Span]:
    """The candidate spans of one sentence."""
    toks = toks if toks is not None else tokens(sentence)
    spans = []
    for first, head in enumerate(toks):
        if _bad_edge(head) and not _initial(sentence, toks, first):
            continue
        for last in range(first, min(len(toks), first + MAX_TOKENS)):
            if last > first and not _joined(sentence, toks, first, last):
                break  # a comma, bracket or quote mark ends the span
            if last > first + 1 and toks[last - 1].lower in FUNCTION_WORDS and toks[last - 1].lower not in INNER_WORDS:
                break  # "Piacenza on 8": a preposition or verb inside joins two answers, it is not part of one
            if _bad_edge(toks[last]):
                continue
            start, end = head.start, toks[last].end
            spans.append(Span(sentence[start:end], index, first, last, start, end))
    return spans


def name_ranges(sentence: str) -> list[tuple[int, int]]:
    """Character ranges of the capitalised names in a sentence ("Leonardo da Vinci")."""
    return [(m.start(), m.start() + len(m.group().rstrip(" ,.;:'’"))) for m in NAME.finditer(sentence)]


def is_month(word: str) -> bool:
    return word.lower() in _MONTHS


def _bad_edge(token: Token) -> bool:
    return token.lower in FUNCTION_WORDS or (len(token.text) == 1 and not token.text.isdigit())


def _joined(sentence: str, toks: list[Token], first: int, index: int) -> bool:
    """Whether token `index` continues the span that starts at token `first` and holds the one before it."""
    before, after = toks[index - 1], toks[index]
    gap = sentence[before.end : after.start]
    if _GAP_OK.match(gap):
        return True
    if _DOT_GAP.match(gap):  # an initial or an abbreviation, then the rest of the name
        abbreviated = (len(before.text) == 1 and before.text.isupper()) or before.lower in _ABBREVIATIONS
        return after.text[0].isupper() and (abbreviated or "." in before.text)
    if _POSSESSIVE_GAP.match(gap):
        return before.text.endswith("s") and before.text[0].isupper() and after.text[0].isupper()
    if _COMMA_GAP.match(gap):  # "October 16, 1973": month, day, comma, year
        dated = index - 2 >= first and is_month(toks[index - 2].text) and before.text.isdigit()
        return dated and bool(_YEAR.match(after.text))
    return False


def _initial(sentence: str, toks: list[Token], index: int) -> bool:
    """An initial that starts a name ("C. W. Grafton"): a capital letter, a dot, a capitalised word."""
    token = toks[index]
    return (
        len(token.text) == 1
        and token.text.isupper()
        and index + 1 < len(toks)
        and _DOT_GAP.match(sentence[token.end : toks[index + 1].start]) is not None
        and toks[index + 1].text[0].isupper()
    )
