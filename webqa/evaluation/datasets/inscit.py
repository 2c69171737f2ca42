"""INSCIT dev: 86 information-seeking dialogues over Wikipedia (502 user turns), read in place.

INSCIT states no licence, so it is for evaluation only: it is read from the benchmark data folder and never
copied into the project (the corpus webqa indexes is written under the index folder, which is not shipped).

Each dialogue becomes one multi-turn question line: the user's turns in order, each a follow-up of the ones
before. The corpus is the 996 evidence passages annotators cited. A turn's gold answers are the responses
of its annotators who answered; its gold passages, their evidence. A turn whose every annotator found no
answer is unanswerable: abstaining is right there. Clarification turns count as answerable (another
annotator usually answered them)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from webqa.errors import InputError
from webqa.evaluation.datasets.base import EvalSet, parse_record, read_json, require_files, string
from webqa.evaluation.gold import Gold, GoldItem
from webqa.types import Document

RELATIVE_PATH = Path("inscit") / "dev.json"
ANSWER_TYPES = ("directAnswer", "clarification")  # responses that answer (or narrow) the question
NO_ANSWER_TYPES = ("noAnswerButRelevantInfo", "noAnswerNoRelevantInfo")
FILES = (RELATIVE_PATH,)
NOT_SHIPPED = "webqa does not ship INSCIT (no license stated): get dev.json from https://github.com/ellenmellon/INSCIT."


def load(data_dir: Path | None) -> EvalSet:
    """From the data folder only: there is no packaged copy."""
    (path,) = require_files(data_dir, "INSCIT", FILES, hint=NOT_SHIPPED)
    dialogues = read_json(path)
    if not isinstance(dialogues, dict):
        raise InputError(f"{path}: expected a JSON object of dialogue id -> dialogue.")
    documents: dict[str, Document] = {}
    items = []
    for dialogue_id, dialogue in dialogues.items():
        item, passages = parse_record(
            path, f"dialogue {dialogue_id!r}", dialogue, functools.partial(_parse, dialogue_id)
        )
        items.append(item)
        for passage in passages:
            documents.setdefault(passage.id, passage)
    return EvalSet(
        "inscit",
        items,
        list(documents.values()),
        str(path),
        f"the {len(documents):,} evidence passages annotators cited (a small, closed corpus)",
    )


def _parse(dialogue_id: str, dialogue: dict[str, Any]) -> tuple[GoldItem, list[Document]]:
    turns, golds, passages = [], [], []
    for turn in dialogue["turns"]:
        turns.append(string(turn["context"][-1], "context").strip())  # the user's turn ends its context
        answers: list[str] = []
        supporting: list[str] = []
        for label in turn["labels"]:
            evidence = [_passage(e) for e in label.get("evidence", [])]
            passages.extend(evidence)
            if label["responseType"] in ANSWER_TYPES:
                answers.append(string(label["response"], "response").strip())
                supporting.extend(p.id for p in evidence)
        answerable = not all(label["responseType"] in NO_ANSWER_TYPES for label in turn["labels"])
        golds.append(Gold(tuple(a for a in answers if a), tuple(dict.fromkeys(supporting)), answerable))
    if not turns:
        raise ValueError("a dialogue with no turns")
    return GoldItem(dialogue_id, tuple(turns), tuple(golds), multi_turn=True), passages


def _passage(evidence: dict[str, Any]) -> Document:
    titles = [string(t, "passage_titles") for t in evidence["passage_titles"]]
    title = " — ".join(titles) if titles else evidence["passage_id"]
    return Document(
        string(evidence["passage_id"], "passage_id"), title, string(evidence["passage_text"], "passage_text")
    )
