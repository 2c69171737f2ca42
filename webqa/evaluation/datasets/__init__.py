"""Public benchmarks as closed corpora with gold question files, and where their data lives.

HotpotQA, SQuAD and MuSiQue ship with webqa (webqa/data/benchmarks, compressed, with their attribution);
a benchmark data folder that holds a set's files wins over the packaged copy: --data-dir, else
WEBQA_EVAL_DATA_DIR, else ../shared/data beside the project checkout or the current folder. INSCIT states
no licence, so it is never shipped: it is read in place from the data folder, for evaluation only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from webqa.errors import WebqaError
from webqa.evaluation.datasets.base import EvalSet, locate
from webqa.evaluation.datasets.question_file import load_question_file
from webqa.registry import DATASETS

DATA_DIR_ENV = "WEBQA_EVAL_DATA_DIR"

__all__ = ["DATASETS", "DatasetStatus", "EvalSet", "dataset_status", "find_data_dir", "load_dataset"]


def load_dataset(dataset: str, data_dir: Path | None = None) -> EvalSet:
    """A named benchmark, or a path to a gold question file (answered from an existing index)."""
    if dataset in DATASETS:
        loaded: EvalSet = DATASETS.get(dataset).load(find_data_dir(data_dir))
        return loaded
    path = Path(dataset)
    if path.suffix or path.exists() or os.sep in dataset:
        return load_question_file(path)
    raise WebqaError(
        f"Unknown dataset {dataset!r}: use one of {', '.join(DATASETS.names())}, or the path of a .jsonl question file "
        "with gold answers."
    )


def find_data_dir(explicit: Path | None = None) -> Path | None:
    """The folder holding hotpotqa/, squad/, musique/ and inscit/: the one given, else WEBQA_EVAL_DATA_DIR,
    else shared/data beside the project checkout or beside the current folder; None when there is none
    (the packaged copies then serve)."""
    if explicit is None and os.environ.get(DATA_DIR_ENV):
        explicit = Path(os.environ[DATA_DIR_ENV])
    if explicit is not None:
        if not explicit.is_dir():
            raise WebqaError(f"Benchmark data folder {explicit} does not exist. Give the folder that holds hotpotqa/.")
        return explicit
    for candidate in shared_data_candidates():
        if candidate.is_dir():
            return candidate
    return None


def shared_data_candidates() -> list[Path]:
    """Where the team's machines keep the benchmark data: shared/data beside the checkout or the current folder."""
    checkout = Path(__file__).resolve().parents[3]  # webqa/evaluation/datasets/ -> the project folder
    return list(dict.fromkeys([checkout.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]))


@dataclass(frozen=True)
class DatasetStatus:
    """What `webqa eval --list` shows for one benchmark."""

    name: str
    origin: str  # "packaged", "data dir" or "missing"
    paths: tuple[Path, ...]  # the files it reads (empty when missing)
    files: tuple[Path, ...]  # the files it needs, relative to a data folder
    data_dir: Path | None  # the data folder looked in, if any

    @property
    def available(self) -> bool:
        return self.origin != "missing"

    def where(self) -> str:
        """One line: the files read, or where to put the missing ones."""
        if self.available:
            return f"{self.origin}: {', '.join(str(p) for p in self.paths)}"
        if self.data_dir is not None:
            return f"missing: put {' and '.join(str(self.data_dir / f) for f in self.files)}"
        return (
            f"missing: put {' and '.join(str(f) for f in self.files)} in a folder FOLDER and pass --data-dir FOLDER "
            f"(or set {DATA_DIR_ENV})"
        )


def dataset_status(data_dir: Path | None = None) -> list[DatasetStatus]:
    """Each named benchmark: available or not, and from where (the same rule the loaders follow)."""
    folder = find_data_dir(data_dir)
    statuses = []
    for name in DATASETS.names():
        files = DATASETS.get(name).FILES
        location = locate(folder, files)
        origin, paths = ("missing", ()) if location is None else (location.origin, location.paths)
        statuses.append(DatasetStatus(name, origin, paths, files, folder))
    return statuses
