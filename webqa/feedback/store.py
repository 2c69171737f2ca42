"""The feedback file: JSONL, one judgement a line, only ever appended to.

Appends take an exclusive lock and are flushed to disk, so two browser tabs (or two UI servers) can rate at
once and a crash loses at most the line being written. A torn last line left by such a crash is skipped
when reading, and cut off by the next append."""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from webqa.config import Settings, user_data_file
from webqa.errors import WebqaError
from webqa.feedback.records import FEEDBACK_RECORD, ComparisonChoice, Edit, Rating

Judgement = Rating | Edit | ComparisonChoice
_PATH_HINT = "Set WEBQA_FEEDBACK_PATH to a writable file."


class FeedbackFileError(WebqaError):
    """A feedback file that cannot be read or written."""


@dataclass(frozen=True)
class FeedbackContents:
    records: list[Judgement]
    torn_last_line: bool  # a crash interrupted the last append; that line was skipped


def default_feedback_path(settings: Settings) -> Path:
    return user_data_file(settings.feedback_path, "feedback.jsonl")


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(default_feedback_path(settings))

    def add(self, record: Judgement) -> None:
        line = record.model_dump_json() + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+b") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                _end_last_line(handle)
                handle.write(line.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise FeedbackFileError(f"Cannot save feedback to {self.path} ({exc}). {_PATH_HINT}") from None

    def read(self) -> FeedbackContents:
        """Every record in the order given; a malformed line is an error that names it."""
        if not self.path.exists():
            return FeedbackContents([], False)
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise FeedbackFileError(f"Cannot read the feedback file {self.path} ({exc}).") from None
        lines = data.split(b"\n")
        torn = False
        records: list[Judgement] = []
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                records.append(FEEDBACK_RECORD.validate_json(raw))
            except ValidationError as exc:
                if number == len(lines) and not data.endswith(b"\n"):
                    torn = True  # the unfinished last append of a crashed process
                    continue
                raise FeedbackFileError(
                    f"{self.path}:{number}: not a feedback record ({_first_problem(exc)}). "
                    "Fix or delete that line; the other lines are kept."
                ) from None
        return FeedbackContents(records, torn)


def _end_last_line(handle: BinaryIO) -> None:
    """Make the file end with a whole line before appending: a last line without its newline is either a
    record typed by hand (it gets its newline) or what a crashed append left half-written (it is cut off,
    there being nothing in it to keep). Reads only that last line, not the whole file, on every append."""
    size = handle.seek(0, os.SEEK_END)
    if size == 0:
        return
    handle.seek(size - 1)
    if handle.read(1) == b"\n":
        return
    start = _last_line_start(handle, size)
    handle.seek(start)
    try:
        FEEDBACK_RECORD.validate_json(handle.read(size - start))
    except ValidationError:
        handle.truncate(start)
        handle.seek(start)
        return
    handle.write(b"\n")


def _last_line_start(handle: BinaryIO, size: int, block: int = 64 * 1024) -> int:
    """The offset just after the file's last newline (0 when it has none), read backwards a block at a time."""
    end = size
    while end > 0:
        begin = max(0, end - block)
        handle.seek(begin)
        newline = handle.read(end - begin).rfind(b"\n")
        if newline >= 0:
            return begin + newline + 1
        end = begin
    return 0


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]
