"""Follow-ups rewritten into standalone questions, so that search sees "When did Lothair II die?" and not
"When did he die?".

The rules are the default because the embedded model cannot do this reliably: a referring word (he, her,
its, it, there, that...) becomes the main entity of the previous turn. A model may rewrite instead, but its
rewrite is kept only when it keeps the follow-up's words and names something from the conversation."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from webqa.answer.relevance import content_words
from webqa.prompts import load_prompt
from webqa.text import DEFINITION, NAME, QUESTION_START, WORD, question_names, stopwords

if TYPE_CHECKING:
    from webqa.llm import LLM

_SUBJECT = {"he", "she", "him", "they", "them", "it"}
_POSSESSIVE = {"his", "its", "their", "theirs", "hers"}
PERSONAL = {"he", "she", "him", "her", "his", "hers", "they", "them", "their", "theirs"}  # words for people
_DEMONSTRATIVE = {"that", "this", "those", "these"}
_BE = {"is", "are", "was", "were", "be", "been", "being"}
_DO = {"do", "does", "did", "will", "would", "can", "could", "should", "might", "may", "shall"}
_PLACE_PREPOSITIONS = {"from", "to", "in", "at", "near", "into", "around", "over", "through"}
_DUMMY_IT_NEXT = {"true", "possible", "likely", "said", "known", "believed", "thought"}
_EVENT_VERBS = {"happen", "occur", "start", "begin", "end", "last", "change", "mean"}  # "when did that happen"
# A pronoun after more content words than this most likely refers to one of them ("which cyclone had a
# film made about it"); follow-ups put theirs up front ("Who was his father?", "Which of his films...").
MAX_WORDS_BEFORE = 2
# With nothing in the conversation to refer to, only a question this short is asked what it means: long
# questions with pronouns (HotpotQA has several) are self-contained.
SHORT_QUESTION_WORDS = 12
_ELLIPSIS = re.compile(r"^\s*(?:and|what about|how about)\s+(?P<entity>.+?)\s*\??\s*$", re.IGNORECASE)
_WHO = re.compile(r"^\s*(?:who|whom)\b", re.IGNORECASE)
_QUALIFIED = re.compile(r"^(?P<base>.+?)\s*\((?P<qualifier>[^()]+)\)\s*$")

REWRITE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"question": {"type": "string", "minLength": 1, "maxLength": 300}},
    "required": ["question"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class PreviousTurn:
    """What a follow-up can refer to: the previous standalone question and what its answer was about."""

    question: str
    short_answer: str = ""
    abstained: bool = False
    cited_titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reference:
    """A word of the question that points outside it: where it is and how to replace it."""

    start: int
    end: int
    word: str
    form: str  # "name" (he -> X), "possessive" (his -> X's) or "place" (there -> in X)


@dataclass(frozen=True)
class Rewrite:
    question: str  # the standalone question ("" when a reference could not be resolved)
    by: str  # "unchanged", "rules", "llm" or "unresolved"
    entity: str | None = None
    unresolved: str | None = None  # the referring word nothing in the history could stand for
    notes: dict[str, Any] = field(default_factory=dict)


def find_references(question: str) -> list[Reference]:
    """Referring words that have no antecedent earlier in the question itself.

    Conservative on purpose: a name or several content words before the pronoun are taken as what it
    refers to, and "that"/"this" count only where they stand alone ("When did that happen?")."""
    words = list(WORD.finditer(question))
    stop = stopwords()
    found = []
    for i, match in enumerate(words):
        lower = match.group().lower()
        if _has_antecedent(words[:i]) or sum(w.group().lower() not in stop for w in words[:i]) > MAX_WORDS_BEFORE:
            break
        if i > 0 and match.group()[0].isupper():
            continue  # "the book Their Lives": part of a title
        before = words[i - 1].group().lower() if i > 0 else None
        after = words[i + 1].group().lower() if i + 1 < len(words) else None
        form = _reference_form(lower, before, after, stop)
        if form is not None:
            found.append(Reference(match.start(), match.end(), match.group(), form))
    return found


def _reference_form(word: str, before: str | None, after: str | None, stop: frozenset[str]) -> str | None:
    if word == "her":  # possessive before a noun ("her father"), an object otherwise ("who married her")
        return "possessive" if after is not None and after not in stop else "name"
    if word == "it" and after in _DUMMY_IT_NEXT:
        return None  # "is it true that ..." refers to nothing
    if word in _SUBJECT:
        return "name"
    if word in _POSSESSIVE:
        return "possessive"
    if word == "there":
        return None if before in _BE or after in _BE else "place"  # "is there a ..." is existential
    if word in _DEMONSTRATIVE:
        alone = after is None or (after in stop and (before is None or before in stop))
        return "name" if alone or (before in _DO and after in _EVENT_VERBS) else None
    return None


def _has_antecedent(words: Sequence[re.Match[str]]) -> bool:
    """A capitalised name after the first word ("I" and the question words aside)."""
    return any(m.group()[0].isupper() and m.group() != "I" for m in words[1:])


def main_entity(previous: PreviousTurn, personal: bool) -> str | None:
    """What the previous turn was about: for "he/she" after "Who starred in X?" the person answered;
    otherwise the page its answer cited first, else the name its question asked about."""
    if personal and not previous.abstained and _WHO.match(previous.question):
        definitional = DEFINITION.match(previous.question)
        asked_about_a_name = definitional is not None and NAME.fullmatch(definitional.group("entity"))
        if not asked_about_a_name and NAME.fullmatch(previous.short_answer or "-"):
            return previous.short_answer
    if previous.cited_titles and not previous.abstained:
        return previous.cited_titles[0]
    return question_entity(previous.question)


def split_title(title: str) -> tuple[str, str]:
    """'Mercury (planet)' -> ('Mercury', 'planet'); 'Nile' -> ('Nile', '').

    Defined here, not in clarify.py, which imports this module: one direction, no import cycle."""
    match = _QUALIFIED.match(title.strip())
    return (match.group("base").strip(), match.group("qualifier").strip()) if match else (title.strip(), "")


def question_entity(question: str) -> str | None:
    """The longest capitalised name in a question, ignoring the capital of its first word."""
    names = question_names(question)
    return max(names, key=len) if names else None


def rewrite_with_rules(question: str, history: Sequence[PreviousTurn]) -> Rewrite:
    """The standalone form of `question`, or an unresolved rewrite naming the word nothing explains."""
    if history:
        elliptical = _rewrite_ellipsis(question, history[-1])
        if elliptical is not None:
            return elliptical
    references = find_references(question)
    if not references or (not history and len(question.split()) > SHORT_QUESTION_WORDS):
        return Rewrite(question, "unchanged")
    personal = any(r.word.lower() in PERSONAL for r in references)
    entity = main_entity(history[-1], personal) if history else None
    if entity is None:
        return Rewrite("", "unresolved", unresolved=references[0].word)
    return Rewrite(substitute_references(question, references, entity), "rules", entity)


def substitute_references(question: str, references: Sequence[Reference], entity: str) -> str:
    parts, last = [], 0
    for ref in references:
        parts.append(question[last : ref.start])
        before = question[: ref.start].split()
        if ref.form == "possessive":
            parts.append(f"{entity}'s")
        elif ref.form == "place" and not (before and before[-1].lower() in _PLACE_PREPOSITIONS):
            parts.append(f"in {entity}")
        else:
            parts.append(entity)
        last = ref.end
    parts.append(question[last:])
    return "".join(parts)


def _rewrite_ellipsis(question: str, previous: PreviousTurn) -> Rewrite | None:
    """'What about Einstein?' asks the previous question again about someone else."""
    match = _ELLIPSIS.match(question)
    old = question_entity(previous.question)
    if match is None or old is None or old not in previous.question:
        return None
    new = match.group("entity").strip()
    return Rewrite(previous.question.replace(old, new, 1), "rules", new)


# --- the model's rewrite -------------------------------------------------------------------------


def history_entities(history: Sequence[PreviousTurn]) -> list[str]:
    """Names the conversation so far has mentioned: cited pages, short answers, names in questions."""
    names: list[str] = []
    for turn in history:
        for title in turn.cited_titles:
            names += [title, split_title(title)[0]]
        if turn.short_answer and not turn.abstained:
            names.append(turn.short_answer)
        names += question_names(turn.question)
    stop = stopwords()
    return [n for n in dict.fromkeys(names) if n and n.lower() not in stop and not QUESTION_START.match(n)]


def rewrite_with_llm(llm: LLM, question: str, history: Sequence[PreviousTurn]) -> str:
    """The model's standalone version of the question (unchecked: see `check_llm_rewrite`)."""
    messages = [
        ("system", load_prompt("rewrite_system")),
        ("user", load_prompt("rewrite_user").format(history=render_history(history), question=question)),
    ]
    reply = llm.complete_json(messages, REWRITE_SCHEMA)
    try:
        data = json.loads(reply)
    except ValueError:
        return ""
    rewritten = data.get("question") if isinstance(data, dict) else None
    return rewritten.strip() if isinstance(rewritten, str) else ""


def render_history(history: Sequence[PreviousTurn], turns: int = 3) -> str:
    lines = []
    for turn in history[-turns:]:
        answer = "(no answer found)" if turn.abstained or not turn.short_answer else turn.short_answer
        source = f" (source: {turn.cited_titles[0]})" if turn.cited_titles and not turn.abstained else ""
        lines.append(f"User: {turn.question}\nAssistant: {answer}{source}")
    return "\n".join(lines)


def check_llm_rewrite(rewritten: str, question: str, history: Sequence[PreviousTurn]) -> str | None:
    """Why the model's rewrite cannot be used, or None when it can. A tiny model drops words or drifts to
    another topic; keeping every content word and naming an entity of the conversation rules both out."""
    if not rewritten or "\n" in rewritten:
        return "no single-line question in the reply"
    missing = content_words(question) - content_words(rewritten)
    if missing:
        return f"dropped the follow-up's words: {', '.join(sorted(missing))}"
    lowered = rewritten.lower()
    if not any(re.search(rf"\b{re.escape(name.lower())}\b", lowered) for name in history_entities(history)):
        return "names nothing from the conversation"
    return None
