"""SQuAD v1.1 dev (the official file, read from its zip): 2,067 paragraphs as the corpus, 10,570 questions.

A paragraph's id is "<article title>#<paragraph number>", so its source article stays readable. Questions
come interleaved across the 48 articles (each article's first question, then each one's second, ...): the
file lists one article at a time, so a `--limit` prefix would otherwise test a single topic."""

from __future__ import annotations

import zipfile
from itertools import chain, zip_longest
from pathlib import Path
from typing import Any

from webqa.errors import InputError
from webqa.evaluation.datasets.base import EvalSet, parse_record, read_json, require_files, string
from webqa.evaluation.gold import Gold, GoldItem
from webqa.types import Document

RELATIVE_PATH = Path("squad") / "dev-v1.1.json.zip"
FILES = (RELATIVE_PATH,)


def load(data_dir: Path | None) -> EvalSet:
    """From the data folder when it holds the zip, else from the copy webqa ships."""
    (path,) = require_files(data_dir, "SQuAD", FILES)
    data = read_json(path, _zipped_json(path))
    articles = parse_record(path, "(top level)", data, lambda d: d["data"])
    if not isinstance(articles, list):
        raise InputError(f"{path}: 'data' must be a list of articles.")
    documents: list[Document] = []
    per_article: list[list[GoldItem]] = []
    for number, article in enumerate(articles, start=1):
        article_documents, article_items = parse_record(path, f"article {number}", article, _parse_article)
        documents.extend(article_documents)
        per_article.append(article_items)
    items = [item for item in chain.from_iterable(zip_longest(*per_article)) if item is not None]
    return EvalSet("squad", items, documents, str(path), f"the {len(documents):,} paragraphs of the dev set")


def _zipped_json(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith(".json")]
            if not names:
                raise InputError(f"{path} holds no .json file.")
            return archive.read(names[0]).decode("utf-8")
    except zipfile.BadZipFile:
        raise InputError(f"{path} is not a valid zip file.") from None


def _parse_article(article: dict[str, Any]) -> tuple[list[Document], list[GoldItem]]:
    title = string(article["title"], "title")
    documents, items = [], []
    for number, paragraph in enumerate(article["paragraphs"]):
        doc_id = f"{title}#{number}"
        documents.append(Document(doc_id, title.replace("_", " "), string(paragraph["context"], "context")))
        for qa in paragraph["qas"]:
            answers = tuple(dict.fromkeys(a["text"].strip() for a in qa["answers"] if a["text"].strip()))
            question = string(qa["question"], "question").strip()
            items.append(GoldItem(str(qa["id"]), (question,), (Gold(answers, (doc_id,)),)))
    return documents, items
