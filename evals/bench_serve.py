"""Load on `webqa serve`: the same questions asked by one client alone, then by 8 concurrent clients,
each phase against a server started for it (`webqa serve`, the installed command, on 127.0.0.1), so
that neither phase finds the other's searches, pages or vectors in the server's caches.

Run: make bench   (or: python -m evals.bench_serve [--questions N] [--clients C] [--workers W])
Reports answers per minute, p50/p95 latency and errors of each phase and their ratios, and checks that
nothing was lost: every question gets an answer in both phases, and the concurrent answers are compared
with the lone client's. Uses the default index (WEBQA_INDEX_DIR, WEBQA_DEFAULT_INDEX) and the embedded
models, as a user's server would; `make bench` builds the index first (a no-op when it is up to date)."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from webqa.metrics import percentiles

QUESTIONS = Path(__file__).parent / "questions" / "vital-factual.jsonl"


@dataclass(frozen=True)
class Asked:
    question: str
    seconds: float
    answer: str | None  # None: the request failed
    error: str | None


def ask(base_url: str, question: str, api_key: str) -> Asked:
    import openai  # the official client, as a user's program would call the server

    client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=600)
    started = time.perf_counter()
    try:
        completion = client.chat.completions.create(model="webqa", messages=[{"role": "user", "content": question}])
    except openai.APIError as exc:
        return Asked(question, time.perf_counter() - started, None, f"{type(exc).__name__}: {exc}")
    return Asked(question, time.perf_counter() - started, completion.choices[0].message.content, None)


def phase(base_url: str, questions: list[str], clients: int, api_key: str) -> tuple[list[Asked], float]:
    """Every question once, `clients` requests in flight at a time; the answers and the wall seconds."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        asked = list(pool.map(lambda q: ask(base_url, q, api_key), questions))
    return asked, time.perf_counter() - started


def figures(asked: list[Asked], seconds: float) -> dict[str, float]:
    latencies = [a.seconds for a in asked if a.error is None]
    p50, p95 = percentiles(latencies, 50, 95)
    return {
        "questions": len(asked),
        "answered": len(latencies),
        "errors": sum(a.error is not None for a in asked),
        "wall_s": round(seconds, 2),
        "answers_per_min": round(len(latencies) / seconds * 60, 1),
        "p50_s": round(p50, 2),
        "p95_s": round(p95, 2),
    }


def start_server(workers: int | None, api_key: str, log: Path) -> tuple[str, subprocess.Popen]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(Path(sys.executable).with_name("webqa")), "serve", "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    environment = {**os.environ, "WEBQA_API_KEY": api_key, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    process = subprocess.Popen(command, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # loading the index and the models
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"webqa serve exited with code {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return url, process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    sys.exit(f"webqa serve did not answer within 300 s:\n{log.read_text()}")


# Not among the questions asked: it warms the connection and the models, not any answer's caches.
WARM_UP = "What is the capital of France?"


def run_phase(questions: list[str], clients: int, workers: int | None, api_key: str) -> tuple[list[Asked], float]:
    """A fresh server, one warm-up question, then every question with `clients` in flight; stopped after."""
    log = Path(tempfile.mkdtemp(prefix="webqa-bench-serve-")) / "server.log"
    url, server = start_server(workers, api_key, log)
    try:
        base_url = f"{url}/v1"
        health = httpx.get(f"{url}/health").json()
        print(f"server: {health['workers']} workers, queue {health['queue_size']}; log {log}", file=sys.stderr)
        ask(base_url, WARM_UP, api_key)
        print(f"{clients} client(s), {len(questions)} questions...", file=sys.stderr)
        return phase(base_url, questions, clients, api_key)
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=24, help="Questions each phase asks (from vital-factual).")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent clients of the second phase.")
    parser.add_argument("--workers", type=int, default=None, help="The server's workers (default: its own choice).")
    args = parser.parse_args()

    pool = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    questions = [pool[i % len(pool)] for i in range(args.questions)]
    assert WARM_UP not in pool, "the warm-up question would warm one of the answers measured"
    api_key = "bench-" + os.urandom(8).hex()
    alone, alone_s = run_phase(questions, 1, args.workers, api_key)
    together, together_s = run_phase(questions, args.clients, args.workers, api_key)

    one, many = figures(alone, alone_s), figures(together, together_s)
    same = sum(a.answer == b.answer and a.answer is not None for a, b in zip(alone, together, strict=True))
    print(
        f"\n`webqa serve` under load ({len(questions)} questions per phase, a fresh server each, "
        "the default index, embedded models)\n"
    )
    print("| clients | answered | errors | answers/min | p50 s | p95 s | wall s |")
    print("|---|---|---|---|---|---|---|")
    for label, f in (("1", one), (str(args.clients), many)):
        print(
            f"| {label} | {f['answered']}/{f['questions']} | {f['errors']} | {f['answers_per_min']} | "
            f"{f['p50_s']} | {f['p95_s']} | {f['wall_s']} |"
        )
    ratio = many["answers_per_min"] / one["answers_per_min"] if one["answers_per_min"] else float("nan")
    print(f"\nthroughput {args.clients} clients / 1 client: {ratio:.2f}x")
    print(f"p50 latency ratio: {many['p50_s'] / one['p50_s']:.2f}x, p95: {many['p95_s'] / one['p95_s']:.2f}x")
    print(f"answers identical to the lone client's: {same}/{len(questions)}")
    for a in alone + together:
        if a.error:
            print(f"error: {a.question!r}: {a.error}")
    print(json.dumps({"one_client": one, "concurrent": many, "clients": args.clients, "identical": same}))
    if one["errors"] or many["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
