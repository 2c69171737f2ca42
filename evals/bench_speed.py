"""Start-up and answer speed, today's path against the new one in the same run (issue 18's table).

Run: make bench   (or: python -m evals.bench_speed [--runs 3] [--questions 100] [--baseline-src DIR
     [--baseline-on-new-indexes]])

"Today" is the PyTorch embedding backend on a PyTorch-built index; with --baseline-src it is another
checkout of webqa (e.g. `git archive` of the commit before this work, unpacked), run the same way, so the
CLI's old imports are in the baseline too. "New" is the default settings (onnx-int8) on an int8-built copy
of the same index, and the ONNX fp32 query path on the PyTorch-built index (an index not yet rebuilt).
Every command runs as a fresh process; peak memory is each process's own (wait4). The indexes are built
under evals/out/bench_speed/ once (later runs find them up to date).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "evals" / "out" / "bench_speed"
QUESTION = "Who developed the theory of general relativity?"
SEARCH = "who developed general relativity"
HOTPOT_INDEX = "eval-hotpotqa"
KIB = 1024
NOT_REBUILT = "new, index not rebuilt"


# Runs the measured command as its own child and writes that child's wall seconds and peak RSS (KiB) to
# the file named by argv[1] (timed here, so the launcher's own start-up is not counted). A process forked
# straight from this benchmark counts the benchmark's own pages until it execs (Linux keeps ru_maxrss
# across exec), which after the in-process index builds is gigabytes; forked from this small launcher,
# the command's figure is its own.
_LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{time.perf_counter() - started} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_process(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and stdout of one fresh process. `cwd` matters: `python -c` puts the
    working folder first on sys.path, so it must be the source tree being measured."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, tempfile.TemporaryDirectory() as tmp:
        measured = Path(tmp) / "measured"
        child = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, str(measured), *argv], env=env, cwd=cwd, stdout=out, stderr=err
        )
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[-4:])} failed ({child.returncode}): {err.read().strip()[-800:]}")
        seconds, rss = measured.read_text().split()
        return float(seconds), int(rss) / KIB, out.read()


class System:
    """One way of running webqa: which source tree, which settings, which index folder."""

    def __init__(self, label: str, src: Path, index_dir: Path, settings: dict[str, str]) -> None:
        self.label, self.src, self.index_dir, self.settings = label, src, index_dir, settings

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WEBQA_")}
        env.update({"PYTHONPATH": str(self.src), "WEBQA_INDEX_DIR": str(self.index_dir), **self.settings})
        env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
        return env

    def cli(self, *args: str) -> list[str]:
        return [sys.executable, "-c", "from webqa.cli import run; run()", *args]


def cold(system: System, args: list[str], runs: int) -> dict[str, float]:
    seconds, rss = [], []
    for _ in range(runs):
        wall, peak, _ = run_process(system.cli(*args), system.env(), system.src)
        seconds.append(wall)
        rss.append(peak)
    return {"p50_s": statistics.median(seconds), "min_s": min(seconds), "peak_rss_mb": max(rss)}


def warm(system: System, questions: Path, out: Path) -> dict[str, float]:
    """Every question in one process after one warm-up question; per-question wall seconds."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--stage", "warm", "--questions-file", str(questions)]
    argv += ["--answers", str(out)]
    env = {**system.env(), "WEBQA_DEFAULT_INDEX": HOTPOT_INDEX}
    _, _, stdout = run_process(argv, env, system.src)
    measured = json.loads(stdout.strip().splitlines()[-1])
    times = measured["seconds"]
    ordered = sorted(times)
    phases = {f"{phase}_p50_s": statistics.median(values) for phase, values in measured["phases"].items()}
    return {
        "p50_s": statistics.median(times),
        "p95_s": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "questions": len(times),
        **phases,
    }


def batch(system: System, questions: Path, out: Path) -> dict[str, float]:
    """`webqa batch` in a fresh process, start-up included: what a user of it waits for."""
    out.unlink(missing_ok=True)
    env = {**system.env(), "WEBQA_DEFAULT_INDEX": HOTPOT_INDEX}
    seconds, rss, _ = run_process(system.cli("batch", str(questions), "--out", str(out)), env, system.src)
    count = sum(1 for _ in out.open(encoding="utf-8"))
    return {"seconds": seconds, "per_min": 60 * count / seconds, "peak_rss_mb": rss}


def warm_stage(questions: Path, answers: Path) -> None:
    """Runs inside the measured process, with whichever webqa its PYTHONPATH names."""
    from webqa.assistant import Assistant
    from webqa.config import load_settings

    items = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines()]
    assistant = Assistant(load_settings())
    assistant.ask(items[0]["question"])  # warm-up: models loaded, caches filled
    seconds, records = [], []
    phases: dict[str, list[float]] = {"browse": [], "answer": []}
    for item in items:
        started = time.perf_counter()
        answer = assistant.ask(item["question"])
        seconds.append(time.perf_counter() - started)
        for phase, values in phases.items():  # the answer's own timings: browsing, then answering
            values.append(answer.timings[f"{phase}_s"])
        records.append({"id": item.get("id"), "short_answer": answer.short_answer, "abstained": answer.abstained})
    answers.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    print(json.dumps({"seconds": seconds, "phases": phases}))


def same_answers(first: Path, second: Path) -> tuple[int, int]:
    a = [json.loads(line) for line in first.read_text(encoding="utf-8").splitlines()]
    b = [json.loads(line) for line in second.read_text(encoding="utf-8").splitlines()]
    same = sum(
        1
        for x, y in zip(a, b, strict=True)
        if (x["short_answer"], x["abstained"]) == (y["short_answer"], y["abstained"])
    )
    return same, len(a)


def prepare_indexes(questions: int, backends: tuple[str, ...]) -> tuple[dict[str, Path], Path]:
    """Default index and HotpotQA index built with PyTorch (today) and, unless told not to, onnx-int8."""
    sys.path.insert(0, str(REPO))
    from webqa.config import Settings
    from webqa.evaluation.datasets import find_data_dir, hotpotqa
    from webqa.evaluation.gold import write_gold_file
    from webqa.evaluation.runner import build_dataset_index
    from webqa.index import build_index
    from webqa.index.definitions import resolve_sources

    dataset = hotpotqa.load(find_data_dir())
    folders = {}
    for backend in backends:
        settings = Settings(index_dir=WORK / f"indexes-{backend}", embedding_backend=backend)
        corpus = REPO / "webqa" / "data" / "wikipedia-vital.jsonl.gz"
        print(f"  indexes with {backend} (built once, then up to date)...", file=sys.stderr)
        build_index("wikipedia-vital", resolve_sources("wikipedia-vital", [str(corpus)], settings), settings)
        build_dataset_index(dataset, HOTPOT_INDEX, settings, progress=True)
        folders[backend] = settings.index_dir
    questions_file = write_gold_file(dataset.items[:questions], WORK / "hotpotqa-questions.jsonl")
    return folders, questions_file


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per cold command (median)")
    parser.add_argument("--questions", type=int, default=100, help="HotpotQA dev questions, warm and batch")
    parser.add_argument("--baseline-src", type=Path, help="another webqa source tree to run as 'today'")
    parser.add_argument("--out", type=Path, default=Path("evals/out/bench_speed.json"))
    parser.add_argument(
        "--not-rebuilt-only",
        action="store_true",
        help="measure the new path on the PyTorch-built indexes only (no int8 builds: quicker)",
    )
    parser.add_argument(
        "--baseline-on-new-indexes",
        action="store_true",
        help="run --baseline-src on the int8-built indexes too: a change after issue 18's index work, measured alone",
    )
    parser.add_argument("--stage", choices=["warm"], help=argparse.SUPPRESS)
    parser.add_argument("--questions-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--answers", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage == "warm":
        warm_stage(args.questions_file, args.answers)
        return 0

    backends = ("torch",) if args.not_rebuilt_only else ("torch", "onnx-int8")
    folders, questions = prepare_indexes(args.questions, backends)
    torch_dir = folders["torch"]
    if args.baseline_on_new_indexes and (args.not_rebuilt_only or not args.baseline_src):
        parser.error("--baseline-on-new-indexes needs --baseline-src and the int8 indexes")
    if args.baseline_src:
        baseline_dir = folders["onnx-int8"] if args.baseline_on_new_indexes else torch_dir
        today = System("today", args.baseline_src.resolve(), baseline_dir, {})
    else:
        today = System("today", REPO, torch_dir, {"WEBQA_EMBEDDING_BACKEND": "torch"})
    upgraded = System(NOT_REBUILT, REPO, torch_dir, {})
    # The new path on indexes rebuilt with int8, or (--not-rebuilt-only) on the PyTorch-built ones, which it
    # queries with the fp32 ONNX export.
    new = System("new", REPO, folders.get("onnx-int8", torch_dir), {})
    systems = [today, new] if args.not_rebuilt_only else [today, new, upgraded]
    results: dict[str, dict] = {s.label: {} for s in systems}
    print(f"  {args.questions} HotpotQA questions for the warm and batch runs", file=sys.stderr)
    commands = {
        "help": ["--help"],
        "index_list": ["index", "list"],
        "search": ["index", "search", "wikipedia-vital", SEARCH],
        "ask": ["ask", QUESTION],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)

    def save(label: str, key: str, value: dict) -> None:
        """Each figure is written as soon as it is measured: a long run stopped midway keeps what it has."""
        results[label][key] = value
        args.out.write_text(json.dumps(results, indent=2))
        print(f"  {label}: {key} {json.dumps(value)}", file=sys.stderr)

    for name, command in commands.items():
        for system in systems:
            save(system.label, f"cold_{name}", cold(system, command, args.runs))
    for system in (today, new):
        save(system.label, "warm_ask", warm(system, questions, WORK / f"warm-{system.label}.jsonl"))
        save(system.label, "batch", batch(system, questions, WORK / f"batch-{system.label}.jsonl"))
    same, total = same_answers(WORK / "warm-today.jsonl", WORK / "warm-new.jsonl")
    results["same_short_answers"] = {"same": same, "of": total}
    args.out.write_text(json.dumps(results, indent=2))
    print_report(results, args)
    return 0


def print_report(r: dict, args: argparse.Namespace) -> None:
    today, new = r["today"], r["new"]
    upgraded = r.get(NOT_REBUILT)
    baseline = f"source {args.baseline_src}" if args.baseline_src else "embedding_backend=torch, same source"
    if args.baseline_on_new_indexes:
        baseline += ", on the int8-built indexes"
    print(f"\nSpeed benchmark (issue 18), today = {baseline}; median of {args.runs} fresh processes")
    if upgraded is None:
        print("  new = default settings on the PyTorch-built indexes (queries by the fp32 ONNX export)")
    print(f"  {'measure':<34} {'today':>9} {'new':>9} {'ratio':>7}  {'not rebuilt':>11}  target")
    rows = [
        ("webqa --help, s", "cold_help", "p50_s", "<= 0.5"),
        ("webqa index list, s", "cold_index_list", "p50_s", "<= 0.5"),
        ("webqa index search, cold p50 s", "cold_search", "p50_s", "<= 1.0"),
        ("webqa ask, cold p50 s", "cold_ask", "p50_s", "<= 3"),
    ]
    for label, key, field, target in rows:
        a, b = today[key][field], new[key][field]
        c = f"{upgraded[key][field]:11.2f}" if upgraded else f"{'':11}"
        print(f"  {label:<34} {a:9.2f} {b:9.2f} {a / b:6.2f}x  {c}  {target}")
    a, b = today["cold_ask"]["peak_rss_mb"], new["cold_ask"]["peak_rss_mb"]
    print(f"  {'webqa ask peak RSS, MB':<34} {a:9.0f} {b:9.0f} {a / b:6.2f}x  {'':11}  <= 600")
    for field, target in (("p50_s", "<= 0.6"), ("p95_s", "<= 1.0")):
        a, b = today["warm_ask"][field], new["warm_ask"][field]
        print(f"  {'ask warm ' + field[:3] + ' s (HotpotQA)':<34} {a:9.2f} {b:9.2f} {a / b:6.2f}x  {'':11}  {target}")
    for phase in ("browse", "answer"):
        a, b = today["warm_ask"][f"{phase}_p50_s"], new["warm_ask"][f"{phase}_p50_s"]
        print(f"  {'  of which ' + phase + ' p50 s':<34} {a:9.2f} {b:9.2f} {a / b:6.2f}x")
    a, b = today["batch"]["per_min"], new["batch"]["per_min"]
    print(f"  {'batch questions/min incl. start-up':<34} {a:9.1f} {b:9.1f} {b / a:6.2f}x  {'':11}  >= 120")
    a, b = today["batch"]["peak_rss_mb"], new["batch"]["peak_rss_mb"]
    print(f"  {'batch peak RSS, MB':<34} {a:9.0f} {b:9.0f} {a / b:6.2f}x")
    same = r["same_short_answers"]
    print(f"  same short answer (or abstention) on {same['same']} of {same['of']} HotpotQA questions")


if __name__ == "__main__":
    raise SystemExit(main())
