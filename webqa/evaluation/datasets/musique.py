"""MuSiQue-Ans: 100 train questions (2 to 4 hops) and the closed corpus of 1,890 passages HippoRAG made for them.

Passages have no ids and 85 titles recur, so a passage's id is its title, plus " (n)" for the n-th passage
under a recurring title; a question's supporting paragraphs are found in the corpus by title and text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from webqa.errors import InputError
from webqa.evaluation.datasets.base import EvalSet, parse_record, read_json, require_files, string
from webqa.evaluation.gold import Gold, GoldItem
from webqa.types import Document

QUESTIONS_PATH = Path("musique") / "musique_train.json"
CORPUS_PATH = Path("musique") / "musique_train_corpus.json"
FILES = (QUESTIONS_PATH, CORPUS_PATH)


def load(data_dir: Path | None) -> EvalSet:
    """Both files from the data folder when it holds both, else the copies webqa ships."""
    questions_path, corpus_path = require_files(data_dir, "MuSiQue", FILES)
    documents = _corpus(corpus_path)
    ids = {(d.title, d.text): d.id for d in documents}
    records = read_json(questions_path)
    if not isinstance(records, list):
        raise InputError(f"{questions_path}: expected a JSON list of questions.")
    items = [
        parse_record(questions_path, f"question {number}", record, lambda r: _item(r, ids))
        for number, record in enumerate(records, start=1)
    ]
    return EvalSet("musique", items, documents, str(questions_path), f"the {len(documents):,} passages of its corpus")


def _corpus(path: Path) -> list[Document]:
    records = read_json(path)
    if not isinstance(records, list):
        raise InputError(f"{path}: expected a JSON list of passages.")
    documents: list[Document] = []
    seen: dict[str, int] = {}  # title -> passages under it so far
    for number, record in enumerate(records, start=1):
        title, text = parse_record(path, f"passage {number}", record, lambda r: (r["title"], r["text"]))
        seen[title] = seen.get(title, 0) + 1
        doc_id = title if seen[title] == 1 else f"{title} ({seen[title]})"
        documents.append(Document(doc_id, string(title, "title"), string(text, "text")))
    return documents


def _item(record: dict[str, Any], ids: dict[tuple[str, str], str]) -> GoldItem:
    answers = (string(record["answer"], "answer"), *record.get("answer_aliases", []))
    supporting = []
    for paragraph in record["paragraphs"]:
        if paragraph["is_supporting"]:
            key = (paragraph["title"], paragraph["paragraph_text"])
            if key not in ids:
                raise ValueError(f"supporting paragraph {paragraph['title']!r} is not in the corpus file")
            supporting.append(ids[key])
    question = string(record["question"], "question")
    return GoldItem(str(record["id"]), (question,), (Gold(answers, tuple(supporting), record.get("answerable", True)),))
