"""One evaluation run: the dataset's index built (or reused), batch answers from webqa and optionally the
naive-RAG baseline, every answer scored, and the report written into the run folder.

A run folder holds questions.jsonl (the gold question file of this run), answers.jsonl, baseline.jsonl,
run.json (what shaped the answers) and the report. Running the same command again resumes the answers
where they stopped (the batch runner's resume); a larger --limit answers only the new questions; other
settings in the same folder are refused, since mixing their answers would score neither."""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from webqa import __version__
from webqa.config import Settings
from webqa.errors import InputError
from webqa.evaluation.datasets import EvalSet, load_dataset
from webqa.evaluation.datasets.base import corpus_jsonl
from webqa.evaluation.gold import GoldItem, limited, write_gold_file
from webqa.evaluation.scoring import QuestionScore, score_run, summarise
from webqa.evaluation.unanswerable import with_unanswerable
from webqa.jsonl import write_atomically

DEFAULT_RUNS_DIR = Path("evals") / "runs"
# Settings that cannot change what an answer is; a run folder may be resumed with other values of them.
_NEUTRAL_SETTINGS = {
    "index_dir",
    "conversations_path",
    "feedback_path",
    "compare_temperature",  # the browser chat's comparisons only
    "embedding_batch_size",
    "embedding_cache_dir",  # where ONNX exports are cached, not which
    "llm_threads",
    "page_cache_size",
    # Secrets: never written into run.json (nor compared, so an old run.json holding one resumes).
    "api_key",
    "openai_api_key",
    "brave_api_key",
    "tavily_api_key",
    # `webqa serve` only.
    "serve_workers",
    "serve_queue",
    "serve_timeout_s",
    "serve_max_body_bytes",
    "serve_conversations",
    "serve_replay_turns",
}


@dataclass(frozen=True)
class EvalRequest:
    dataset: str  # a benchmark name or a gold question file
    limit: int | None = None
    index: str | None = None  # answer from this index instead of the dataset's own
    out: Path | None = None
    baseline: bool = False
    baseline_k: int = 3
    workers: int = 1
    ray: str | None = None  # answer on Ray: "local" or a cluster's address (webqa.distributed.cluster)
    ray_actors: int | None = None  # with ray: how many actors (default: one per CPU of the cluster)
    data_dir: Path | None = None
    progress: bool = True
    command: str = ""  # as typed, for the report
    unanswerable_share: float | None = None  # leave out the gold documents of this share of the questions


@dataclass(frozen=True)
class SystemRun:
    name: str  # "webqa" or "baseline"
    summary: dict[str, Any]
    scores: list[QuestionScore]
    wall_s: float  # this invocation's batch time, model loading included; 0 when every answer was reused


@dataclass(frozen=True)
class EvalRun:
    out: Path
    info: dict[str, Any]
    systems: list[SystemRun]


def default_out(dataset: EvalSet, settings: Settings, index: str | None) -> Path:
    suffix = f"-{index}" if index else ""
    sampled = f"-best-of-{settings.best_of}" if settings.best_of > 1 else ""
    return DEFAULT_RUNS_DIR / f"{dataset.name}-{settings.policy}-{settings.answer_mode}{sampled}{suffix}"


def run_eval(request: EvalRequest, settings: Settings) -> EvalRun:
    from webqa.answer.support import OverlapSupport
    from webqa.index import open_index

    dataset = load_dataset(request.dataset, request.data_dir)  # first: a bad file fails before any work
    items = limited(dataset.items, request.limit)
    total = len(dataset.items)
    construction = None
    if request.unanswerable_share is not None:
        construction = with_unanswerable(dataset, items, request.unanswerable_share)
        dataset, items = construction.dataset, construction.dataset.items
    out = request.out or default_out(dataset, settings, request.index)
    index_name = request.index or (f"eval-{dataset.name}" if dataset.documents is not None else settings.default_index)
    settings = settings.model_copy(update={"default_index": index_name})
    _claim_run_folder(out, _run_config(dataset, index_name, settings, request))

    if request.index is None and dataset.documents is not None:
        build_dataset_index(dataset, index_name, settings, request.progress)
    index = open_index(index_name, settings)  # now: a missing index fails before any question is asked
    questions = write_gold_file(items, out / "questions.jsonl")
    data = settings.model_dump(mode="json")
    systems: list[tuple[str, Path, Callable[[], Any]]] = [("webqa", out / "answers.jsonl", _webqa_factory(data))]
    if request.baseline:
        systems.append(("baseline", out / "baseline.jsonl", _baseline_factory(data, request.baseline_k)))

    try:
        answered = [(name, path, _answer(questions, path, factory, items, request)) for name, path, factory in systems]
        checker = OverlapSupport(index.embedder())  # the answerer's own checker: see webqa.evaluation.citations
        runs = []
        for name, path, wall_s in answered:
            scores = score_run(items, read_answers(path, items), checker)
            runs.append(SystemRun(name, summarise(scores), scores, wall_s))
    finally:
        index.close()
    info = {
        "dataset": dataset.name,
        "source": dataset.source,
        "corpus": dataset.corpus_note,
        "index": index_name,
        "items": len(items),
        "of_items": total,
        "unanswerable_share": request.unanswerable_share,
        "command": request.command,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "webqa_version": __version__,
        "settings": {
            key: data[key]
            for key in ("llm", "embedding_model", "policy", "answer_mode", "short_answer_scoring", "search_backend")
        },
        "baseline_k": request.baseline_k if request.baseline else None,
    }
    return EvalRun(out, info, runs)


def _webqa_factory(settings_data: dict[str, Any]) -> Callable[[], Any]:
    from webqa.shared import answer_function

    return functools.partial(answer_function, settings_data)


def _baseline_factory(settings_data: dict[str, Any], k: int) -> Callable[[], Any]:
    from webqa.evaluation.naive_rag import baseline_answer_function

    return functools.partial(baseline_answer_function, settings_data, k)


def _run_config(dataset: EvalSet, index: str, settings: Settings, request: EvalRequest) -> dict[str, Any]:
    shaping = {k: v for k, v in settings.model_dump(mode="json").items() if k not in _NEUTRAL_SETTINGS}
    return {
        "dataset": dataset.name,
        "source": dataset.source,
        "index": index,
        "baseline_k": request.baseline_k,
        "settings": shaping,
    }


def _claim_run_folder(out: Path, config: dict[str, Any]) -> None:
    """Record what shapes this folder's answers; refuse a folder whose answers were made otherwise."""
    path = out / "run.json"
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file. Give a folder for the run.")
    if path.is_file():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            previous = None
        changed = _differences(previous, config)
        if changed:
            raise InputError(
                f"{out} holds a run made with other settings ({changed}). "
                "Give another --out folder, or remove this one to start over."
            )
        return
    if (out / "answers.jsonl").exists():
        raise InputError(f"{out} holds answers but no run.json. Give another --out folder.")
    write_atomically(path, json.dumps(config, indent=2, sort_keys=True) + "\n")


# Settings added later whose default changed what an answer is: the value a run made before them had.
_BEFORE_THEY_EXISTED = {"embedded_llm_weights": "packaged"}


def _differences(previous: object, config: dict[str, Any]) -> str:
    """What differs, as a message; empty when nothing does. A key the folder's run.json lacks is a setting
    added to webqa after that run, which cannot have shaped its answers: it is not a difference, unless
    _BEFORE_THEY_EXISTED says how webqa behaved before it."""
    if not isinstance(previous, dict) or not isinstance(previous.get("settings"), dict):
        return "its run.json is unreadable"
    old = {**_BEFORE_THEY_EXISTED, **{k: v for k, v in previous.items() if k != "settings"}, **previous["settings"]}
    new = {**{k: v for k, v in config.items() if k != "settings"}, **config["settings"]}
    changed = sorted(k for k in old if k not in _NEUTRAL_SETTINGS and old[k] != new.get(k))
    return ", ".join(f"{k}: {old[k]!r} then, {new.get(k)!r} now" for k in changed[:4])


def build_dataset_index(dataset: EvalSet, name: str, settings: Settings, progress: bool) -> None:
    """The closed corpus written beside the indexes (not into the project: some sets may not be shipped)
    and indexed; the builder embeds only what changed, so a second run costs a second or two."""
    from webqa.index import build_index

    assert dataset.documents is not None
    corpus = settings.index_dir / "eval-corpora" / f"{dataset.name}.jsonl"
    text = corpus_jsonl(dataset.documents)
    if not corpus.is_file() or corpus.read_text(encoding="utf-8") != text:
        write_atomically(corpus, text)
    report = build_index(name, [str(corpus)], settings, progress=progress)
    if report.full_rebuild_reason:  # minutes, not seconds: say why, as `webqa index build` does
        print(f"index {name}: re-embedded everything: {report.full_rebuild_reason}", file=sys.stderr)


def _answer(
    questions: Path, answers: Path, factory: Callable[[], Any], items: list[GoldItem], request: EvalRequest
) -> float:
    """Batch answers for the items; a file that already answers them all (a smaller --limit than before)
    is kept as it is. Returns this call's wall time."""
    from webqa.batch import run_batch

    if _answered_prefix(answers, items) >= len(items):
        return 0.0
    started = time.perf_counter()
    if request.ray is None:
        run_batch(questions, answers, factory, workers=request.workers, progress=request.progress)
    else:
        from webqa.distributed.ray_batch import ray_answer_lines

        with ray_answer_lines(request.ray, request.ray_actors) as lines:
            run_batch(questions, answers, factory, progress=request.progress, answer_lines=lines)
    return round(time.perf_counter() - started, 1)


def _answered_prefix(path: Path, items: list[GoldItem]) -> int:
    """How many of the items the answers file answers, in order, on complete lines."""
    if not path.is_file():
        return 0
    count = 0
    with open(path, encoding="utf-8") as lines:
        for raw in lines:
            if count >= len(items) or not raw.endswith("\n"):
                break
            try:
                record = json.loads(raw)
            except ValueError:
                break
            if not isinstance(record, dict) or record.get("id") != items[count].id:
                break
            count += 1
    return count


def read_answers(path: Path, items: list[GoldItem]) -> dict[str, dict[str, Any]]:
    """The answer records of the items, by id (the file may answer more: an earlier, larger --limit)."""
    wanted = {item.id for item in items}
    records: dict[str, dict[str, Any]] = {}
    with open(path, encoding="utf-8") as lines:
        for raw in lines:
            record = json.loads(raw)
            if record.get("id") in wanted:
                records[record["id"]] = record
    missing = wanted - records.keys()
    if missing:
        raise InputError(f"{path} lacks answers for {len(missing)} questions (e.g. {sorted(missing)[0]!r}).")
    return records
