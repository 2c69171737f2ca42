"""Question files (JSONL, CSV, TXT) read into `QuestionItem`s, one per input line.

A bad line is never an exception: it becomes an item with `error` set, so a batch run writes that line's
error in its place and goes on. Only problems with the whole file raise `InputError`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from webqa.errors import InputError


@dataclass(frozen=True)
class QuestionItem:
    """One input line: a question (or the turns of a conversation), or the reason the line is unusable."""

    line: int  # 1-based line of the input file where this item starts
    id: str  # from the file, else "line-N" so that reruns over the same file give the same ids
    question: str | None  # None for multi-turn items
    turns: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()  # gold answers, when the file gives them
    error: str | None = None  # "line N: what is wrong"; such an item is written as an error line


def read_questions(path: Path) -> list[QuestionItem]:
    """Every item of a question file, in file order. The format is chosen by the file's extension."""
    path = Path(path)
    text = _read_text(path)  # first: a missing file is that, whatever its extension
    parser = _PARSERS.get(path.suffix.lower())
    if parser is None:
        known = ", ".join(sorted(_PARSERS))
        raise InputError(
            f"Cannot tell the format of question file {path}: use one of {known} "
            "(JSON Lines, CSV with a 'question' column, or one question per line)."
        )
    return parser(text, path)


def _read_text(path: Path) -> str:
    if not path.exists():
        raise InputError(f"Question file {path} does not exist. Check the path and try again.")
    if not path.is_file():
        raise InputError(f"{path} is not a file. Give the path of a question file (.jsonl, .csv or .txt).")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")  # -sig: spreadsheets often save UTF-8 with a byte-order mark
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"Question file {path} is not UTF-8 text (undecodable byte on line {line}). Save it as UTF-8."
        ) from None


def _parse_jsonl(text: str, path: Path) -> list[QuestionItem]:
    if text.lstrip().startswith("["):
        try:
            whole = json.loads(text)
        except ValueError:
            whole = None
        if isinstance(whole, list):
            raise InputError(
                f"{path} is one JSON array; batch reads JSON Lines (one object per line). "
                f"Convert it with: jq -c '.[]' {path} > questions.jsonl"
            )
    items = []
    # split on "\n" only: str.splitlines would also split on U+2028 and friends, which JSON allows raw.
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except ValueError as exc:
            items.append(_bad(number, f"not valid JSON ({exc})"))
            continue
        items.append(_from_mapping(data, number))
    return items


def _parse_csv(text: str, path: Path) -> list[QuestionItem]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise InputError(f"{path} is empty. A question CSV needs a header row with a 'question' column.")
        columns = [name.strip().lower() for name in header]
        if "question" not in columns:
            found = ", ".join(repr(name) for name in header) or "none"
            raise InputError(
                f"{path} has no 'question' column (columns: {found}). "
                "Add a header row naming the question column 'question' (optional: 'id', 'answers')."
            )
        index: dict[str, int] = {name: columns.index(name) for name in ("question", "id", "answers") if name in columns}
        items = []
        previous_end = reader.line_num
        for row in reader:
            number, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            items.append(_from_csv_row(row, number, index, len(columns)))
        return items
    except csv.Error as exc:
        raise InputError(
            f"{path} is not valid CSV (line {reader.line_num}: {exc}). Check the quoting of that line."
        ) from None


def _from_csv_row(row: list[str], number: int, index: dict[str, int], width: int) -> QuestionItem:
    if len(row) > width:
        return _bad(number, f"{len(row)} fields but the header has {width}; quote fields that contain commas")

    def cell(name: str) -> str:
        position = index.get(name)
        return row[position].strip() if position is not None and position < len(row) else ""

    data: dict[str, object] = {"question": cell("question")}
    if cell("id"):
        data["id"] = cell("id")
    answers = cell("answers")
    if answers.startswith("["):
        try:
            data["answers"] = json.loads(answers)
        except ValueError:
            return _bad(number, "answers start with '[' but are not a JSON list; use a JSON list or a|b|c")
    elif answers:
        data["answers"] = [part.strip() for part in answers.split("|") if part.strip()]
    return _from_mapping(data, number)


def _parse_txt(text: str, path: Path) -> list[QuestionItem]:
    return [
        QuestionItem(line=number, id=_line_id(number), question=raw.strip())
        for number, raw in enumerate(text.split("\n"), start=1)
        if raw.strip()
    ]


def _from_mapping(data: object, number: int) -> QuestionItem:
    """Validate one record; the first problem found becomes the item's error."""
    if not isinstance(data, dict):
        return _bad(number, f"expected a JSON object, got {_type_name(data)}")
    raw_id, question, turns, answers = data.get("id"), data.get("question"), data.get("turns"), data.get("answers")
    item_id = _line_id(number)
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)  # many datasets number their questions
    if isinstance(raw_id, str) and raw_id.strip():
        item_id = raw_id
    text = question.strip() if isinstance(question, str) else None
    problem = (
        (_id_problem(raw_id) if raw_id is not None and item_id != raw_id else None)
        or _question_problem(question, turns)
        or _answers_problem(answers)
    )
    if problem:
        return QuestionItem(line=number, id=item_id, question=text, error=f"line {number}: {problem}")
    return QuestionItem(
        line=number,
        id=item_id,
        question=text,
        turns=tuple(t.strip() for t in turns) if isinstance(turns, list) else (),
        answers=tuple(answers or ()),
    )


def _id_problem(raw_id: object) -> str:
    return f'"id" must be a non-empty string or an integer, got {_type_name(raw_id)}'


def _question_problem(question: object, turns: object) -> str | None:
    if question is not None and turns is not None:
        return 'has both "question" and "turns"; give one'
    if turns is not None:
        if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            return '"turns" must be a non-empty list of non-empty strings'
        return None
    if question is None:
        return 'no "question" (or "turns" for a conversation)'
    if not isinstance(question, str):
        return f'"question" must be a string, got {_type_name(question)}'
    return None if question.strip() else '"question" is empty'


def _answers_problem(answers: object) -> str | None:
    if answers is None or (isinstance(answers, list) and all(isinstance(a, str) for a in answers)):
        return None
    if isinstance(answers, list):
        odd = next(a for a in answers if not isinstance(a, str))
        return f'"answers" must be a list of strings; it holds {_type_name(odd)}'
    return f'"answers" must be a list of strings, got {_type_name(answers)}'


def _bad(number: int, problem: str) -> QuestionItem:
    return QuestionItem(line=number, id=_line_id(number), question=None, error=f"line {number}: {problem}")


def _line_id(number: int) -> str:
    return f"line-{number}"


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


_PARSERS: dict[str, Callable[[str, Path], list[QuestionItem]]] = {
    ".jsonl": _parse_jsonl,
    ".json": _parse_jsonl,
    ".csv": _parse_csv,
    ".txt": _parse_txt,
}
