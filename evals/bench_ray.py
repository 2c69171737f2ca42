"""Ray against the local runs, on this machine, in the same run: the index build and the batch answers,
each locally and on a local Ray with 1 and 2 workers (the overhead ratio and the scaling figure), and the
parts that stay on one process however big the cluster: the index writer and the batch driver.

Run: make bench   (or: python -m evals.bench_ray [--documents N] [--questions N] [--quick])
One local Ray of 2 CPUs is started for the whole run (its start-up is reported on its own); each batch
runs in a fresh process, its models loaded once per worker, and is timed with that loading, which is what
a user waits for. The ratios are the figures that matter; absolute seconds depend on whatever else runs.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from webqa.config import Settings  # noqa: E402
from webqa.questions import QuestionItem  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "webqa" / "data" / "wikipedia-vital.jsonl.gz"
QUESTIONS = REPO / "evals" / "questions" / "vital-factual.jsonl"
INDEX = "bench-ray"
DRIVER_QUESTIONS = 2000  # instant answers: what the driver alone can read, order and write per second


def settings(index_dir: Path) -> Settings:
    return Settings(index_dir=index_dir, default_index=INDEX)


def instant_answer(item: QuestionItem) -> dict[str, Any]:
    return {"answer": f"answer to {item.question}", "abstained": False, "citations": [], "actions": []}


def instant_factory() -> Any:
    return instant_answer


def build_stage(name: str, corpus: Path, index_dir: Path, actors: int | None) -> dict[str, Any]:
    """One full build (a fresh index folder); actors None: the local build."""
    from webqa.distributed.ray_index import build_index_on_ray
    from webqa.index import build_index

    started = time.perf_counter()
    if actors is None:
        report = build_index(INDEX, [str(corpus)], settings(index_dir), progress=False)
    else:
        report = build_index_on_ray(INDEX, [str(corpus)], settings(index_dir), actors=actors, progress=False)
    seconds = time.perf_counter() - started
    print(f"  build {name}: {seconds:.1f} s, {report.chunks} chunks", file=sys.stderr)
    return {"seconds": seconds, "chunks": report.chunks, "stages": report.stage_seconds, "path": report.path}


def batch_stage(system: str, workers: int, index_dir: Path, questions: Path, answers: Path, address: str) -> dict:
    """One batch, in this (fresh) process: `system` local (a process pool when workers > 1) or ray."""
    import functools

    from webqa.batch import run_batch
    from webqa.distributed.ray_batch import ray_answer_lines
    from webqa.shared import answer_function

    factory = functools.partial(answer_function, settings(index_dir).model_dump(mode="json"))
    started = time.perf_counter()
    if system == "local":
        summary = run_batch(questions, answers, factory, workers=workers, progress=False)
    else:
        with ray_answer_lines(address, workers) as lines:
            summary = run_batch(questions, answers, factory, progress=False, answer_lines=lines)
    return {"seconds": time.perf_counter() - started, "questions": summary.total, "errors": summary.errors}


def measure_batch(system: str, workers: int, index_dir: Path, questions: Path, work: Path, address: str) -> dict:
    answers = work / f"{system}-{workers}.jsonl"
    command = [sys.executable, "-m", "evals.bench_ray", "--stage", system, "--workers", str(workers)]
    command += ["--index-dir", str(index_dir), "--questions-file", str(questions), "--answers", str(answers)]
    command += ["--address", address]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["answers"] = str(answers)
    print(f"  batch {system}, {workers} worker(s): {result['seconds']:.1f} s", file=sys.stderr)
    return result


def driver_ceiling(work: Path) -> dict[str, float]:
    """Questions per second with answers that cost nothing: the local writer alone, and the Ray driver
    (sending, reordering, writing) with 2 actors."""
    import ray

    from webqa.batch import run_batch
    from webqa.distributed.ray_batch import RayAnswerPool

    questions = work / "instant.txt"
    questions.write_text("".join(f"question {i}\n" for i in range(DRIVER_QUESTIONS)), encoding="utf-8")
    started = time.perf_counter()
    run_batch(questions, work / "instant-local.jsonl", instant_factory, progress=False)
    local = time.perf_counter() - started
    started = time.perf_counter()
    run_batch(
        questions, work / "instant-ray.jsonl", instant_factory, progress=False, answer_lines=RayAnswerPool(ray, 2)
    )
    remote = time.perf_counter() - started
    return {"local_writer_qps": DRIVER_QUESTIONS / local, "ray_driver_qps": DRIVER_QUESTIONS / remote}


def single_process_parts(work: Path) -> dict[str, float]:
    """The parts of a build one process does however many workers embed, on the whole bundled corpus:
    reading and hashing the sources, and writing the build (store, FAISS, BM25, manifest). The hashing
    embedder (384 dimensions, as MiniLM's) makes the embedding itself cost next to nothing here."""
    from webqa.index import build_index

    whole = Settings(index_dir=work / "whole", embedding_model="hashing:384")
    report = build_index(INDEX, [str(CORPUS)], whole, progress=False)
    return {
        "documents": report.documents,
        "chunks": report.chunks,
        "read_s": report.stage_seconds["read"],
        "write_s": report.stage_seconds["write"],
        "read_documents_per_s": report.documents / report.stage_seconds["read"],
        "write_chunks_per_s": report.chunks / report.stage_seconds["write"],
    }


def same_answers(first: str, second: str) -> tuple[int, int]:
    def records(path: str) -> list[dict]:
        rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
        return [{k: v for k, v in r.items() if k != "timings"} for r in rows]

    a, b = records(first), records(second)
    return sum(x == y for x, y in zip(a, b, strict=True)), len(a)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=600, help="Wikipedia summaries to index")
    parser.add_argument("--questions", type=int, default=20, help="factual questions per batch")
    parser.add_argument("--quick", action="store_true", help="150 documents, 6 questions: a smoke run")
    parser.add_argument("--out", type=Path, default=Path("evals/out/bench_ray.json"))
    parser.add_argument("--stage", choices=["local", "ray"], help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--questions-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--answers", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--address", help=argparse.SUPPRESS)
    parser.add_argument("--writer-only", action="store_true", help="only the single-process parts of a build")
    args = parser.parse_args()
    if args.writer_only:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(single_process_parts(Path(tmp)), indent=2))
        return 0
    if args.stage:
        result = batch_stage(args.stage, args.workers, args.index_dir, args.questions_file, args.answers, args.address)
        print(json.dumps(result))
        return 0
    documents, questions = (150, 6) if args.quick else (args.documents, args.questions)

    import ray

    # The workers, and the batch drivers started below, import this checkout (evals/ is not installed).
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    ray_start_s = time.perf_counter() - started
    address = ray.get_runtime_context().gcs_address
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            corpus = work / "corpus.jsonl"
            with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
                corpus.write_text("".join(itertools.islice(lines, documents)), encoding="utf-8")
            print(f"Ray benchmark: {documents} documents, {questions} questions, Ray started in {ray_start_s:.1f} s")
            builds = {
                "local": build_stage("local", corpus, work / "local", None),
                "ray_1_worker": build_stage("ray, 1 actor", corpus, work / "ray1", 1),
                "ray_2_workers": build_stage("ray, 2 actors", corpus, work / "ray2", 2),
            }
            question_file = work / "questions.jsonl"
            rows = QUESTIONS.read_text(encoding="utf-8").splitlines()[:questions]
            question_file.write_text("\n".join(rows) + "\n", encoding="utf-8")
            index_dir = work / "local"
            batches = {
                "local_1_worker": measure_batch("local", 1, index_dir, question_file, work, address),
                "local_2_workers": measure_batch("local", 2, index_dir, question_file, work, address),
                "ray_1_worker": measure_batch("ray", 1, index_dir, question_file, work, address),
                "ray_2_workers": measure_batch("ray", 2, index_dir, question_file, work, address),
            }
            identical, total = same_answers(batches["local_1_worker"]["answers"], batches["ray_2_workers"]["answers"])
            ceiling = driver_ceiling(work)
            whole = single_process_parts(work)
    finally:
        ray.shutdown()
    results = summarise(documents, questions, ray_start_s, builds, batches, ceiling, identical, total)
    results["single_process_whole_corpus"] = whole
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print_report(results)
    return 0


def summarise(documents, questions, ray_start_s, builds, batches, ceiling, identical, total) -> dict:  # noqa: ANN001
    chunks = builds["local"]["chunks"]
    write_s = builds["ray_2_workers"]["stages"]["write"]
    embed_1 = builds["ray_1_worker"]["stages"]["chunk_and_embed"]
    return {
        "documents": documents,
        "questions": questions,
        "ray_start_s": ray_start_s,
        "builds": builds,
        "batches": {k: {key: v for key, v in b.items() if key != "answers"} for k, b in batches.items()},
        "driver": ceiling,
        "answers_identical_local_vs_ray": f"{identical}/{total}",
        "per_worker": {
            "build_chunks_per_s": chunks / embed_1,
            "batch_questions_per_s": questions / batches["ray_1_worker"]["seconds"],
        },
        "single_process": {"index_write_s": write_s, "index_write_chunks_per_s": chunks / write_s},
        "ratios": {
            "build_local_vs_ray_2_workers_time": builds["ray_2_workers"]["seconds"] / builds["local"]["seconds"],
            "build_ray_2_vs_1_workers_throughput": builds["ray_1_worker"]["seconds"]
            / builds["ray_2_workers"]["seconds"],
            "batch_ray_2_workers_vs_local_2_workers_time": batches["ray_2_workers"]["seconds"]
            / batches["local_2_workers"]["seconds"],
            "batch_ray_1_worker_vs_local_1_worker_time": batches["ray_1_worker"]["seconds"]
            / batches["local_1_worker"]["seconds"],
            "batch_ray_2_vs_1_workers_throughput": batches["ray_1_worker"]["seconds"]
            / batches["ray_2_workers"]["seconds"],
        },
    }


def print_report(r: dict) -> None:
    print(
        f"\nRay benchmark: {r['documents']} documents, {r['questions']} questions; Ray start {r['ray_start_s']:.1f} s"
    )
    for name, build in r["builds"].items():
        stages = ", ".join(f"{k} {v:.2f} s" for k, v in build["stages"].items())
        print(f"  build {name:<14} {build['seconds']:6.1f} s  {build['chunks']} chunks  ({stages})")
    for name, batch in r["batches"].items():
        rate = batch["questions"] / batch["seconds"]
        print(f"  batch {name:<16} {batch['seconds']:6.1f} s  {rate:.2f} q/s  errors {batch['errors']}")
    print(f"  answers identical, local 1 worker vs Ray 2 workers: {r['answers_identical_local_vs_ray']}")
    print(
        f"  driver alone (instant answers, {DRIVER_QUESTIONS}): local writer "
        f"{r['driver']['local_writer_qps']:.0f} q/s, Ray driver with 2 actors {r['driver']['ray_driver_qps']:.0f} q/s"
    )
    print(
        f"  per worker: {r['per_worker']['build_chunks_per_s']:.1f} chunks/s embedded, "
        f"{r['per_worker']['batch_questions_per_s']:.2f} q/s answered (loading included)"
    )
    print(
        f"  index writer (one process): {r['single_process']['index_write_s']:.2f} s = "
        f"{r['single_process']['index_write_chunks_per_s']:.0f} chunks/s"
    )
    whole = r["single_process_whole_corpus"]
    print(
        f"  one process, whole corpus ({whole['documents']} documents, {whole['chunks']} chunks): reading and hashing "
        f"{whole['read_s']:.1f} s ({whole['read_documents_per_s']:.0f} docs/s), writing {whole['write_s']:.1f} s "
        f"({whole['write_chunks_per_s']:.0f} chunks/s)"
    )
    print("  ratios (same run):")
    for key, value in r["ratios"].items():
        print(f"    {key:<48} {value:.2f}x")


if __name__ == "__main__":
    raise SystemExit(main())
