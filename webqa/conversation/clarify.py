"""Clarifying questions: asked instead of guessing when a question names something that has several
readings ("Mercury (planet)", "Mercury (element)"), or refers to something the conversation never named.

The detector is conservative. A name is ambiguous only when the top search results are different pages
titled with that name and a parenthesised qualifier, none of them the unqualified primary topic (Wikipedia
names the main meaning without a qualifier: "Ed Wood" beside "Ed Wood (film)" is not a question worth
asking), and the question's own words do not already pick one reading."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from webqa.answer.relevance import content_words
from webqa.conversation.rewrite import PERSONAL, split_title
from webqa.search.base import SearchResult
from webqa.text import AUXILIARY, QUESTION_WORD, WH, cut, flat, sentences

TOP_RESULTS = 5  # readings must be among the results a user would see first
_DISAMBIGUATION = re.compile(r"\b(?:may|can|could) refer to\b|\(disambiguation\)", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*(?:#|no\.?|number|option)?\s*(\d+)\s*[.)]?\s*$", re.IGNORECASE)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_REPLY_FILLER = re.compile(
    r"^(?:i\s+mean[t]?|i'?m\s+asking\s+about|the\s+one\s+(?:about|called)|it'?s|it\s+is|he\s+is|she\s+is|"
    r"they\s+are|about)\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reading:
    """One thing an ambiguous name may mean: a page the search found."""

    title: str
    doc_id: str | None = None
    url: str | None = None
    snippet: str = ""


@dataclass(frozen=True)
class Clarification:
    """A question put on hold until the user says what they meant."""

    question: str  # the question waiting, standalone except for `term`
    # "ambiguous" (several readings of `term`), "reference" (`term` refers to nothing known) or "topic"
    # (the message names a topic, `term`, and asks nothing about it; the readings are pages about it)
    kind: str
    term: str
    readings: tuple[Reading, ...] = ()

    def text(self) -> str:
        """What the user is asked."""
        if self.kind == "topic":
            lines = [f"What would you like to know about {self.term}? Ask me a question about it."]
            if self.readings:
                lines.append("Pages I found on it:")
                lines += [f"{n}. {r.title}" for n, r in enumerate(self.readings, start=1)]
                lines.append("Reply with a question, or with a number for an overview of that page.")
            return "\n".join(lines)
        if self.kind == "reference":
            who = "Who" if self.term.lower() in PERSONAL else "What"
            if self.term.lower() == "there":
                who = "Which place"
            return f"{who} do you mean by “{self.term}”? Reply with a name and I will answer: {self.question}"
        lines = [f"“{self.term}” can mean several things. Which one do you mean?"]
        for n, reading in enumerate(self.readings, start=1):
            gist = f" — {_gist(reading.snippet)}" if reading.snippet else ""
            lines.append(f"{n}. {reading.title}{gist}")
        lines.append("Reply with a number or a name.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "readings": [asdict(r) for r in self.readings]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Clarification:
        readings = tuple(Reading(**r) for r in data.get("readings", []))
        return cls(data["question"], data["kind"], data["term"], readings)


def _gist(snippet: str, limit: int = 90) -> str:
    first = (sentences(flat(snippet)) or [""])[0]
    return cut(first, limit, " …")


# A message asks something when it is a question, a request or a sentence with a verb of its own.
_ASKING_START = re.compile(
    rf"^(?:{WH}|{AUXILIARY}|may|might|must|tell|explain|describe|list|give|show|find|name|compare|summari[sz]e|"
    r"define|please|i|i'm|i'd|we|let's|help)\b",
    re.IGNORECASE,
)
_VERBS = frozenset(
    "is are was were be been being am has have had do does did can could will would should shall may might "
    "must want need wonder know like mean means happened happens happen work works worked".split()
)
TOPIC_MAX_WORDS = 10  # a longer message without a verb is more likely a telegraphic question than a topic
TOPIC_READINGS = 3


def is_bare_topic(text: str) -> bool:
    """ "Legal immigration for same sex couples." names a topic and asks nothing about it: no question
    mark, no question or request word first, no verb, a few words."""
    stripped = text.strip()
    words = re.findall(r"[\w'’-]+", stripped.lower())
    if not words or stripped.endswith("?") or len(words) > TOPIC_MAX_WORDS:
        return False
    return not _ASKING_START.match(stripped) and not any(w in _VERBS for w in words)


def topic_clarification(text: str, results: Sequence[SearchResult]) -> Clarification:
    """What to ask back for a bare topic: what the user wants to know, with the pages found on it."""
    topic = text.strip().rstrip(".!")
    words = content_words(topic)
    # Pages whose titles share a word with the topic; the first result alone when none does.
    about = [r for r in results[:TOPIC_READINGS] if words & content_words(r.title)] or list(results[:1])
    readings = tuple(Reading(r.title, r.doc_id, r.url, r.snippet) for r in about)
    return Clarification(f"What is {readings[0].title}?" if readings else text, "topic", topic, readings)


def topic_question(pending: Clarification, reply: str) -> str | None:
    """The question a reply to a topic clarification asks: an overview of the page it picks by number,
    its own question (with "it" standing for the topic), or the topic narrowed by its words; None for an
    empty reply."""
    number = _reply_number(reply)
    if number is not None and pending.readings:
        index = len(pending.readings) - 1 if number == -1 else number - 1
        if 0 <= index < len(pending.readings):
            return f"What is {pending.readings[index].title}?"
    cleaned = clean_reply(reply)
    if not cleaned:
        return None
    for reading in pending.readings:  # the chat's buttons reply with a page's title
        if cleaned.lower() == reading.title.lower():
            return f"What is {reading.title}?"
    if looks_like_new_question(reply) or reply.strip().endswith("?"):
        return re.sub(
            r"\b(?:it|this|that|they|them|he|she|him)\b", pending.term, reply.strip(), count=1, flags=re.IGNORECASE
        )
    return f"{cleaned} — {pending.term}"


def find_ambiguity(question: str, results: Sequence[SearchResult]) -> Clarification | None:
    """A clarifying question when the top results are distinct readings of a name in the question."""
    groups: dict[str, list[SearchResult]] = {}
    for result in results[:TOP_RESULTS]:
        if _DISAMBIGUATION.search(result.title) or _DISAMBIGUATION.search(result.snippet):
            continue  # a list of meanings is not itself one
        groups.setdefault(split_title(result.title)[0].lower(), []).append(result)
    for members in groups.values():
        distinct = list({r.title.lower(): r for r in members}.values())
        base = split_title(distinct[0].title)[0]
        if len(distinct) < 2 or any(not split_title(r.title)[1] for r in distinct):
            continue
        if not re.search(rf"\b{re.escape(base)}\b", question, re.IGNORECASE):
            continue
        remaining = _not_ruled_out(question, distinct)
        if len(remaining) >= 2:
            readings = tuple(Reading(r.title, r.doc_id, r.url, r.snippet) for r in remaining)
            return Clarification(question, "ambiguous", base, readings)
    return None


def _not_ruled_out(question: str, results: list[SearchResult]) -> list[SearchResult]:
    """The readings the question's words fit best: its qualifier first ("the planet Mercury"), then the
    words of its snippet ("How far is Mercury from the Sun?" fits the planet's "closest to the Sun")."""
    words = content_words(question) - content_words(split_title(results[0].title)[0])
    qualifier = [len(words & content_words(split_title(r.title)[1])) for r in results]
    kept = [r for r, o in zip(results, qualifier, strict=True) if o == max(qualifier)]
    context = [len(words & content_words(r.snippet)) for r in kept]
    best = max(context)
    if best > 0 and context.count(best) == 1:
        return [kept[context.index(best)]]
    return kept


# --- the user's reply ----------------------------------------------------------------------------


def choose_reading(readings: Sequence[Reading], reply: str) -> Reading | None:
    """The reading a reply picks: by number ("2", "the second"), by title, or by the words of its
    qualifier ("the planet"), then of its snippet; None when it picks none or several."""
    if not readings:
        return None
    number = _reply_number(reply)
    if number is not None:
        index = len(readings) - 1 if number == -1 else number - 1
        return readings[index] if 0 <= index < len(readings) else None
    cleaned = clean_reply(reply).lower()
    for reading in readings:
        if cleaned == reading.title.lower():
            return reading
    words = content_words(cleaned)
    for part in (lambda r: split_title(r.title)[1], lambda r: r.snippet):
        scores = [len(words & content_words(part(r))) for r in readings]
        best = max(scores)
        if best > 0 and scores.count(best) == 1:
            return readings[scores.index(best)]
    return None


def _reply_number(reply: str) -> int | None:
    match = _NUMBER.match(reply)
    if match:
        return int(match.group(1))
    words = re.findall(r"[a-z]+", reply.lower())
    ordinals = [_ORDINALS[w] for w in words if w in _ORDINALS]
    return ordinals[0] if len(ordinals) == 1 and len(words) <= 3 else None


def clean_reply(reply: str) -> str:
    """'I mean Lothair II.' -> 'Lothair II'."""
    return _REPLY_FILLER.sub("", reply.strip()).strip(" .!?\"'“”")


def looks_like_new_question(reply: str) -> bool:
    """A reply that asks something rather than answering the clarifying question."""
    text = reply.strip()
    return len(text.split()) >= 3 and (text.endswith("?") or bool(QUESTION_WORD.match(text)))


def with_reading(question: str, term: str, reading: str) -> str:
    """The question with the ambiguous name replaced by the chosen reading."""
    pattern = re.compile(rf"\b{re.escape(term)}\b", re.IGNORECASE)
    return pattern.sub(lambda _: reading, question, count=1)  # unchanged when the name is not there
