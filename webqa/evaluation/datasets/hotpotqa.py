"""HotpotQA dev, distractor setting, first 500 questions (IRCoT's processed file), as a closed corpus.

Every question's ten paragraphs are pooled into one corpus (one document per title, the title its id), and
every question is asked against that pool; its two supporting paragraphs are the gold passages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from webqa.evaluation.datasets.base import EvalSet, parse_record, read_json_lines, require_files, string
from webqa.evaluation.gold import Gold, GoldItem
from webqa.types import Document

RELATIVE_PATH = Path("hotpotqa") / "dev_subsampled.jsonl"
FILES = (RELATIVE_PATH,)


def load(data_dir: Path | None) -> EvalSet:
    """From the data folder when it holds the file, else from the copy webqa ships."""
    (path,) = require_files(data_dir, "HotpotQA", FILES)
    documents: dict[str, Document] = {}
    items = []
    for number, record in read_json_lines(path):
        item, paragraphs = parse_record(path, f"line {number}", record, _parse)
        items.append(item)
        for title, text in paragraphs:
            documents.setdefault(title, Document(title, title, text))
    return EvalSet(
        "hotpotqa",
        items,
        list(documents.values()),
        str(path),
        f"the {len(documents):,} unique paragraphs of the {len(items)} questions, pooled",
    )


def _parse(record: dict[str, Any]) -> tuple[GoldItem, list[tuple[str, str]]]:
    contexts = record["contexts"]
    paragraphs = [(string(c["title"], "title"), string(c["paragraph_text"], "paragraph_text")) for c in contexts]
    answers = tuple(span for obj in record["answers_objects"] for span in obj["spans"] if span.strip())
    supporting = tuple(c["title"] for c in contexts if c["is_supporting"])
    question = string(record["question_text"], "question_text")
    item = GoldItem(str(record["question_id"]), (question,), (Gold(answers, supporting),))
    return item, paragraphs
