"""Figures for issue 14 (closing the loop), each against its baseline in the same run, on questions the
trained models never saw (the HotpotQA report split; the models train on SQuAD dev after its report split).

    python -m evals.closing_the_loop sample --n 4 --limit 100          # browse, sample, check (slow part)
    python -m evals.closing_the_loop best-of --reward models/reward-ce  # rank the stored samples
    python -m evals.closing_the_loop sft --tuned models/sft/model.gguf --limit 100

sample: per question, browse once and sample N answers from the same quotes (seeds 0..N-1 at the best-of
temperature), each checked sentence by sentence exactly as `--best-of` checks them; stored with the prompt.
best-of: the baseline is the single sampled answer (seed 0); against it, the best of the N as `--best-of`
picks it (webqa.answer.best_of.combined_score) with each --reward model, and with the support check alone.
sft: per question, browse once; greedy abstractive answers from the embedded model and from the tuned one.

Per question records go to evals/out/loop/ (a rerun resumes); summaries give each arm's means and the paired
differences with 95% bootstrap intervals (10,000 resamples over questions)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from webqa.answer.abstractive import abstractive_answer
from webqa.answer.best_of import combined_score, sample_checked
from webqa.answer.draft import answer_messages
from webqa.answer.reward import load_reward_model
from webqa.answer.support import OverlapSupport
from webqa.config import load_settings
from webqa.evaluation.gold import read_gold_file
from webqa.metrics import answer_recall

QUESTIONS = Path("evals/questions/hotpotqa-report.jsonl")
OUT = Path("evals/out/loop")
METRICS = ("recall", "written_supported", "answered")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("sample", "best-of", "sft"))
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--index", default="eval-hotpotqa")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--n", type=int, default=4, help="sample: answers per question")
    parser.add_argument("--reward", type=Path, action="append", help="best-of: a reward model folder (repeatable)")
    parser.add_argument("--tuned", help="sft: the fine-tuned model's GGUF (llamacpp:PATH is used)")
    args = parser.parse_args()
    samples_file = OUT / f"samples-{args.questions.stem}.jsonl"
    if args.what == "best-of":
        print(json.dumps(best_of_summary(samples_file, args.reward or []), indent=2))
        return
    settings = load_settings(default_index=args.index)
    from webqa.assistant import Assistant
    from webqa.llm import load_llm

    assistant = Assistant(settings)
    if args.what == "sft" and not args.tuned:
        parser.error("sft needs --tuned")
    out = (
        samples_file
        if args.what == "sample"
        else OUT / f"sft-{Path(args.tuned).parent.name}-{args.questions.stem}.jsonl"
    )
    tuned = load_llm(settings, f"llamacpp:{args.tuned}") if args.what == "sft" else None
    items = read_gold_file(args.questions)[: args.limit]
    done = _done(out)
    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8") as records:
        for number, item in enumerate(items, start=1):
            if item.id in done:
                continue
            question, golds = item.questions[0], list(item.gold[0].answers)
            ranked = assistant.ranked_evidence(question)
            record: dict = {"id": item.id, "question": question, "golds": golds}
            if ranked and ranked[0].relevance >= settings.abstain_below:  # else ask abstains before writing
                scored = [(s.quote, s.relevance) for s in ranked[: settings.answer_quotes]]
                support = OverlapSupport(assistant.embedder())
                if tuned is None:
                    record["prompt"] = answer_messages(question, [quote for quote, _ in scored])
                    checked = sample_checked(
                        question, scored, assistant.llm(), support, args.n, settings.best_of_temperature,
                        settings.llm_seed,
                    )  # fmt: skip
                    record["samples"] = [_sample(seed, written, checker, golds) for seed, written, checker in checked]
                else:
                    record["base"] = _greedy(question, scored, assistant.llm(), support, golds)
                    record["tuned"] = _greedy(question, scored, tuned, support, golds)
            records.write(json.dumps(record, ensure_ascii=False) + "\n")
            records.flush()
            if number % 10 == 0:
                print(f"{number}/{len(items)} questions, {time.perf_counter() - started:.0f} s", flush=True)
    if tuned is not None:
        print(json.dumps(paired_summary([json.loads(line) for line in _lines(out)], ("base", "tuned")), indent=2))


def _sample(seed, written, checker, golds) -> dict:
    shown = " ".join(checker.kept)
    return {
        "seed": seed,
        "written": written,
        "kept_as_cited": " ".join(checker.kept_as_cited),
        "answer": shown,
        "recall": answer_recall(shown, golds) if shown else 0.0,
        "written_supported": len(checker.kept) / len(checker.sentences) if checker.sentences else 0.0,
        "answered": bool(shown),
    }


def _greedy(question, scored, llm, support, golds) -> dict:
    draft = abstractive_answer(question, scored, llm, support)
    sentences = draft.notes["sentences"] if draft is not None else []
    shown = draft.text if draft is not None else ""
    return {
        "answer": shown,
        "recall": answer_recall(shown, golds) if shown else 0.0,
        "written_supported": sum(s["kept"] for s in sentences) / len(sentences) if sentences else 0.0,
        "answered": draft is not None,
    }


def best_of_summary(samples_file: Path, rewards: list[Path]) -> dict:
    """Each question's single answer (seed 0) and the best of its samples by each ranking."""
    rows = [json.loads(line) for line in _lines(samples_file)]
    asked = [row for row in rows if "samples" in row]
    arms: dict[str, list[dict]] = {"single": [row["samples"][0] for row in asked]}
    arms["best_support_only"] = [_pick(row["samples"], None) for row in asked]
    for folder in rewards:
        model = load_reward_model(folder)
        picked = []
        for row in asked:
            prompt = [tuple(message) for message in row["prompt"]]
            kept = [i for i, s in enumerate(row["samples"]) if s["answered"]]
            values = model.score(prompt, [row["samples"][i]["kept_as_cited"] for i in kept]) if kept else []
            picked.append(_pick(row["samples"], dict(zip(kept, values, strict=True))))
        arms[f"best_{folder.name}"] = picked
    per_question = [{arm: chosen[i] for arm, chosen in arms.items()} for i in range(len(asked))]
    summary = paired_summary(per_question, tuple(arms))
    summary["samples_per_question"] = len(asked[0]["samples"]) if asked else 0
    summary["questions_in_file"] = len(rows)
    return summary


def _pick(samples: list[dict], rewards: dict[int, float] | None) -> dict:
    """The sample --best-of keeps: highest combined score, the earliest seed on a tie."""
    scores = [
        combined_score(None if rewards is None else rewards.get(i), s["written_supported"], s["answered"])
        for i, s in enumerate(samples)
    ]
    return samples[max(range(len(samples)), key=lambda i: (scores[i], -i))]


def paired_summary(rows: list[dict], arms: tuple[str, ...]) -> dict:
    """Means per arm over the questions that reached the answerer, and each arm minus the first, paired."""
    rows = [row for row in rows if arms[0] in row]
    summary: dict = {"questions": len(rows)}
    for metric in METRICS:
        values = {arm: np.array([float(row[arm][metric]) for row in rows]) for arm in arms}
        summary[metric] = {arm: round(float(v.mean()), 4) for arm, v in values.items()}
        for arm in arms[1:]:
            difference = values[arm] - values[arms[0]]
            summary[metric][f"{arm} - {arms[0]}"] = {
                "mean": round(float(difference.mean()), 4), "ci95": paired_interval(difference),
            }  # fmt: skip
    return summary


def paired_interval(differences: np.ndarray, resamples: int = 10_000, seed: int = 0) -> list[float]:
    """95% bootstrap interval of the mean of per-question differences."""
    if differences.size == 0:
        return [float("nan"), float("nan")]
    rng = np.random.default_rng(seed)
    means = differences[rng.integers(0, differences.size, (resamples, differences.size))].mean(axis=1)
    return [round(float(np.percentile(means, 2.5)), 4), round(float(np.percentile(means, 97.5)), 4)]


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] if path.is_file() else []


def _done(path: Path) -> set[str]:
    return {json.loads(line)["id"] for line in _lines(path)}


if __name__ == "__main__":
    main()
