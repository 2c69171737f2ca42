"""Training data from feedback: chat-format SFT examples and preference pairs.

- SFT: each edited answer (the user's text is the reply to learn); with `include_upvoted`, answers rated
  up and never edited as well.
- Preferences: each comparison (chosen vs the other sample); with `include_edits`, each edit (the user's
  text over the answer it corrected).
The last edit or rating of a turn is the one that counts. Pairs whose two texts are the same are left out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from webqa.errors import WebqaError
from webqa.feedback.records import ChatMessage, ComparisonChoice, Edit, PreferencePair, Rating, SFTExample
from webqa.feedback.store import Judgement
from webqa.jsonl import write_atomically

FORMATS = ("sft", "preferences")
EditOrRating = TypeVar("EditOrRating", Edit, Rating)


def sft_examples(records: Sequence[Judgement], *, include_upvoted: bool = False) -> list[SFTExample]:
    edits = _latest(r for r in records if isinstance(r, Edit))
    examples = [SFTExample(messages=[*e.prompt, _reply(e.edited_answer)]) for e in edits.values()]
    if include_upvoted:
        ratings = _latest(r for r in records if isinstance(r, Rating))
        examples += [
            SFTExample(messages=[*r.prompt, _reply(r.answer)])
            for key, r in ratings.items()
            if r.rating == "up" and key not in edits and r.answer.strip()
        ]
    return examples


def preference_pairs(records: Sequence[Judgement], *, include_edits: bool = True) -> list[PreferencePair]:
    pairs = []
    for record in records:
        if isinstance(record, ComparisonChoice):
            chosen, rejected = record.answers[record.chosen], record.answers[1 - record.chosen]
            pairs.append((record.prompt, chosen, rejected))
    if include_edits:
        pairs += [
            (e.prompt, e.edited_answer, e.answer) for e in _latest(r for r in records if isinstance(r, Edit)).values()
        ]
    return [
        PreferencePair(prompt=prompt, chosen=[_reply(chosen)], rejected=[_reply(rejected)])
        for prompt, chosen, rejected in pairs
        if " ".join(chosen.split()) != " ".join(rejected.split())
    ]


def write_jsonl(path: Path, rows: Iterable[BaseModel]) -> int:
    """Write all rows or nothing: an existing file is replaced only once the new one is complete."""
    lines = [json.dumps(row.model_dump(mode="json"), ensure_ascii=False) + "\n" for row in rows]
    try:
        write_atomically(Path(path), "".join(lines))
    except OSError as exc:
        raise WebqaError(f"Cannot write {path} ({exc}). Choose another output file.") from None
    return len(lines)


def _latest(records: Iterable[EditOrRating]) -> dict[tuple[str, int], EditOrRating]:
    latest: dict[tuple[str, int], EditOrRating] = {}
    for record in records:  # in file order, so a later judgement of the same turn replaces an earlier one
        latest[(record.conversation_id, record.turn)] = record
    return latest


def _reply(text: str) -> ChatMessage:
    return ChatMessage(role="assistant", content=text)
