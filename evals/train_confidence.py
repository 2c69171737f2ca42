"""Fit the answer confidence (webqa/answer/confidence.json) and measure its abstention threshold, reproducibly.

    python -m evals.train_confidence              # answer the training questions (cached), fit, write
    python -m evals.train_confidence --check      # refit from the cache and compare with the shipped file

Training questions, each answered exactly as `webqa eval` answers it (planned policy, default settings,
never abstaining on confidence), on corpora built the way `--unanswerable-share 0.5` builds them, so half
the questions have lost their gold documents and their answers count as wrong:
- HotpotQA dev at even positions, on the corpus of `webqa eval hotpotqa --unanswerable-share 0.5` (the
  odd positions are reported: the two halves share that corpus, not their questions);
- SQuAD dev questions after the first 1,000 (the report split), on their own reduced corpus.
MuSiQue, INSCIT and the questions over the default corpus are never used: they are reported as unseen.

An answer is right when its short answer matches a gold answer (exactly, or holding it whole: "President
Richard Nixon" for "Richard Nixon"), or, for an answer with no short answer, when its text holds one. The
model is a logistic regression, fitted on the first half of each set and its calibration measured on the
second, then refitted on all. The threshold is the confidence that best separates the two kinds of
question on the training data: the mean of "abstained when the gold is gone" and "answered when it is
there" is highest there.

Two heads, because one does not serve both ends: "does the evidence hold the answer at all" (fitted on
every question; the gold documents present or not) decides abstention, and "is the answer right when it
does" (fitted on the answerable ones) times the first is the confidence. Thresholding the product tells a
missing page from a present one worse (a mean abstention accuracy of 0.69 against 0.81 on a held-out half
of the first 361 training questions), since it mixes in how unsure the span scorer is among good pages."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from evals.train_span_scorer import expected_calibration_error, fit_logistic, write_or_check
from webqa.answer.confidence import FEATURES, WEIGHTS_FILE, ConfidenceModel
from webqa.metrics import answer_is_right

SQUAD_SKIP = 1000  # the report split of `webqa eval squad --limit 1000`
SHARE = 0.5
CACHE = Path("evals/out/confidence")
WEIGHTS_PATH = Path("webqa/answer") / WEIGHTS_FILE


def training_sets(squad_questions: int, data_dir: Path | None) -> list[tuple[str, Any, list[Any]]]:
    """(name, constructed dataset, the items to answer) for each training set."""
    from webqa.evaluation.datasets import load_dataset
    from webqa.evaluation.unanswerable import with_unanswerable

    hotpot = load_dataset("hotpotqa", data_dir)
    built = with_unanswerable(hotpot, hotpot.items, SHARE).dataset  # the report run's corpus
    sets = [("hotpotqa-even", built, built.items[0::2])]
    squad = load_dataset("squad", data_dir)
    chosen = squad.items[SQUAD_SKIP : SQUAD_SKIP + squad_questions]
    reduced = with_unanswerable(squad, chosen, SHARE).dataset
    sets.append((f"squad-{SQUAD_SKIP}-{squad_questions}", reduced, reduced.items))
    return sets


def answer_set(name: str, dataset: Any, items: list[Any]) -> list[dict[str, Any]]:
    """Each item answered (resuming the cache file), as one record: gold, answer, confidence features."""
    from webqa.assistant import Assistant
    from webqa.config import load_settings
    from webqa.evaluation.runner import build_dataset_index

    path = CACHE / f"{name}.jsonl"
    done = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.is_file() else []
    if len(done) >= len(items):
        return done[: len(items)]
    index = f"eval-{dataset.name}"
    settings = load_settings().model_copy(update={"default_index": index, "abstain_below_confidence": 0.0})
    build_dataset_index(dataset, index, settings, progress=True)
    assistant = Assistant(settings)
    started = time.perf_counter()
    with open(path, "a", encoding="utf-8") as out:
        for number, item in enumerate(items[len(done) :], start=len(done)):
            answer = assistant.ask(item.questions[0])
            notes = answer.trace.notes
            record = {
                "id": item.id,
                "answerable": item.gold[0].answerable,
                "gold": list(item.gold[0].answers),
                "short_answer": answer.short_answer,
                "answer": answer.answer,
                "abstained": answer.abstained,
                "features": notes.get("confidence_features"),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            done.append(record)
            if number % 25 == 0:
                print(f"{name}: {number}/{len(items)}, {time.perf_counter() - started:.0f} s", flush=True)
    return done


def is_right(record: dict[str, Any]) -> bool:
    """Whether the answer is right (an unanswerable question has no right answer, only a right abstention)."""
    if not record["answerable"] or record["abstained"]:
        return False
    return answer_is_right(record["short_answer"], record["answer"], record["gold"])


def matrix(records: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, "the gold is in the corpus" and "the answer is right", for the answers that have a
    confidence (the rest abstained before one: no evidence at all, or no date for a when-question)."""
    kept = [r for r in records if r["features"] is not None]
    x = np.array([[r["features"][name] for name in FEATURES] for r in kept], dtype=np.float64)
    answerable = np.array([float(r["answerable"]) for r in kept])
    right = np.array([float(is_right(r)) for r in kept])
    return x, answerable, right


def fit_heads(records: list[dict[str, Any]]) -> ConfidenceModel:
    """The evidence head on every answer (label: the gold documents are in the corpus), the right-given-
    evidence head on the answerable ones (label: the answer is right)."""
    x, answerable, right = matrix(records)
    there = answerable == 1.0
    return ConfidenceModel(fit_logistic(x, answerable), fit_logistic(x[there], right[there]), 0.0, {})


def rates(records: list[dict[str, Any]], model: ConfidenceModel, threshold: float) -> dict[str, float]:
    """What abstaining below `threshold` does on these records (an answer with no confidence abstained)."""
    estimates = [model.estimate(r["features"]) if r["features"] is not None else None for r in records]
    answered = np.array([e is not None and e.evidence >= threshold for e in estimates])
    answerable = np.array([r["answerable"] for r in records])
    right = np.array([is_right(r) for r in records])
    return {
        "abstained_when_gone": round(float(np.mean(~answered[~answerable])), 3),
        "answered_when_there": round(float(np.mean(answered[answerable])), 3),
        "accuracy_of_answered": round(float(right[answered].mean()) if answered.any() else 0.0, 3),
    }


def choose_threshold(records: list[dict[str, Any]], model: ConfidenceModel) -> float:
    """The evidence threshold with the best mean of "abstained when the gold is gone" and "answered when it
    is there" on the training data."""
    best, best_score = 0.0, -1.0
    for t in np.round(np.arange(0.0, 1.0, 0.01), 2):
        r = rates(records, model, float(t))
        score = (r["abstained_when_gone"] + r["answered_when_there"]) / 2
        if score > best_score + 1e-9:
            best, best_score = float(t), score
    return best


def fit(sets: dict[str, list[dict[str, Any]]]) -> ConfidenceModel:
    """Fitted on the first half of each set, measured on the second (calibration, and the abstention rates
    at the threshold the first half chose); then refitted on everything."""
    first = [r for records in sets.values() for r in records[: len(records) // 2]]
    half = fit_heads(first)
    half = ConfidenceModel(half.evidence, half.right_given_evidence, choose_threshold(first, half), {})
    held_out = {}
    for name, records in sets.items():
        second = records[len(records) // 2 :]
        x, answerable, right = matrix(second)
        estimates = [half.estimate(dict(zip(FEATURES, row, strict=True))) for row in x]
        held_out[name] = {
            "questions": len(second),
            "confidence_ece": round(expected_calibration_error(np.array([e.confidence for e in estimates]), right), 3),
            "evidence_ece": round(expected_calibration_error(np.array([e.evidence for e in estimates]), answerable), 3),
            **rates(second, half, half.threshold),
        }
    every = [r for records in sets.values() for r in records]
    model = fit_heads(every)
    threshold = choose_threshold(every, model)
    info = {
        "trained_on": "HotpotQA dev at even positions and SQuAD dev questions after the first 1000, with the "
        f"gold documents of half of them left out of the corpus ({len(every)} questions)",
        "script": "python -m evals.train_confidence",
        "right_share": round(float(np.mean([is_right(r) for r in every])), 3),
        "held_out_half": held_out,
        "at_threshold_on_training_data": rates(every, model, threshold),
    }
    print(json.dumps(info, indent=1))
    return ConfidenceModel(model.evidence, model.right_given_evidence, threshold, info)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad-questions", type=int, default=400, help="SQuAD questions after the report split")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="refit from the cache and compare with the shipped file")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    sets = {
        name: answer_set(name, dataset, items)
        for name, dataset, items in training_sets(args.squad_questions, args.data_dir)
    }
    write_or_check(WEIGHTS_PATH, fit(sets).to_dict(), args.check)


if __name__ == "__main__":
    main()
