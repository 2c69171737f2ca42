"""HotpotQA (dev, distractor setting, first 500 questions) as a closed corpus plus questions.

The data stays in ../shared/data/hotpotqa (CC BY-SA 4.0); this module only reads it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from webqa.types import Document

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "data" / "hotpotqa" / "dev_subsampled.jsonl"


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: list[str]
    supporting_titles: list[str]


def load(path: Path = DEFAULT_PATH) -> tuple[list[Document], list[Question]]:
    """Every question's paragraphs pooled into one corpus (one document per title), and the questions."""
    if not path.is_file():
        raise SystemExit(f"HotpotQA file not found: {path} (expected ../shared/data/hotpotqa beside the project)")
    documents: dict[str, Document] = {}
    questions = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            for context in record["contexts"]:
                title = context["title"]
                documents.setdefault(title, Document(title, title, context["paragraph_text"]))
            answers = [span for obj in record["answers_objects"] for span in obj["spans"]]
            supporting = [c["title"] for c in record["contexts"] if c["is_supporting"]]
            questions.append(Question(record["question_id"], record["question_text"], answers, supporting))
    return list(documents.values()), questions


def write_corpus(documents: list[Document], path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for d in documents:
            out.write(json.dumps({"id": d.id, "title": d.title, "text": d.text}, ensure_ascii=False) + "\n")
    return path
