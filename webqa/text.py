"""Text helpers every layer shares, each written once: sentences, words, names, question words, citation
markers, quote text and cuts at a word.

Sentences come from Bling Fire's English model (the `blingfire` wheel ships it): measured on 600 paragraphs
of the corpora (`python -m evals.sentence_splitting`), it makes 18 errors where the regex it replaced made
140, most of them cuts after "U.S.", "St.", "c." or a middle initial."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from webqa.types import Quote

# Which sentence splitter cut an index's chunks; recorded in its manifest so that an index cut by another
# splitter is rebuilt rather than mixed with chunks cut this way.
SENTENCE_SPLITTER = "blingfire-0.1/blank-lines"

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")  # a blank line always ends a sentence (a new paragraph)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, in order, without surrounding whitespace: each
    text[start:end] is one sentence, verbatim."""
    spans: list[tuple[int, int]] = []
    position = 0
    for separator in [*_BLANK_LINE.finditer(text), None]:
        block_end = separator.start() if separator else len(text)
        if text[position:block_end].strip():
            for start, end in _block_sentences(text[position:block_end]):
                _append_stripped(text, position + start, position + end, spans)
        position = separator.end() if separator else len(text)
    return spans


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def _block_sentences(block: str) -> list[tuple[int, int]]:
    import blingfire  # loads its model on first use; a page is cut only once it is read

    # Bling Fire encodes to UTF-8, which has no lone surrogates; a same-length stand-in keeps offsets.
    safe = _LONE_SURROGATE.sub("\ufffd", block)
    offsets = blingfire.text_to_sentences_and_offsets(safe)[1]
    return [(max(0, int(start)), min(len(block), int(end))) for start, end in offsets]


def _append_stripped(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    start = max(start, spans[-1][1] if spans else 0)  # never overlap the sentence before
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


# Words. WORD is a word as people write it ("Lothair's", "don't", "well-known"). TOKEN is what an index
# matches on (BM25 and the hashing embedder): a run of word characters; indexes record their tokenizer
# (webqa.index.sparse.TOKENIZER), so TOKEN never changes without it.
WORD = re.compile(r"\w(?:[\w'’-]*\w)?")
TOKEN = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased."""
    return WORD.findall(text.lower())


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """English stopwords: bm25s's extended list, the one the BM25 index is built with."""
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)


# Question words.
WH_WORDS = ("what", "when", "where", "who", "whom", "whose", "which", "why", "how")
AUXILIARIES = ("is", "are", "was", "were", "do", "does", "did", "can", "could", "has", "have", "had", "will",
               "would", "should", "shall")  # fmt: skip
WH = rf"(?:{'|'.join(WH_WORDS)})"
AUXILIARY = rf"(?:{'|'.join(AUXILIARIES)})"
# How a question surely starts: "Will Smith, the actor" or "Can Tho" may be names, "Was" may not.
QUESTION_WORD = re.compile(rf"^\s*(?:{WH}|is|are|was|were|do|does|did)\b", re.IGNORECASE)
# Words capitalised only because they start a question or a request, never a name's first word.
QUESTION_START = re.compile(
    rf"^(?:{WH}|{AUXILIARY}|in|on|at|and|or|the|a|an|tell|name|list|give|explain|describe|show|find)$", re.I
)
# "Who was Lothair II?", "What is a quasar?": a question that asks what its subject is.
DEFINITION = re.compile(r"^\s*(?:who|what)\s+(?:is|was|are|were)\s+(?P<entity>[^?]+?)\s*\??\s*$", re.IGNORECASE)

# Names: capitalised words, joined by the small words names contain ("Chief of Protocol of the United
# States", "Kiss and Tell").
_CONNECTORS = r"(?:of|the|and|de|da|del|der|van|von|la|le|du|for|in|on|&)"
NAME = re.compile(rf"\b[A-Z][\w'’.-]*(?:\s+(?:{_CONNECTORS}\s+)*[A-Z][\w'’.-]*)*")


# Closed-class words a question or a chat turn may open with, capitalised only for that: "Aside from
# cow's milk, ...", "Besides Paris, ...", "Please tell me ...", "Yes, and ...", "I'm looking for ...".
# Stripped from a name only where the question starts, where no title is likely to stand.
QUESTION_OPENERS = frozenset(
    """about above according across after against along although among amongst apart around as aside because
    before behind below beneath besides between beyond but by despite during except excluding following for
    from given if including into like near of off okay ok once other outside over per please regarding since
    so than though through throughout thus to toward towards under unless unlike until upon versus via well
    whereas whether while with within without yes yeah also now then i i'm i'd i've i'll we we're my our
    your you you're hi hello hey thanks both""".split()
)
# Determiners that open a question: "Some Chinese considered ...", "All Italian chocolate ...". Dropped
# before a one-word name; kept where a longer title begins with one ("Some Like It Hot", "Many Rivers to
# Cross"). "Both" opens "Both X and Y ...?" so often that it is an opener.
OPENING_DETERMINERS = frozenset("some many most several all each every few any another such".split())


def _opening_words(name_words: list[str]) -> list[str]:
    while name_words and name_words[0].lower() in QUESTION_OPENERS:
        name_words = name_words[1:]
    if name_words and name_words[0].lower() in OPENING_DETERMINERS and len(name_words) <= 2:
        return name_words[1:]
    return name_words


def question_names(question: str) -> list[str]:
    """The capitalised names in a question ("Where did Lothair II die?" -> ["Lothair II"])."""
    names = []
    opening = len(question) - len(question.lstrip(" \"'“‘("))
    for match in NAME.finditer(question):
        name_words = match.group().strip(" ,.;:'’?").split()
        if match.start() == opening:
            name_words = _opening_words(name_words)
        while name_words and QUESTION_START.match(name_words[0]):
            name_words = name_words[1:]  # "Where Lothair II" -> "Lothair II" when a question word starts it
        name = re.sub(r"['’]s$", "", " ".join(name_words))
        if name and name.lower() not in stopwords():
            names.append(name)
    return names


def bare_title(title: str) -> str:
    """A page title without its qualifier: 'Mercury (planet)' -> 'Mercury', the name sentences use."""
    return title.split(" (")[0].strip()


_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def separate_names(question: str) -> list[str]:
    """The names a question mentions, each on its own: "Scott Derrickson and Ed Wood" are two, and "The
    Oberoi family" names "Oberoi family" (the article is capitalised only because it starts the question)."""
    names: list[str] = []
    for name in question_names(question):
        names.extend(_ARTICLE.sub("", part) for part in re.split(r"\s+and\s+", name) if _ARTICLE.sub("", part))
    return list(dict.fromkeys(names))


# Citation markers: webqa writes "[n]"; other systems (and the eval's naive baseline) may write "[1, 2]".
CITATION = re.compile(r"\[(\d+)\]")
CITATION_GROUP = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def without_citations(text: str) -> str:
    """`text` with its citation markers (either form) removed, spaces left as they were."""
    return CITATION_GROUP.sub("", text)


def cited_numbers(text: str) -> list[int]:
    """The quote numbers `text` cites, in order of first citation, once each (either marker form)."""
    numbers = (int(n) for group in CITATION_GROUP.findall(text) for n in re.split(r"\s*,\s*", group))
    return list(dict.fromkeys(numbers))


# Quotes as text.
def quote_text(quote: Quote) -> str:
    """A quote as relevance, the support check and the confidence read it: with its page title in front (it
    names what the passage's pronouns refer to: "He died in 869" on the page "Lothair II"), unless the
    passage already names it."""
    title, text = quote.title, quote.text
    return f"{title}: {text}" if title and title not in text else text


def numbered_quotes(quotes: Iterable[Quote]) -> str:
    """Quotes as a prompt shows them, one a line: "[1] Lothair II: He died in 869." """
    return "\n".join(f"[{n}] {quote.title}: {quote.text}" for n, quote in enumerate(quotes, start=1))


# Cuts at a word.
def cut_offset(text: str, start: int, end: int, limit: int) -> int:
    """Where to end text[start:end] so that it is at most `limit` characters: at the last space that keeps
    it within the limit, or inside a word when the first word alone is longer."""
    if end - start <= limit:
        return end
    space = text.rfind(" ", start + 1, start + limit + 1)
    return space if space > start else start + limit


def cut(text: str, limit: int, mark: str = "") -> str:
    """`text` cut at a word to at most `limit` characters, with `mark` (" …") added when it was cut."""
    if len(text) <= limit:
        return text
    return text[: cut_offset(text, 0, len(text), limit)] + mark


def flat(text: str) -> str:
    """One space between words: page text as a snippet shows it."""
    return " ".join(text.split())
