"""Question-answering speed on HotpotQA: per-question latency by phase, batch throughput with 1 and 2
workers, and peak memory, for webqa beside the naive-RAG baseline measured in the same run.

Run: make bench   (or: python -m evals.bench_qa [--questions N] [--quick])
Each batch runs in a fresh process, so its peak memory is its own; throughput counts model loading (each
worker loads the models once), which is what a user of `webqa batch` waits for. Figures that matter are
the ratios; absolute seconds depend on the machine and on whatever else runs on it."""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from webqa.config import Settings  # noqa: E402
from webqa.evaluation.datasets import find_data_dir, hotpotqa  # noqa: E402
from webqa.evaluation.gold import write_gold_file  # noqa: E402
from webqa.evaluation.runner import build_dataset_index  # noqa: E402
from webqa.metrics import percentiles  # noqa: E402

INDEX = "eval-hotpotqa"  # the index `webqa eval hotpotqa` builds: a second build costs nothing
PHASES = ("search_s", "open_s", "find_s", "quote_s", "answer_s")


def settings() -> Settings:
    return Settings(default_index=INDEX)


def run_stage(system: str, workers: int, questions: Path, answers: Path) -> dict[str, float]:
    """One batch in this (fresh) process: wall seconds and peak resident memory of it and its workers."""
    from webqa.batch import run_batch
    from webqa.evaluation.naive_rag import baseline_answer_function
    from webqa.shared import answer_function

    data = settings().model_dump(mode="json")
    factory = (
        functools.partial(answer_function, data)
        if system == "webqa"
        else functools.partial(baseline_answer_function, data, 3)
    )
    started = time.perf_counter()
    summary = run_batch(questions, answers, factory, workers=workers, progress=False)
    seconds = time.perf_counter() - started
    kib = 1024  # ru_maxrss is in KiB on Linux
    return {
        "seconds": seconds,
        "questions": summary.total,
        "errors": summary.errors,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib,
        "peak_worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib,
    }


# One CPU thread for llama.cpp and for torch in each process. By default each worker takes every core;
# two workers on two cores then fight (llama.cpp's threads spin while they wait), so the split is measured too.
ONE_THREAD = {"WEBQA_LLM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def measure(
    system: str, workers: int, questions: Path, work: Path, env: dict[str, str] | None = None
) -> tuple[dict[str, float], Path]:
    answers = work / f"{system}-w{workers}{'-t1' if env else ''}.jsonl"
    command = [sys.executable, "-m", "evals.bench_qa", "--stage", system, "--workers", str(workers)]
    command += ["--questions-file", str(questions), "--answers", str(answers)]
    print(f"  {system}, {workers} worker(s){', one thread each' if env else ''}...", file=sys.stderr)
    done = subprocess.run(command, check=True, capture_output=True, text=True, env={**os.environ, **(env or {})})
    return json.loads(done.stdout.strip().splitlines()[-1]), answers


def phase_latencies(answers: Path) -> dict[str, dict[str, float]]:
    records = [json.loads(line) for line in answers.read_text(encoding="utf-8").splitlines()]
    timings = [r["timings"] for r in records if not r.get("error")]
    result = {}
    for key in ("total_s", *PHASES):
        values = [t[key] for t in timings if key in t]
        if values:
            p50, p95 = percentiles(values, 50, 95)
            result[key] = {"p50": p50, "p95": p95, "mean": statistics.fmean(values)}
    total = sum(t["total_s"] for t in timings)
    for key in PHASES:
        if key in result:
            result[key]["share_of_total"] = sum(t.get(key, 0.0) for t in timings) / total
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=30, help="HotpotQA questions per batch")
    parser.add_argument("--quick", action="store_true", help="10 questions: a smoke run, noisy figures")
    parser.add_argument("--out", type=Path, default=Path("evals/out/bench_qa.json"))
    parser.add_argument("--stage", choices=["webqa", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--questions-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--answers", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.workers, args.questions_file, args.answers)))
        return 0

    count = 10 if args.quick else args.questions
    dataset = hotpotqa.load(find_data_dir())
    build_dataset_index(dataset, INDEX, settings(), progress=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        questions = write_gold_file(dataset.items[:count], work / "questions.jsonl")
        print(f"QA benchmark: {count} HotpotQA questions, index {INDEX}", file=sys.stderr)
        webqa_1, webqa_answers = measure("webqa", 1, questions, work)
        webqa_2, _ = measure("webqa", 2, questions, work)
        webqa_1_split, _ = measure("webqa", 1, questions, work, ONE_THREAD)
        webqa_2_split, _ = measure("webqa", 2, questions, work, ONE_THREAD)
        baseline_1, baseline_answers = measure("baseline", 1, questions, work)
        phases = {"webqa": phase_latencies(webqa_answers), "baseline": phase_latencies(baseline_answers)}
    results = {
        "questions": count,
        "batches": {
            "webqa_1_worker": webqa_1,
            "webqa_2_workers": webqa_2,
            "webqa_1_worker_1_thread": webqa_1_split,
            "webqa_2_workers_1_thread_each": webqa_2_split,
            "baseline_1_worker": baseline_1,
        },
        "phases": phases,
        "ratios": {
            "webqa_throughput_2_vs_1_workers": webqa_1["seconds"] / webqa_2["seconds"],
            "webqa_throughput_2_vs_1_workers_1_thread_each": webqa_1_split["seconds"] / webqa_2_split["seconds"],
            "webqa_throughput_2_workers_1_thread_each_vs_1_worker": webqa_1["seconds"] / webqa_2_split["seconds"],
            "webqa_vs_baseline_throughput": baseline_1["seconds"] / webqa_1["seconds"],
            "webqa_vs_baseline_p50_latency": phases["webqa"]["total_s"]["p50"] / phases["baseline"]["total_s"]["p50"],
            "webqa_vs_baseline_peak_memory": webqa_1["peak_rss_mb"] / baseline_1["peak_rss_mb"],
            "webqa_2_workers_vs_1_peak_memory": (webqa_2["peak_rss_mb"] + 2 * webqa_2["peak_worker_rss_mb"])
            / webqa_1["peak_rss_mb"],
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print_report(results)
    return 0


def print_report(r: dict) -> None:
    n = r["questions"]
    print(f"\nQA benchmark: {n} HotpotQA questions, embedded models, same index for both systems")
    for name, batch in r["batches"].items():
        # With workers, the largest child is a worker; without, some helper process the libraries start.
        child = f"; largest child process {batch['peak_worker_rss_mb']:.0f} MB" if batch["peak_worker_rss_mb"] else ""
        print(
            f"  {name:<30} {batch['seconds']:6.1f} s  {n / batch['seconds']:.2f} q/s (model loading included)  "
            f"peak RSS {batch['peak_rss_mb']:.0f} MB{child}  errors {batch['errors']}"
        )
    for system, phases in r["phases"].items():
        print(f"  {system} latency per question (s):")
        for key, value in phases.items():
            share = f"  {value['share_of_total']:.0%} of total" if "share_of_total" in value else ""
            print(f"    {key[:-2]:<8} p50 {value['p50']:6.3f}   p95 {value['p95']:6.3f}{share}")
    print("  ratios (same run):")
    for key, value in r["ratios"].items():
        print(f"    {key:<52} {value:.2f}x")


if __name__ == "__main__":
    raise SystemExit(main())
