"""Yes/no and "X or Y" verdicts read from the evidence, for questions that compare two things the pages are
about.

The embedded model's bare choice between "yes" and "no" is at chance. A comparison question names two
pages ("Are Giuseppe Verdi and Ambroise Thomas both opera composers?", "Were X and Y of the same
nationality?"), and each page's opening sentences say what its subject is. So:

- "both P": yes when the opening of every named page says each content word of P, else no;
- "the same F": the value of F in each opening (a nationality word, a year, the name after "by", or the word
  before F: "Jiangsu province", "county-level city"); yes when the values agree, no when they differ.

"Which came first, X or Y?" (first, earlier, older; younger, newer, more recently) is read the same way: an
encyclopaedia page opens with its subject's date, the year of a film, a band's founding, a person's birth
("(born 14 August 1965)"), so the option whose opening date is earlier (or later) is the answer.

Where the question names fewer than two pages that were read, or a value is missing, there is no verdict
and the caller asks the model as before."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from webqa.answer.evidence import Sentence
from webqa.answer.spans import MONTHS
from webqa.text import AUXILIARIES, bare_title, stopwords, words

OPENING_SENTENCES = 2  # what a page says its subject is stands in its first sentences
_NOT_PREDICATE = frozenset({"both", "same", "located", "considered", "type", "types", "kind", "kinds"})
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_SAME = re.compile(r"\bsame\s+(?:\w+\s+of\s+)?(\w+)", re.IGNORECASE)
# A nationality word is an adjective: before a lower-case noun ("an Italian opera composer").
_NATIONALITY = re.compile(r"\b([A-Z][a-z]+(?:an|ish|ese|ch|i)|Filipino|Greek|Thai|Swiss|Dutch)\s+(?=[a-z])")
_YEAR = re.compile(r"\b(1\d{3}|20\d{2})\b")
_BY = re.compile(r"\bby\s+((?:[A-Z][\w.'’-]+\s?){1,4})")
_COMPARATIVE = re.compile(r"\bthan\b", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^)]*\)")
# Which end of time an "X or Y" question asks for.
_EARLIER = re.compile(r"\b(?<!the )(?:first|earlier|earliest|older|oldest)\b", re.IGNORECASE)  # "the first X to" ranks
_LATER = re.compile(r"\b(?:younger|youngest|newer|newest|later|latest|more recent(?:ly)?|most recent(?:ly)?)\b", re.I)
_AMOUNT = re.compile(
    r"\b(?:more|most|less|least|fewer|fewest|larger|largest|bigger|biggest|higher|highest|greater|greatest|"
    r"longer|longest|taller|tallest|smaller|smallest|lower|lowest|shorter|shortest|closer|closest|further|"
    r"farther|heavier|better|best|worse|worst)\b",
    re.IGNORECASE,
)
_MONTH = "|".join(MONTHS)
# "14 August 1965", "August 14, 1965", "August 1965", "1965": the first of them an opening says.
_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\s+(?P<y1>\d{{4}})|(?P<m2>{_MONTH})\s+(?:(?P<d2>\d{{1,2}}),?\s+)?"
    rf"(?P<y2>\d{{4}})|(?P<y3>1\d{{3}}|20\d{{2}}))\b",
    re.IGNORECASE,
)
_LEADING_NAME = re.compile(r"^(.+?)(?:\s+\(|,|\s+(?:is|was|were|are|has|had)\s)")  # "X (born ...", "X is a"


@dataclass(frozen=True)
class Verdict:
    answer: str  # "yes" or "no"
    grounds: tuple[Sentence, ...]  # each named page's opening sentence, in the question's order
    how: str  # what was compared, for the trace


def evidence_verdict(question: str, ranked: Sequence[Sentence]) -> Verdict | None:
    named = named_pages(question, ranked)
    if len(named) < 2 or _COMPARATIVE.search(question):  # "Is X taller than Y?" compares amounts, not kinds
        return None
    named = named[:2]
    openings = [_opening(sentences) for _, sentences in named]
    grounds = tuple(opening[0] for opening in openings)
    same = _SAME.search(question)
    if same is not None:
        focus = _stem(same.group(1))
        values = [_value(focus, opening) for opening in openings]
        if None in values:
            return None
        answer = "yes" if len({v.lower() for v in values if v}) == 1 else "no"
        return Verdict(answer, grounds, f"same {focus}: {' / '.join(v for v in values if v)}")
    predicate = _predicate(question, {w.lower() for name, _ in named for w in name.split()})
    if not predicate:
        return None
    covered = []
    for opening in openings:
        said = {_stem(w) for s in opening for w in words(f"{s.quote.text} {s.quote.title}")}
        covered.append(all(_matches(word, said) for word in predicate))
    return Verdict("yes" if all(covered) else "no", grounds, f"both {' '.join(predicate)}: {covered}")


def option_verdict(question: str, options: Sequence[str], ranked: Sequence[Sentence]) -> Verdict | None:
    """The option of "Which came first, X or Y?" whose page's opening gives the earlier (or later) date, or
    of "Which one is P, X or Y?" whose opening says more of P; None when an option names no page read, the
    question compares amounts, or the openings cannot tell."""
    earlier, later = _EARLIER.search(question), _LATER.search(question)
    if len(options) != 2 or (earlier and later) or _COMPARATIVE.search(question):
        return None
    pages = named_pages(question, ranked)
    chosen = []
    for option in options:
        wanted = " ".join(words(_ARTICLE.sub("", option))).lower()
        page = next((sentences for name, sentences in pages if f" {name} " in f" {wanted} "), None)
        if page is None:
            return None
        chosen.append(page)
    if chosen[0] is chosen[1]:
        return None
    openings = [_opening(sentences) for sentences in chosen]
    if not earlier and not later:
        return _kind_verdict(question, options, openings)
    # Both opening sentences: a splitter may cut the first short ("United States v." | "Paramount Pictures")
    first, second = (opening_date(" ".join(s.quote.text for s in opening)) for opening in openings)
    if first is None or second is None:
        return None
    # Compare only as far as both dates go: "1965" against "14 August 1965" cannot tell.
    depth = min(len(first), len(second))
    if first[:depth] == second[:depth]:
        return None
    pick = 0 if (first[:depth] < second[:depth]) == bool(earlier) else 1
    grounds = (openings[pick][0], openings[1 - pick][0])
    how = f"{'earlier' if earlier else 'later'} date: {options[0]} {first}, {options[1]} {second}"
    return Verdict(options[pick], grounds, how)


def full_name(option: str, ranked: Sequence[Sentence]) -> str:
    """The name an option's own page opens with, where it spells out the one the question used ("Philip
    Labonte" -> "Philip Steven Labonte", "Bearno's" -> "Bearno's Pizza"): same first word, every word kept,
    no nickname in quotes; else the option as asked."""
    wanted = " ".join(words(_ARTICLE.sub("", option))).lower()
    page = next((sentences for name, sentences in named_pages(option, ranked) if name == wanted), None)
    match = _LEADING_NAME.match(_opening(page)[0].quote.text) if page else None
    if match is None:
        return option
    name = match.group(1).strip()
    option_words, name_words = option.split(), name.split()
    if (
        len(name_words) <= len(option_words)
        or len(name_words) > 8
        or name_words[0] != option_words[0]
        or not {w.lower() for w in words(option)} <= {w.lower() for w in words(name)}
        or re.search(r"[\"“”]| or ", name)
    ):
        return option
    return name


def _kind_verdict(question: str, options: Sequence[str], openings: list[list[Sentence]]) -> Verdict | None:
    """ "Which author is an economist, X or Y?": the option whose opening says more of what the question
    asks (its words other than the options'); None on a tie, or for amounts ("more members"), which an
    opening rarely states."""
    if _AMOUNT.search(question):
        return None
    predicate = _predicate(question, {w.lower() for option in options for w in words(option)})
    covered = []
    for opening in openings:
        said = {_stem(w) for s in opening for w in words(f"{s.quote.text} {s.quote.title}")}
        covered.append(sum(_matches(word, said) for word in predicate))
    if covered[0] == covered[1]:
        return None
    pick = 0 if covered[0] > covered[1] else 1
    grounds = (openings[pick][0], openings[1 - pick][0])
    return Verdict(options[pick], grounds, f"says {' '.join(predicate)}: {covered[0]} / {covered[1]} words")


def opening_date(text: str) -> tuple[int, ...] | None:
    """(year,), (year, month) or (year, month, day) of the first date a page's opening sentence says."""
    match = _DATE.search(text)
    if match is None:
        return None
    year = int(match["y1"] or match["y2"] or match["y3"])
    month_name = match["m1"] or match["m2"]
    if month_name is None:
        return (year,)
    month = MONTHS.index(month_name.lower()) + 1
    day = match["d1"] or match["d2"]
    return (year, month, int(day)) if day else (year, month)


def named_pages(question: str, ranked: Sequence[Sentence]) -> list[tuple[str, list[Sentence]]]:
    """The pages read whose names the question says, in the question's order; a longer name wins over one
    inside it ("Dead by Sunrise" over "Sunrise")."""
    said = f" {' '.join(words(question)).lower()} "
    pages: dict[str, list[Sentence]] = {}
    for sentence in ranked:
        name = " ".join(words(_ARTICLE.sub("", bare_title(sentence.quote.title)))).lower()
        if name and name not in stopwords() and f" {name} " in said:
            pages.setdefault(name, []).append(sentence)
    chosen: list[tuple[str, list[Sentence]]] = []
    for name in sorted(pages, key=len, reverse=True):
        if not any(name in other for other, _ in chosen):
            chosen.append((name, pages[name]))
    return sorted(chosen, key=lambda named: said.index(f" {named[0]} "))


def _opening(sentences: list[Sentence]) -> list[Sentence]:
    return sorted(sentences, key=lambda s: s.quote.start)[:OPENING_SENTENCES]


def _value(focus: str, opening: list[Sentence]) -> str | None:
    # "(born 1930, Glasgow)" is not what the page says its subject is
    text = _PARENTHESES.sub("", " ".join(s.quote.text for s in opening))
    if focus in ("nationality", "country"):
        own_name = {w for s in opening for w in s.quote.title.split()}  # "Verdi" is a name, not a nationality
        found = [w for w in _NATIONALITY.findall(text) if w not in own_name]
    elif focus == "year":
        found = _YEAR.findall(text)
    elif focus in ("director", "person", "author", "writer"):
        found = [name.strip() for name in _BY.findall(text)]
    else:
        text_words = words(text)
        found = [text_words[i - 1] for i in range(1, len(text_words)) if _stem(text_words[i]) == focus]
    return found[0] if found else None


def _predicate(question: str, named_words: set[str]) -> list[str]:
    """What the question says of the things it names: its words, stemmed, other than their names."""
    skipped = _skipped()
    return [_stem(w) for w in words(question) if w.lower() not in skipped | named_words and not w.isdigit()]


def _skipped() -> frozenset[str]:
    return stopwords() | frozenset(AUXILIARIES) | _NOT_PREDICATE


def _stem(word: str) -> str:
    """'magazines' -> 'magazin', 'cities' -> 'city': enough to match a plural to its singular."""
    word = word.lower()
    for suffix, replacement in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + replacement
    return word


def _matches(word: str, said: set[str]) -> bool:
    """The same word, or one of its family ('documentary' / 'documentaries', 'Italy' / 'Italian')."""
    return any(w == word or (min(len(w), len(word)) >= 5 and w[:5] == word[:5]) for w in said)
