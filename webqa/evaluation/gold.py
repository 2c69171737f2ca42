"""Gold items and the question file that carries them.

A gold question file is a question file in the DESIGN.md format (so `webqa batch` can read it) with the gold
beside each question:

    {"id": "q1", "question": "...", "answers": ["..."], "supporting": ["doc id or title", ...]?,
     "answerable": true?}
    {"id": "d1", "turns": ["...", "..."], "turn_gold": [{"answers": [...], "supporting": [...]?,
     "answerable": true?}, ...]}

`supporting` names the passages that hold the answer (by document id or title), where the set has them.
`answerable: false` marks a question with no answer in the corpus; the right response is to abstain.
Unlike `webqa batch`, which answers what it can and records a bad line as that line's error, evaluation
refuses a file with any bad line: a score over a silently shortened set would mislead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webqa.errors import InputError
from webqa.jsonl import read_json_lines, write_atomically
from webqa.questions import read_questions


@dataclass(frozen=True)
class Gold:
    """What a right answer to one question (or one turn) looks like."""

    answers: tuple[str, ...]
    supporting: tuple[str, ...] = ()
    answerable: bool = True


@dataclass(frozen=True)
class GoldItem:
    """One line of a question file: a question, or the turns of a conversation, with a Gold for each."""

    id: str
    questions: tuple[str, ...]
    gold: tuple[Gold, ...]
    multi_turn: bool = False

    def to_json(self) -> dict[str, Any]:
        if self.multi_turn:
            return {"id": self.id, "turns": list(self.questions), "turn_gold": [_gold_json(g) for g in self.gold]}
        return {"id": self.id, "question": self.questions[0], **_gold_json(self.gold[0])}


def _gold_json(gold: Gold) -> dict[str, Any]:
    data: dict[str, Any] = {"answers": list(gold.answers)}
    if gold.supporting:
        data["supporting"] = list(gold.supporting)
    if not gold.answerable:
        data["answerable"] = False
    return data


def write_gold_file(items: Iterable[GoldItem], path: Path) -> Path:
    """Write atomically: a reader never sees half a question file."""
    write_atomically(path, "".join(json.dumps(item.to_json(), ensure_ascii=False) + "\n" for item in items))
    return path


def read_gold_file(path: Path) -> list[GoldItem]:
    """Every item of a gold question file (.jsonl, or .csv for single questions); the first bad line raises
    InputError naming it."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Question file {path} does not exist. Give a .jsonl or .csv question file with gold answers.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _unique(path, _csv_items(path))
    if suffix not in (".jsonl", ".json"):
        raise InputError(
            f"{path}: evaluation reads question files with gold answers as JSON Lines (.jsonl) or CSV, "
            f"not {suffix or 'files without an extension'}."
        )
    items: list[tuple[int, GoldItem]] = []
    for number, data in read_json_lines(path):
        try:
            items.append((number, _item(data, number)))
        except ValueError as exc:
            raise InputError(f"{path} line {number}: {exc}.") from None
    return _unique(path, items)


def _csv_items(path: Path) -> list[tuple[int, GoldItem]]:
    """A question CSV as `webqa batch` reads it (a 'question' column, optional 'id' and 'answers' as a|b or a
    JSON list); every row needs answers."""
    items = []
    for row in read_questions(path):
        if row.error is not None:
            raise InputError(f"{path} {row.error}.")
        if not row.answers:
            raise InputError(f"{path} line {row.line}: no answers; evaluation needs an 'answers' column filled in.")
        assert row.question is not None
        items.append((row.line, GoldItem(row.id, (row.question,), (Gold(tuple(row.answers)),))))
    return items


def _unique(path: Path, numbered: list[tuple[int, GoldItem]]) -> list[GoldItem]:
    items: list[GoldItem] = []
    seen: set[str] = set()
    for number, item in numbered:
        if item.id in seen:
            raise InputError(f"{path} line {number}: id {item.id!r} appears twice; ids must be unique.")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise InputError(f"Question file {path} holds no questions.")
    return items


def _item(data: object, number: int) -> GoldItem:
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    raw_id = data.get("id", f"line-{number}")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise ValueError('"id" must be a non-empty string or an integer')
    if "turns" in data:
        turns = _strings(data["turns"], "turns", allow_empty=False)
        turn_gold = data.get("turn_gold")
        if not isinstance(turn_gold, list) or len(turn_gold) != len(turns):
            raise ValueError(f'"turn_gold" must be a list with one gold object per turn ({len(turns)})')
        golds = tuple(_gold(entry, f"turn_gold[{n}]") for n, entry in enumerate(turn_gold))
        return GoldItem(raw_id, turns, golds, multi_turn=True)
    question = data.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError('no "question" (a non-empty string) and no "turns"')
    return GoldItem(raw_id, (question.strip(),), (_gold(data, "the line"),))


def _gold(data: object, where: str) -> Gold:
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be a JSON object")
    if "answers" not in data:
        raise ValueError(f'{where} has no "answers": evaluation needs gold answers (an empty list if unanswerable)')
    answers = _strings(data["answers"], "answers", allow_empty=True)
    supporting = _strings(data.get("supporting", []), "supporting", allow_empty=True)
    answerable = data.get("answerable", bool(answers))
    if not isinstance(answerable, bool):
        raise ValueError('"answerable" must be true or false')
    if answerable and not answers:
        raise ValueError('"answers" is empty but the question is answerable; give answers or "answerable": false')
    return Gold(answers, supporting, answerable)


def _strings(value: object, name: str, *, allow_empty: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'"{name}" must be a list of strings')
    cleaned = tuple(v.strip() for v in value if v.strip())
    if not allow_empty and not cleaned:
        raise ValueError(f'"{name}" must not be empty')
    return cleaned


def limited(items: Sequence[GoldItem], limit: int | None) -> list[GoldItem]:
    return list(items if limit is None else items[:limit])
