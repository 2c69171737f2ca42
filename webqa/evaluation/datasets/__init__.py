"""Public benchmarks as closed corpora with gold question files, and where their data lives.

Each loader reads its set from the shared data folder (../shared/data beside the project, or
WEBQA_EVAL_DATA_DIR / --data-dir) and nothing is copied into the project: the sets carry their own
licences (INSCIT states none, so it is used for evaluation only and read in place).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from webqa.errors import WebqaError
from webqa.evaluation.datasets import hotpotqa, inscit, musique, squad
from webqa.evaluation.datasets.base import EvalSet
from webqa.evaluation.datasets.question_file import load_question_file

DATASETS: dict[str, Callable[[Path], EvalSet]] = {
    "hotpotqa": hotpotqa.load,
    "squad": squad.load,
    "musique": musique.load,
    "inscit": inscit.load,
}

DATA_DIR_ENV = "WEBQA_EVAL_DATA_DIR"

__all__ = ["DATASETS", "EvalSet", "find_data_dir", "load_dataset"]


def load_dataset(dataset: str, data_dir: Path | None = None) -> EvalSet:
    """A named benchmark, or a path to a gold question file (answered from an existing index)."""
    if dataset in DATASETS:
        return DATASETS[dataset](find_data_dir(data_dir))
    path = Path(dataset)
    if path.suffix or path.exists() or os.sep in dataset:
        return load_question_file(path)
    raise WebqaError(
        f"Unknown dataset {dataset!r}: use one of {', '.join(DATASETS)}, or the path of a .jsonl question file "
        "with gold answers."
    )


def find_data_dir(explicit: Path | None = None) -> Path:
    """The folder holding hotpotqa/, squad/, musique/ and inscit/: the one given, else WEBQA_EVAL_DATA_DIR,
    else shared/data beside the project checkout or beside the current folder."""
    if explicit is None and os.environ.get(DATA_DIR_ENV):
        explicit = Path(os.environ[DATA_DIR_ENV])
    if explicit is not None:
        if not explicit.is_dir():
            raise WebqaError(f"Benchmark data folder {explicit} does not exist. Give the folder that holds hotpotqa/.")
        return explicit
    checkout = Path(__file__).resolve().parents[3]  # webqa/evaluation/datasets/ -> the project folder
    candidates = [checkout.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    tried = " or ".join(str(c) for c in dict.fromkeys(candidates))
    raise WebqaError(
        f"No benchmark data found at {tried}. Set {DATA_DIR_ENV} or pass --data-dir with the folder that holds "
        "hotpotqa/, squad/, musique/ and inscit/."
    )
