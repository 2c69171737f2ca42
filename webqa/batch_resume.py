"""Resuming a batch run: how many lines of an answers file already answer this question file, and proof
that they do (see webqa.batch). Nothing here writes to the file except to cut a crash's damaged tail, and
that only after the lines before it are proven to belong to this question file."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from webqa.errors import InputError
from webqa.questions import QuestionItem

_log = logging.getLogger("webqa.batch")  # the runner's logger: a resume is part of a run


def resume_point(out: Path, questions: Path, items: list[QuestionItem]) -> tuple[int, int]:
    """How many items `out` already answers, and how many of those lines are errors. Truncates a crash's
    partial last line; refuses foreign files."""
    if not out.exists():
        return 0, 0
    kept = offset = failed = 0
    with out.open("r+b") as file:
        lines = iter(file)  # binary iteration splits on b"\n" only, as the lines were written
        following = next(lines, None)
        while following is not None:
            raw, following = following, next(lines, None)
            at_end = following is None
            record = _parse_record(raw)
            if record is None:
                # Once a line is proven ours, anything unreadable after it is damage to cut; before that it
                # may be someone else's file, which we must not truncate.
                torn = raw.startswith(b"{") and not raw.endswith(b"\n")
                debris = at_end and (torn or not raw.strip(b"\0"))  # NULs: a power cut's unwritten tail
                if kept == 0 and not debris:
                    raise InputError(
                        f"{out} does not start with an answer record, so it is not the output of a batch run. "
                        f"Give a new --out file, or move {out} away to start over."
                    )
                if raw.endswith(b"\n") or not at_end:
                    _log.warning("%s: line %d is damaged; it and the lines after it are answered again.", out, kept + 1)
                file.truncate(offset)
                os.fsync(file.fileno())
                break
            if kept >= len(items) or record.get("id") != items[kept].id:
                found = record.get("id")
                expected = f"{items[kept].id!r}" if kept < len(items) else "no more items"
                raise InputError(
                    f"{out} holds answers for another question file: its line {kept + 1} has id {found!r} where "
                    f"{questions} has {expected}. {_WHAT_TO_DO.format(out=out)}"
                )
            difference = _input_difference(record, items[kept])
            if difference:
                raise InputError(
                    f"{out} holds answers for another question file: its line {kept + 1} (id {record['id']!r}) "
                    f"answers {difference} where {questions} line {items[kept].line} asks "
                    f"{_shown_input(items[kept])}. Nothing in {out} was changed. {_WHAT_TO_DO.format(out=out)}"
                )
            kept += 1
            offset += len(raw)
            failed += bool(record.get("error"))
    return kept, failed


_WHAT_TO_DO = "Give a new --out file, or add --restart to answer every question again into {out} (replacing it)."


def input_sha256(item: QuestionItem) -> str:
    """A hash of what an item asks: its question, or its turns; ids and gold answers do not count."""
    payload = json.dumps({"question": item.question, "turns": list(item.turns)}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _input_difference(record: dict[str, Any], item: QuestionItem) -> str | None:
    """What a kept line answers, when that is not what `item` asks; None when they agree. Lines from before
    input_sha256 existed are compared by their question text, which every line holds."""
    recorded = record.get("input_sha256")
    if isinstance(recorded, str):
        return None if recorded == input_sha256(item) else _shown_record(record)
    question = record.get("question")
    asked = item.question if item.question is not None else (item.turns[0] if item.turns else None)
    if isinstance(question, str) and asked is not None and " ".join(question.split()) != " ".join(asked.split()):
        return _shown_record(record)
    return None


def _shown_input(item: QuestionItem) -> str:
    if item.turns:
        return f"the conversation starting {_short(item.turns[0])}"
    return _short(item.question) if item.question is not None else "nothing usable (a bad line)"


def _shown_record(record: dict[str, Any]) -> str:
    question = record.get("question")
    if isinstance(record.get("turns"), list) and record["turns"] and isinstance(question, str):
        return f"the conversation starting {_short(question)}"
    return _short(question) if isinstance(question, str) else "a bad input line"


def _short(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")


def empty_for_restart(out: Path) -> None:
    """Empty `out` for --restart, but only when it is batch output (or empty): never someone's other file."""
    if not out.exists():
        return
    with out.open("rb") as file:
        first = file.readline()
    if first.strip(b"\0 \r\n") and _parse_record(first) is None:
        raise InputError(
            f"{out} does not start with an answer record, so it is not the output of a batch run, and "
            "--restart only replaces batch output. Give a new --out file."
        )
    with out.open("r+b") as file:
        file.truncate(0)
        os.fsync(file.fileno())


def _parse_record(raw: bytes) -> dict[str, Any] | None:
    """A complete output line as a record, or None for a partial, damaged or foreign one."""
    if not raw.endswith(b"\n"):
        return None
    try:
        record = json.loads(raw)
    except ValueError:  # includes UnicodeDecodeError
        return None
    # Every line the runner writes has "id" and "error"; a question file given as --out has no "error".
    return record if isinstance(record, dict) and "id" in record and "error" in record else None
