"""Figures for issue 14 (closing the loop), each against its baseline in the same run, on questions the
trained models never saw (the HotpotQA report split; the models train on SQuAD dev after its report split).

    python -m evals.closing_the_loop best-of --reward models/reward-ce --n 4 --limit 100
    python -m evals.closing_the_loop sft --tuned models/sft/model.gguf --limit 100

best-of: per question, browse once and sample N answers from the same quotes (seeds 0..N-1, the answer
temperature), each checked sentence by sentence as `--best-of` does; the baseline is the single sampled
answer of seed 0, against the best of the N by the reward model with the support check, and (free, same
samples) by the support check alone.
sft: per question, browse once; greedy abstractive answers from the embedded model and from the tuned one.

Per question records go to evals/out/loop/ (a rerun resumes); the summary gives each arm's means and the
paired differences with 95% bootstrap intervals (10,000 resamples over questions)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from webqa.answer.abstractive import abstractive_answer
from webqa.answer.best_of import rank_samples, sample_checked
from webqa.answer.reward import load_reward_model
from webqa.answer.support import OverlapSupport
from webqa.config import load_settings
from webqa.evaluation.gold import read_gold_file
from webqa.metrics import answer_recall

QUESTIONS = Path("evals/questions/hotpotqa-report.jsonl")
OUT = Path("evals/out/loop")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("best-of", "sft"))
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--index", default="eval-hotpotqa")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--reward", type=Path, help="best-of: the reward model folder")
    parser.add_argument("--n", type=int, default=4, help="best-of: samples per question")
    parser.add_argument("--tuned", help="sft: the fine-tuned model's GGUF (llamacpp:PATH is used)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    settings = load_settings(default_index=args.index)
    items = read_gold_file(args.questions)[: args.limit]
    out = args.out or OUT / f"{args.what}-{args.questions.stem}-{args.limit}.jsonl"
    done = _done(out)
    from webqa.assistant import Assistant
    from webqa.llm import load_llm

    assistant = Assistant(settings)
    if args.what == "best-of":
        if args.reward is None:
            parser.error("best-of needs --reward")
        reward = load_reward_model(args.reward)
        arms = ("single", "best_reward", "best_support")
    else:
        if args.tuned is None:
            parser.error("sft needs --tuned")
        tuned = load_llm(settings, f"llamacpp:{args.tuned}")
        arms = ("base", "tuned")
    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8") as records:
        for number, item in enumerate(items, start=1):
            if item.id in done:
                continue
            question, golds = item.questions[0], list(item.gold[0].answers)
            ranked = assistant.ranked_evidence(question)
            record: dict = {"id": item.id, "question": question, "golds": golds}
            if ranked and ranked[0].relevance >= settings.abstain_below:
                scored = [(s.quote, s.relevance) for s in ranked[: settings.answer_quotes]]
                support = OverlapSupport(assistant.embedder())
                if args.what == "best-of":
                    record |= _best_of(question, scored, assistant.llm(), support, reward, args.n, settings, golds)
                else:
                    record["base"] = _greedy(question, scored, assistant.llm(), support, golds)
                    record["tuned"] = _greedy(question, scored, tuned, support, golds)
            records.write(json.dumps(record, ensure_ascii=False) + "\n")
            records.flush()
            if number % 10 == 0:
                print(f"{number}/{len(items)} questions, {time.perf_counter() - started:.0f} s", flush=True)
    summarize(out, arms)


def _best_of(question, scored, llm, support, reward, n, settings, golds) -> dict:
    checked = sample_checked(question, scored, llm, support, n, settings.best_of_temperature, settings.llm_seed)
    by_reward = rank_samples(question, scored, checked, reward)
    by_support = rank_samples(question, scored, checked, None)
    single = rank_samples(question, scored, checked[:1], None)
    return {
        "single": _arm(single[0], golds),
        "best_reward": _arm(by_reward[0], golds),
        "best_support": _arm(by_support[0], golds),
        "samples": [_arm(s, golds) | {"reward": s.reward} for s in by_reward],
    }


def _arm(sample, golds) -> dict:
    shown = " ".join(sample.checker.kept)
    return {
        "seed": sample.seed,
        "answer": shown,
        "recall": answer_recall(shown, golds) if shown else 0.0,
        "written_supported": sample.supported_share,
        "answered": bool(shown),
    }


def _greedy(question, scored, llm, support, golds) -> dict:
    draft = abstractive_answer(question, scored, llm, support)
    sentences = draft.notes["sentences"] if draft is not None else []
    kept = sum(s["kept"] for s in sentences)
    shown = draft.text if draft is not None else ""
    return {
        "answer": shown,
        "recall": answer_recall(shown, golds) if shown else 0.0,
        "written_supported": kept / len(sentences) if sentences else 0.0,
        "answered": draft is not None,
    }


def _done(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    return {json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def summarize(path: Path, arms: tuple[str, ...]) -> dict:
    """Means per arm over the questions that reached the answerer, and each arm minus the first, paired."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    asked = [row for row in rows if arms[0] in row]
    summary: dict = {"file": str(path), "questions": len(rows), "answered_from_quotes": len(asked)}
    for metric in ("recall", "written_supported", "answered"):
        values = {arm: np.array([float(row[arm][metric]) for row in asked]) for arm in arms}
        summary[metric] = {arm: round(float(v.mean()), 4) for arm, v in values.items()}
        for arm in arms[1:]:
            low, high = paired_interval(values[arm] - values[arms[0]])
            summary[metric][f"{arm}-{arms[0]}"] = {
                "mean": round(float((values[arm] - values[arms[0]]).mean()), 4), "ci95": [low, high],
            }  # fmt: skip
    print(json.dumps(summary, indent=2))
    return summary


def paired_interval(differences: np.ndarray, resamples: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """95% bootstrap interval of the mean of per-question differences."""
    if differences.size == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = differences[rng.integers(0, differences.size, (resamples, differences.size))].mean(axis=1)
    return round(float(np.percentile(means, 2.5)), 4), round(float(np.percentile(means, 97.5)), 4)


if __name__ == "__main__":
    main()
