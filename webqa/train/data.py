"""Training files read strictly: every line is an SFT example or a preference pair (the formats
`webqa feedback export` writes), a bad line is an error naming file:line, and too little data is refused
with how much there is and how much is needed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from webqa.errors import InputError
from webqa.feedback.records import PreferencePair, SFTExample

Row = TypeVar("Row", SFTExample, PreferencePair)

# Below these, a held-back share of a few examples says nothing and the step count rounds to zero.
MIN_SFT_EXAMPLES = 20
MIN_PREFERENCE_PAIRS = 20


def read_training_file(path: Path, kind: type[Row], what: str) -> list[Row]:
    """Every line of `path` as a `kind`; the first line that is not one raises, naming file:line."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"No training file at {path}. Write one with: webqa feedback export {path} --format {what}")
    rows: list[Row] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").split("\n")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text.") from None
    except OSError as exc:
        raise InputError(f"Cannot read {path} ({exc}).") from None
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            rows.append(kind.model_validate(json.loads(raw)))
        except ValueError as exc:  # json.JSONDecodeError and pydantic's ValidationError are both ValueErrors
            raise InputError(f"{path}:{number}: not {_article(what)} line ({_first_problem(exc)}).") from None
    return rows


def require_enough(rows: Sequence[object], needed: int, path: Path, what: str) -> None:
    if len(rows) < needed:
        raise InputError(
            f"{path} holds {len(rows)} {what}; training needs at least {needed}. Collect more feedback in the "
            "chat (edits, comparisons) or add synthetic ones: webqa feedback synthesize squad"
        )


@dataclass(frozen=True)
class Split(Generic[Row]):
    train: list[Row]
    held_back: list[Row]


def hold_back(rows: Sequence[Row], share: float) -> Split[Row]:
    """A held-back share chosen by a hash of each row's text, so the same row stays on the same side when
    the file grows (a retrained model is never evaluated on what it trained on before). At least one row
    goes to each side."""
    if not 0.0 < share < 1.0:
        raise InputError(f"The held-back share must be between 0 and 1 (exclusive), not {share}.")
    ranked = sorted(range(len(rows)), key=lambda i: _fingerprint(rows[i]))
    count = min(max(1, round(len(rows) * share)), len(rows) - 1)
    held = set(ranked[:count])
    return Split(
        train=[row for i, row in enumerate(rows) if i not in held],
        held_back=[row for i, row in enumerate(rows) if i in held],
    )


def _fingerprint(row: BaseModel) -> str:
    return hashlib.sha256(row.model_dump_json().encode("utf-8")).hexdigest()


def _article(what: str) -> str:
    return {"sft": "an SFT example", "preferences": "a preference pair"}.get(what, f"a {what}")


def _first_problem(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        return f"{where}: {error['msg']}" if where else error["msg"]
    return f"not JSON: {exc}"
