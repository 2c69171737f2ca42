"""What every loader returns, and the strict readers they share: a bad dataset file is one clear error."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from webqa.errors import InputError
from webqa.evaluation.gold import GoldItem
from webqa.types import Document

T = TypeVar("T")


@dataclass(frozen=True)
class EvalSet:
    """A benchmark ready to run: its gold items and, for a closed-corpus set, the documents to index."""

    name: str
    items: list[GoldItem]
    documents: list[Document] | None  # None: a question file, answered from an index the user names
    source: str  # the file it was read from
    corpus_note: str  # what the corpus is, for the report


def corpus_jsonl(documents: list[Document]) -> str:
    """Documents as corpus JSONL (DESIGN.md), the input `webqa index build` reads."""
    lines = (json.dumps({"id": d.id, "title": d.title, "text": d.text}, ensure_ascii=False) for d in documents)
    return "".join(line + "\n" for line in lines)


def require_file(path: Path, dataset: str) -> Path:
    if not path.is_file():
        raise InputError(
            f"{dataset} data not found: {path}. Check the benchmark data folder (WEBQA_EVAL_DATA_DIR or --data-dir)."
        )
    return path


def read_json(path: Path, text: str | None = None) -> Any:
    """A whole JSON file; malformed JSON names the file and the place."""
    try:
        return json.loads(path.read_text(encoding="utf-8") if text is None else text)
    except ValueError as exc:
        raise InputError(f"{path} is not valid JSON ({exc}).") from None


def parse_record(path: Path, where: str, record: Any, parse: Callable[[dict[str, Any]], T]) -> T:
    """Run a loader's record parser; a missing field or a wrong type becomes an error naming the record."""
    try:
        if not isinstance(record, dict):
            raise TypeError("expected a JSON object")
        return parse(record)
    except KeyError as exc:
        raise InputError(f"{path} {where}: missing field {exc}. Is this the right file for the dataset?") from None
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        raise InputError(f"{path} {where}: unexpected shape ({exc}).") from None


def string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f'"{name}" must be a string')
    return value
