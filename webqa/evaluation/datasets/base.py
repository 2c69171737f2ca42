"""What every loader returns, where its files are found, and the strict readers the loaders share: a bad
dataset file is one clear error."""

from __future__ import annotations

import gzip
import json
import zlib
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


PACKAGED_DIR = Path(__file__).resolve().parents[2] / "data" / "benchmarks"  # webqa/data/benchmarks


@dataclass(frozen=True)
class Location:
    """Where a benchmark's files were found: all in the data folder, or all in the copies webqa ships."""

    origin: str  # "data dir" or "packaged"
    paths: tuple[Path, ...]  # one per file the dataset needs, in the order asked


def locate(data_dir: Path | None, files: tuple[Path, ...]) -> Location | None:
    """The data folder wins when it holds every file; else the packaged copies (gzipped, or as shipped);
    None when neither has them all. Never a mix: a set's questions and corpus come from one place."""
    if data_dir is not None:
        paths = tuple(data_dir / f for f in files)
        if all(p.is_file() for p in paths):
            return Location("data dir", paths)
    packaged = [_packaged(f) for f in files]
    if all(p is not None for p in packaged):
        return Location("packaged", tuple(p for p in packaged if p is not None))
    return None


def _packaged(relative: Path) -> Path | None:
    for candidate in (PACKAGED_DIR / relative, PACKAGED_DIR / f"{relative}.gz"):
        if candidate.is_file():
            return candidate
    return None


def require_files(data_dir: Path | None, dataset: str, files: tuple[Path, ...], hint: str = "") -> tuple[Path, ...]:
    """The dataset's files (see `locate`), or an error saying where to put them."""
    location = locate(data_dir, files)
    if location is not None:
        return location.paths
    names = " and ".join(f.name for f in files)
    hint = f" {hint}" if hint else ""
    if data_dir is not None:
        missing = [str(data_dir / f) for f in files if not (data_dir / f).is_file()]
        raise InputError(
            f"{dataset} data not found: {', '.join(missing)}.{hint} Put {names} there, or give the folder that "
            f"holds {files[0].parent}/ with --data-dir or WEBQA_EVAL_DATA_DIR."
        )
    raise InputError(
        f"{dataset} data not found: no benchmark data folder is set.{hint} Put {names} at "
        f"FOLDER/{files[0].parent}/ and pass --data-dir FOLDER (or set WEBQA_EVAL_DATA_DIR=FOLDER)."
    )


def read_text(path: Path) -> str:
    """A UTF-8 file, gunzipped first when its name ends in .gz (the packaged copies)."""
    try:
        if path.suffix == ".gz":
            return gzip.decompress(path.read_bytes()).decode("utf-8-sig")
        return path.read_text(encoding="utf-8-sig")
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"Cannot read {path} ({exc}). Is it a complete gzip file?") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text.") from None


def read_json(path: Path, text: str | None = None) -> Any:
    """A whole JSON file; malformed JSON names the file and the place."""
    try:
        return json.loads(read_text(path) if text is None else text)
    except ValueError as exc:
        raise InputError(f"{path} is not valid JSON ({exc}).") from None


def read_json_lines(path: Path) -> list[tuple[int, Any]]:
    """(line number, value) for every non-blank line of a JSONL file (gzipped or not); the first line that is
    not JSON raises, naming the file and the line."""
    rows = []
    for number, raw in enumerate(read_text(path).split("\n"), start=1):  # not splitlines(): U+2028 is in text
        if raw.strip():
            try:
                rows.append((number, json.loads(raw)))
            except ValueError as exc:
                raise InputError(f"{path} line {number}: not valid JSON ({exc}).") from None
    return rows


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
