"""Fake answerers for the batch tests. Module-level, so their factories pickle into 'spawn'ed workers."""

from __future__ import annotations

import os
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from webqa.batch import AnswerFn, run_batch
from webqa.questions import QuestionItem
from webqa.types import Answer

_factory_calls = 0  # per process: how many times the factory ran here


def make_fake(tag: str = "run", delay: float = 0.0, vary_delay: bool = False, log: str | None = None) -> AnswerFn:
    """An answer function that marks each record with `tag`, its process, and how often the factory ran.

    Questions containing "fail" raise; "unknowable" abstains. `vary_delay` makes every other item slow, so
    that a pool finishes them out of order. `log` gets one line per question answered (to count recomputes).
    """
    global _factory_calls
    _factory_calls += 1
    calls_at_creation = _factory_calls

    def answer(item: QuestionItem) -> dict[str, Any]:
        text = item.question or " / ".join(item.turns)
        slow = vary_delay and item.line % 2 == 1
        time.sleep(delay * (6 if slow else 1))
        if log is not None:
            with open(log, "a", encoding="utf-8") as file:
                file.write(item.id + "\n")
        if "fail" in text:
            raise ValueError(f"cannot answer {text!r}")
        record = Answer(question=text, answer=f"answer to {text}", abstained="unknowable" in text).to_record()
        if item.turns:
            record["question"] = None
            record["turns"] = [Answer(question=t, answer=f"answer to {t}").to_record() for t in item.turns]
        record.update(tag=tag, pid=os.getpid(), factory_calls=calls_at_creation, finished_at=time.time())
        record["threads"] = os.environ.get("OMP_NUM_THREADS")  # the worker's share of the cores
        record["gold"] = list(item.answers)
        return record

    return answer


def failing_factory() -> AnswerFn:
    raise RuntimeError("model file missing")


def returns_nan(item: QuestionItem) -> dict[str, Any]:
    return {"answer": "x", "timings": {"total_s": float("nan")}}


def nan_factory() -> AnswerFn:
    return returns_nan


def main() -> None:
    """`python -m tests.batch_fakes QUESTIONS OUT LOG`: a slow single-process run for the kill -9 test."""
    questions, out, log = sys.argv[1:4]
    run_batch(Path(questions), Path(out), partial(make_fake, tag="first", delay=0.1, log=log), progress=False)


if __name__ == "__main__":
    main()
