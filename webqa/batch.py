"""Batch QA over a question file: one answers-JSONL line per input item, in input order, resumable.

The runner knows nothing about how answers are made: it receives a factory `make_answer_fn()` that builds an
answer function (loading models and indexes) once per process. With `workers > 1` the factory is sent to
'spawn'ed worker processes, so it must be picklable: a module-level function or a `functools.partial` of one;
and, as with any 'spawn' pool, a script that calls run_batch needs an `if __name__ == "__main__":` guard.

Crash safety: every line reaches the file in one `os.write` of the whole line, so a `kill -9` leaves at worst
a partial last line; a rerun truncates it, checks that the kept lines belong to this question file, and
answers only the items after them. Output is in input order, so resuming is skipping the first N items.

Identity: every line records `input_sha256`, a hash of its item's question or turns. A resume compares each
kept line with the item at its position: its id, and its hash, or, for lines written before the hash
existed, its "question" text (for a multi-turn line, the first turn). The first line that disagrees stops
the run before anything in the file changes; `restart=True` (`--restart`) empties the file and starts over.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from tqdm import tqdm

from webqa.batch_resume import empty_for_restart, input_sha256, resume_point
from webqa.errors import InputError, WebqaError
from webqa.questions import QuestionItem, read_questions

AnswerFn = Callable[[QuestionItem], dict]
"""Answers one item with one answers-JSONL record; the runner fills "id", "question" and "error"."""

IN_FLIGHT_PER_WORKER = 4  # enough queued work to keep a worker busy, few enough that memory stays flat
SYNC_INTERVAL_S = 0.2  # fsync at most this often: a kill -9 loses nothing written, a power cut ~this much


@dataclass
class BatchSummary:
    """What one run did. answered/errors/abstained count this run's lines; resumed lines are skipped_resumed."""

    total: int
    answered: int
    errors: int
    skipped_resumed: int
    resumed_errors: int  # error lines among the skipped ones: the answers file's state, not just this run's
    abstained: int
    seconds: float
    out: str


class Line(NamedTuple):
    """One output line, made where the question was answered, written by the runner alone."""

    text: str  # the JSON record and its "\n"
    failed: bool
    abstained: bool


Lines = Generator[Line, None, None]
LineSource = Callable[[list[QuestionItem], Callable[[], AnswerFn]], Lines]
"""Answers items into their lines, yielded in input order (a process pool, a Ray cluster...)."""


def run_batch(
    questions: Path,
    out: Path,
    make_answer_fn: Callable[[], AnswerFn],
    *,
    workers: int = 1,
    progress: bool = True,
    restart: bool = False,
    answer_lines: LineSource | None = None,
) -> BatchSummary:
    """Answer every item of `questions` into `out`, resuming after the lines `out` already holds (or, with
    `restart`, replacing them: only a file that is batch output is ever emptied). `answer_lines` runs the
    questions elsewhere (webqa.distributed.ray_batch) instead of here or in `workers` processes; reading,
    resuming and writing stay here either way."""
    started = time.perf_counter()
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    questions, out = Path(questions), Path(out)
    if out.is_dir():
        raise InputError(f"--out {out} is a folder. Give the path of a .jsonl file for the answers.")
    if out.exists() and questions.exists() and os.path.samefile(out, questions):
        raise InputError(f"--out {out} is the question file itself. Give another path for the answers.")
    items = read_questions(questions)
    try:
        if restart:
            empty_for_restart(out)
        done, resumed_errors = resume_point(out, questions, items)
        out.parent.mkdir(parents=True, exist_ok=True)
        writer = _LineWriter(out)
    except OSError as exc:
        raise InputError(f"Cannot write --out {out} ({exc.strerror or exc}). Give a writable file path.") from None
    remaining = items[done:]
    answered = errors = abstained = 0
    bar = tqdm(total=len(items), initial=done, unit="q", file=sys.stderr, disable=not progress, desc="batch")
    if answer_lines is not None:
        lines = answer_lines(remaining, make_answer_fn)
    elif workers > 1:
        lines = _answer_in_pool(remaining, make_answer_fn, workers)
    else:
        lines = _answer_in_process(remaining, make_answer_fn)
    try:
        for line in lines:
            writer.write(line.text)
            answered += not line.failed
            errors += line.failed
            abstained += line.abstained
            bar.set_postfix(answered=answered, errors=errors, refresh=False)
            bar.update(1)
    finally:
        lines.close()  # now, not at garbage collection: stops the pool's workers on Ctrl-C or a write error
        writer.close()
        bar.close()
    seconds = time.perf_counter() - started
    return BatchSummary(len(items), answered, errors, done, resumed_errors, abstained, seconds, str(out))


def _answer_in_process(items: list[QuestionItem], make_answer_fn: Callable[[], AnswerFn]) -> Lines:
    answer_fn: AnswerFn | None = None
    for item in items:
        if item.error is not None:
            yield input_error_line(item)
            continue
        if answer_fn is None:  # lazily, so a run with nothing left to answer loads no models
            answer_fn = make_answer_fn()
        yield answer_line(answer_fn, item)


def _answer_in_pool(items: list[QuestionItem], make_answer_fn: Callable[[], AnswerFn], workers: int) -> Lines:
    """Answers in input order from a process pool; a reorder buffer holds results that finish early."""
    workers = min(workers, sum(item.error is None for item in items))
    if workers == 0:
        yield from (input_error_line(item) for item in items)
        return
    try:
        pickle.dumps(make_answer_fn)
    except Exception as exc:
        raise TypeError(
            "make_answer_fn must be picklable to run with workers > 1 (a module-level function or a "
            f"functools.partial of one): {exc}"
        ) from exc
    # 'spawn', never fork: a forked child would inherit the parent's llama.cpp/torch threads and locks.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(make_answer_fn, os.getpid(), max(1, (os.cpu_count() or 1) // workers)),
    )
    pending: dict[Future[Line], int] = {}
    ready: dict[int, Line] = {}
    submitted = written = 0
    finished = False
    try:
        while written < len(items):
            # Submitted-but-unwritten items are bounded, so the reorder buffer is too.
            while submitted < len(items) and submitted - written < workers * IN_FLIGHT_PER_WORKER:
                item = items[submitted]
                if item.error is not None:
                    ready[submitted] = input_error_line(item)
                else:
                    pending[pool.submit(_answer_in_worker, item)] = submitted
                submitted += 1
            if written in ready:
                yield ready.pop(written)
                written += 1
                continue
            for future in wait(pending, return_when=FIRST_COMPLETED).done:
                ready[pending.pop(future)] = future.result()  # raises only for a failed worker, not a question
        finished = True
    except BrokenProcessPool as exc:
        raise WebqaError(
            f"A worker process died ({exc}), perhaps out of memory or a crash in native code. The answers so "
            "far are saved: run the same command again to resume, with fewer workers if memory is short."
        ) from None
    finally:
        if not finished:
            # Workers ignore Ctrl-C (the parent handles it) and a question can take minutes: end them now
            # rather than let shutdown wait for their current question. No public API for this in 3.11.
            processes: dict[int, Any] = getattr(pool, "_processes", None) or {}
            for process in list(processes.values()):
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


_worker_answer_fn: AnswerFn | None = None
_worker_setup_error: Exception | None = None


def _init_worker(make_answer_fn: Callable[[], AnswerFn], parent_pid: int, threads: int) -> None:
    """Runs once per worker process: this is where models load, once per process, not per question."""
    global _worker_answer_fn, _worker_setup_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _share_cores(threads)
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    try:
        _worker_answer_fn = make_answer_fn()
    except Exception as exc:
        # Raised from every task instead of here: an initializer failure only says "pool broken".
        _worker_setup_error = exc


def _share_cores(threads: int) -> None:
    """Give each worker its share of the cores. Left alone, llama.cpp and torch each size their thread pools
    to the whole machine in every worker: two workers on two cores ran 4x slower than one (evals/RESULTS.md).
    OMP_NUM_THREADS is what torch, BLAS and webqa's llama.cpp loader read; a value the user set is kept."""
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    torch = sys.modules.get("torch")  # already imported while unpickling the answer function: too late for the variable
    if torch is not None:
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def _exit_when_orphaned(parent_pid: int) -> None:
    # After a kill -9 of the runner its workers would wait forever on their task queue, holding models.
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(1)


def _answer_in_worker(item: QuestionItem) -> Line:
    if _worker_setup_error is not None:
        raise _worker_setup_error
    assert _worker_answer_fn is not None, "worker used without _init_worker"
    return answer_line(_worker_answer_fn, item)


def answer_line(answer_fn: AnswerFn, item: QuestionItem) -> Line:
    """One item's output line. Any Exception from the answerer becomes that line's error; the run goes on."""
    started = time.perf_counter()
    try:
        record = answer_fn(item)
        if not isinstance(record, dict):
            raise TypeError(f"the answer function returned {type(record).__name__}, not a dict")
        record = dict(record)
        record["id"] = item.id  # always the input's id: resume matches output lines to items by it
        record["input_sha256"] = input_sha256(item)  # and by this: ids like "line-3" match any file
        record.setdefault("question", item.question)
        record.setdefault("error", None)
        # allow_nan=False: NaN is not JSON, and jq or pandas would choke on the whole file
        text = json.dumps(record, ensure_ascii=False, allow_nan=False)
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        record = _error_record(item, message, time.perf_counter() - started)
        text = json.dumps(record, ensure_ascii=False)
    return Line(text + "\n", record["error"] is not None, record.get("abstained") is True)


def input_error_line(item: QuestionItem) -> Line:
    assert item.error is not None
    return error_line(item, item.error)


def error_line(item: QuestionItem, error: str, seconds: float = 0.0) -> Line:
    """The line of an item that could not be answered, saying why."""
    return Line(json.dumps(_error_record(item, error, seconds), ensure_ascii=False) + "\n", True, False)


def _error_record(item: QuestionItem, error: str, seconds: float) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": item.id,
        "question": item.question,
        "answer": "",
        "short_answer": "",
        "abstained": False,
        "citations": [],
        "actions": [],
        "timings": {"total_s": round(seconds, 3)},
        "error": error,
        "input_sha256": input_sha256(item),
    }
    if item.turns:
        record["turns"] = []
    return record


class _LineWriter:
    """Appends whole lines with one os.write each (no userspace buffer to lose), fsyncing every ~0.2 s."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._last_sync = time.monotonic()

    def write(self, text: str) -> None:
        data = memoryview(text.encode("utf-8"))
        while data:  # a regular file writes all at once; the loop only matters on a full disk
            data = data[os.write(self._fd, data) :]
        if time.monotonic() - self._last_sync >= SYNC_INTERVAL_S:
            os.fsync(self._fd)
            self._last_sync = time.monotonic()

    def close(self) -> None:
        try:
            os.fsync(self._fd)
        finally:
            os.close(self._fd)
