"""A user's own gold question file as a dataset: no corpus of its own, answered from an existing index."""

from __future__ import annotations

from pathlib import Path

from webqa.evaluation.datasets.base import EvalSet
from webqa.evaluation.gold import read_gold_file


def load_question_file(path: Path) -> EvalSet:
    items = read_gold_file(path)
    return EvalSet(path.stem, items, None, str(path), "the index named by --index (default: the default index)")
