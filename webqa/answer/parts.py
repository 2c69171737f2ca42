"""Two-part questions ("When was the Berlin Wall built and why?"): each part is answered on its own from
the same evidence, and the answer says which part it could not find instead of passing off half an answer
as a whole one."""

from __future__ import annotations

import re
from dataclasses import replace

from webqa.answer.draft import Draft
from webqa.text import CITATION, WH, question_names
from webqa.types import Citation

_AUX = r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|many|much|long|old|far)"
# "<first part> and <wh-word>[ <aux> <rest>]?": the second part must be a clause of its own (or the bare
# wh-word), not a name that happens to follow "and" ("Tom and Jerry").
_TWO_PARTS = re.compile(
    rf"^(?P<first>{WH}\b.+?),?\s+and\s+(?P<wh>{WH})(?:\s+(?P<rest>{_AUX}\b.*?))?\s*\??\s*$", re.IGNORECASE
)
_LEADING_WH = re.compile(rf"^\s*{WH}\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:it|he|she|they)\b", re.IGNORECASE)


def question_parts(question: str) -> tuple[str, str] | None:
    """The two questions a two-part question asks, each standalone; None for a question with one part.

    "When was the Berlin Wall built and why?" -> ("When was the Berlin Wall built?", "Why was the Berlin
    Wall built?"); "Who wrote Hamlet and when was it written?" -> (..., "When was Hamlet written?")."""
    match = _TWO_PARTS.match(question.strip())
    if match is None:
        return None
    first, wh, rest = match.group("first").strip(), match.group("wh"), match.group("rest")
    if rest:
        second = f"{wh.capitalize()} {rest.strip()}"
        names = question_names(first)
        if names:  # "when was it written": "it" is what the first part names
            second = _PRONOUN.sub(max(names, key=len), second, count=1)
    else:  # "... and why?": the first part's clause asked again with the other wh-word
        second = _LEADING_WH.sub(wh.capitalize(), first, count=1)
    return f"{first}?", f"{second}?"


def combine_parts(parts: tuple[str, str], drafts: tuple[Draft, Draft]) -> Draft:
    """One answer from the answers to the two parts: both when both were found (citations renumbered
    in order); the one found, and a sentence naming the part that was not; or, when neither was, the
    first part's abstention."""
    found = [(part, draft) for part, draft in zip(parts, drafts, strict=True) if not draft.abstained]
    missing = [part for part, draft in zip(parts, drafts, strict=True) if draft.abstained]
    if not found:
        notes = {**drafts[0].notes, "parts": list(parts), "parts_not_found": list(parts)}
        return replace(drafts[0], notes=notes, model_s=sum(d.model_s for d in drafts))
    texts: list[str] = []
    citations: list[Citation] = []
    for _, draft in found:
        offset = len(citations)
        texts.append(_renumbered(draft.text, offset))
        citations += [Citation(c.n + offset, c.quote) for c in draft.citations]
    for part in missing:
        texts.append(f"I could not find a reliable answer to “{part}”")
    shorts = [draft.short_answer for _, draft in found if draft.short_answer]
    confidences = [draft.confidence for _, draft in found if draft.confidence is not None]
    evidence = [draft.evidence_confidence for _, draft in found if draft.evidence_confidence is not None]
    notes = {
        "parts": list(parts),
        "parts_not_found": missing,
        "part_notes": [draft.notes for draft in drafts],
    }
    return Draft(
        " ".join(texts),
        "; ".join(shorts),
        False,
        tuple(citations),
        notes,
        min(confidences) if confidences else None,  # the answer is as sure as its least sure part
        min(evidence) if evidence else None,
        model_s=sum(d.model_s for d in drafts),
    )


def _renumbered(text: str, offset: int) -> str:
    return CITATION.sub(lambda m: f"[{int(m.group(1)) + offset}]", text)
