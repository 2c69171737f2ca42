"""Train the answer scorer's weights (webqa/answer/span_scorer.json) from public dev data, reproducibly.

    python -m evals.train_span_scorer                 # browse (cached in evals/out/), fit, write the weights
    python -m evals.train_span_scorer --check         # refit from the caches and compare with the shipped file

Data: SQuAD v1.1 dev items 1,000-2,999 of the interleaved order, which `webqa eval squad --limit 1000` never
asks (the report split is the first 1,000), and the HotpotQA dev questions at even positions (the other 250
are reported, from evals/questions/hotpotqa-report.jsonl), each browsed exactly as webqa answers it
(planned policy, default settings, the dataset's closed-corpus index; evals/span_evidence.py caches the
ranked sentences), so the features are those the scorer meets at run time. SQuAD alone teaches that a
page's title is never the answer (its questions are about the article); open questions are often answered
by one, so a HotpotQA question weighs more. MuSiQue, the factual questions over the default corpus and
INSCIT are not used at all: they are reported as unseen.

Stage one is a softmax ranker over every candidate of a question (listwise: the probability of the gold
candidates among all) on the feature rows and the word features (webqa/answer/lexical.py), fitted by
full-batch gradient descent from zeros with L2, so a refit gives the same weights. Stage two fits the same
kind of model over the top candidates with the model's log-probability, on SQuAD questions kept apart
from stage one's."""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from evals import span_evidence
from webqa.answer.features import FEATURES, candidates_and_features
from webqa.answer.scorer import STAGE_TWO, WEIGHTS_FILE, Weights, llm_means, stage_two_features
from webqa.config import load_settings
from webqa.metrics import normalize_answer

SKIP = 1000  # the report split of `webqa eval squad --limit 1000`
SQUAD_RANGES = ((SKIP, 2000),)  # (first item, count) of each cached SQuAD training range
STAGE_TWO_SLICE = slice(650, 900)  # of the SQuAD training questions: stage two's, never seen by stage one
# HotpotQA: the even-numbered of the 500 dev questions train (1st, 3rd, ...), the others are reported
# (evals/questions/hotpotqa-report.jsonl, written by evals.splits). The file lists bridge questions first and
# comparisons last, so halves would not be alike.
HOTPOT_STEP = 2
LLM_TOP = 6
HOTPOT_WEIGHT = 3.0
MIN_WORD_WEIGHT = 0.02
MIN_QUESTIONS = 8  # a word feature gets a weight when this many training questions have it
CACHE = Path("evals/out/span-scorer")
WEIGHTS_PATH = Path("webqa/answer") / WEIGHTS_FILE
L2 = 1e-3
STEPS = 3000
LEARNING_RATE = 0.5


def question_groups(records: list[dict], weight: float = 1.0) -> list[dict]:
    """Per cached question: its candidates (with word features), feature rows and labels."""
    groups = []
    for record in records:
        candidates, rows = candidates_and_features(record["question"], record["sentences"])
        golds = {normalize_answer(a) for a in record["golds"]}
        labels = np.array([float(c.key in golds) for c in candidates])
        groups.append(
            {
                "record": record,
                "candidates": candidates,
                "rows": rows.astype(np.float64),
                "labels": labels,
                "weight": weight,
            }
        )
    return groups


def vocabulary(groups: list[dict]) -> list[str]:
    """The word features seen in at least MIN_QUESTIONS training questions (rarer ones get no weight)."""
    counts: Counter[str] = Counter()
    for group in groups:
        counts.update({f for c in group["candidates"] for f in c.lexical})
    return sorted(f for f, n in counts.items() if n >= MIN_QUESTIONS)


def design(groups: list[dict], words: list[str]) -> list[tuple[sparse.csr_matrix, np.ndarray]]:
    """Each question's candidates as one sparse matrix: the feature row, then a 1 per known word feature."""
    column = {w: len(FEATURES) + i for i, w in enumerate(words)}
    out = []
    for group in groups:
        cells = [(r, column[f]) for r, c in enumerate(group["candidates"]) for f in c.lexical if f in column]
        rows_, cols = (list(x) for x in zip(*cells, strict=True)) if cells else ([], [])
        lexical = sparse.csr_matrix(
            (np.ones(len(rows_)), (rows_, cols)), shape=(len(group["candidates"]), len(FEATURES) + len(words))
        )
        dense = sparse.csr_matrix(np.pad(group["rows"], ((0, 0), (0, len(words)))))
        out.append((dense + lexical, group["labels"]))
    return out


def fit_softmax(
    groups: list[tuple[Any, np.ndarray]], dimension: int, l2: float = L2, group_weights: np.ndarray | None = None
) -> np.ndarray:
    """Weights maximising the (weighted) mean log-probability of each group's positives under a softmax over
    the group."""
    weight_of = np.ones(len(groups)) if group_weights is None else np.asarray(group_weights, dtype=np.float64)
    kept = [i for i, (r, y) in enumerate(groups) if r.shape[0] and y.sum() > 0]
    groups, weight_of = [groups[i] for i in kept], weight_of[kept]
    rows = (
        sparse.vstack([r for r, _ in groups]).tocsr()
        if sparse.issparse(groups[0][0])
        else np.concatenate([r for r, _ in groups])
    )
    labels = np.concatenate([y / y.sum() for _, y in groups])
    row_weights = np.repeat(weight_of, [r.shape[0] for r, _ in groups]) / weight_of.sum()
    starts = np.cumsum([0] + [r.shape[0] for r, _ in groups[:-1]])
    sizes = np.array([r.shape[0] for r, _ in groups])
    transposed = rows.T.tocsr() if sparse.issparse(rows) else rows.T
    weights = np.zeros(dimension)
    for _ in range(STEPS):
        logits = rows @ weights
        exp = np.exp(logits - np.repeat(np.maximum.reduceat(logits, starts), sizes))
        p = exp / np.repeat(np.add.reduceat(exp, starts), sizes)
        weights -= LEARNING_RATE * (l2 * weights + transposed @ ((p - labels) * row_weights))
    return weights


def top1(groups: list[tuple[Any, np.ndarray]], weights: np.ndarray) -> float:
    """Share of the questions with a gold candidate whose best-scored candidate is gold."""
    kept = [(r, y) for r, y in groups if r.shape[0] and y.sum() > 0]
    return float(np.mean([y[int(np.argmax(r @ weights))] for r, y in kept])) if kept else 0.0


def fit_stage_one(sets: dict[str, list[dict]]) -> tuple[Weights, dict]:
    """Stage one's weights from every training question, and each set's held-back top-1 (fitted on the first
    4/5 of each set). A HotpotQA question weighs HOTPOT_WEIGHT SQuAD ones, so that SQuAD's habits (its
    questions name the article, so a page's subject is never the answer) do not decide for open questions."""
    usable = {name: [g for g in groups if g["labels"].sum() > 0] for name, groups in sets.items()}
    train = [g for groups in usable.values() for g in groups[: len(groups) * 4 // 5]]
    words = vocabulary(train)
    fitted = _fit(train, words)
    plain = fit_softmax([(g["rows"], g["labels"]) for g in train], len(FEATURES), group_weights=_weights(train))
    info: dict[str, Any] = {"stage_one_questions": {name: len(groups) for name, groups in usable.items()}}
    for name, groups in usable.items():
        held = groups[len(groups) * 4 // 5 :]
        with_words = top1(design(held, words), fitted)
        without = top1([(g["rows"], g["labels"]) for g in held], plain)
        print(
            f"stage one, {name} held back ({len(held)}): top-1 {with_words:.3f} with word features, "
            f"{without:.3f} without"
        )
        info[f"stage_one_heldout_top1_{name}"] = {
            "with_word_features": round(with_words, 3),
            "without": round(without, 3),
        }
    everything = [g for groups in usable.values() for g in groups]
    words = vocabulary(everything)
    weights = _fit(everything, words)
    # Weights this small change no ranking; leaving them out keeps the file small.
    lexical = {w: float(x) for w, x in zip(words, weights[len(FEATURES) :], strict=True) if abs(x) >= MIN_WORD_WEIGHT}
    info["word_features"] = {"seen_often_enough": len(words), "kept": len(lexical)}
    return Weights(weights[: len(FEATURES)], np.array([1.0, 0.0, 0.0]), LLM_TOP, {}, lexical), info


def cached_stage_one(sets: dict[str, list[dict]], fresh: bool) -> tuple[Weights, dict]:
    """fit_stage_one, kept in the cache under a digest of its inputs (the fit takes many minutes here);
    `fresh` (as --check does) always refits."""
    inputs: list[Any] = [FEATURES, HOTPOT_WEIGHT, MIN_QUESTIONS, MIN_WORD_WEIGHT, L2, STEPS, LEARNING_RATE]
    for name, groups in sets.items():
        inputs.append(
            [name, [(g["record"]["id"], g["labels"].tolist(), [c.lexical for c in g["candidates"]]) for g in groups]]
        )
        inputs.append([g["rows"].round(6).tolist() for g in groups])
    digest = hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:16]
    path = CACHE / f"stage-one-{digest}.json"
    if path.is_file() and not fresh:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Weights.from_dict(data["weights"]), data["info"]
    started = time.perf_counter()
    weights, info = fit_stage_one(sets)
    print(f"stage one fitted in {time.perf_counter() - started:.0f} s")
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"weights": weights.to_dict(), "info": info}), encoding="utf-8")
    return weights, info


def _weights(groups: list[dict]) -> np.ndarray:
    return np.array([g["weight"] for g in groups])


def _fit(groups: list[dict], words: list[str]) -> np.ndarray:
    return fit_softmax(design(groups, words), len(FEATURES) + len(words), group_weights=_weights(groups))


def fit_logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Logistic regression weights (then the intercept) by full-batch gradient descent from zeros, with L2:
    a refit gives the same weights. evals/train_confidence.py fits the answer confidence with it."""
    weights = np.zeros(x.shape[1] + 1)
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(x @ weights[:-1] + weights[-1])))
        gradient = np.append(x.T @ (p - y), (p - y).sum()) / len(y)
        weights -= LEARNING_RATE * (gradient + L2 * np.append(weights[:-1], 0.0))
    return weights


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    edges = np.minimum((p * bins).astype(int), bins - 1)
    return float(
        sum(
            abs(p[edges == b].mean() - y[edges == b].mean()) * (edges == b).sum()
            for b in range(bins)
            if (edges == b).any()
        )
        / len(y)
    )


def llm_stage(groups: list[dict], stage_one: Weights) -> dict[str, list]:
    """The model's log-probabilities of each question's top candidates under `stage_one`."""
    from webqa.assistant import Assistant

    llm = Assistant(load_settings().model_copy(update={"default_index": "eval-squad"})).llm()
    out: dict[str, list] = {"questions": []}
    for group in groups:
        if len(group["candidates"]) < 2:
            continue
        first = stage_one.first_stage(group["candidates"], group["rows"])
        top = np.argsort(-first, kind="stable")[:LLM_TOP]
        record = group["record"]
        means = llm_means(record["question"], record["sentences"], [group["candidates"][i] for i in top], llm)
        if means is None:
            break
        out["questions"].append(
            {"first": first[top].tolist(), "means": means.tolist(), "labels": group["labels"][top].tolist()}
        )
    return out


def evidence_records(name: str, start: int, count: int, step: int, data_dir: Path | None) -> list[dict]:
    path = span_evidence.cache_path(name, start, count, step)
    if not path.is_file():
        span_evidence.extract(name, start, count, step, data_dir)
    return span_evidence.load(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="refit from the cache and compare with the shipped file")
    args = parser.parse_args()
    squad = [r for start, count in SQUAD_RANGES for r in evidence_records("squad", start, count, 1, args.data_dir)]
    hotpot = evidence_records("hotpotqa", 0, 500, HOTPOT_STEP, args.data_dir)
    # Stage two is fitted on questions stage one never saw: a slice of SQuAD's.
    second = squad[STAGE_TWO_SLICE]
    first_squad = squad[: STAGE_TWO_SLICE.start] + squad[STAGE_TWO_SLICE.stop :]
    sets = {"squad": question_groups(first_squad), "hotpotqa": question_groups(hotpot, HOTPOT_WEIGHT)}
    weights, info = cached_stage_one(sets, fresh=args.check)
    digest = hashlib.sha256(json.dumps(weights.to_dict(), sort_keys=True).encode()).hexdigest()[:12]
    llm_path = CACHE / f"llm-stage-two-{digest}.json"
    second_groups = question_groups(second)
    if llm_path.is_file():
        stage_two_data = json.loads(llm_path.read_text(encoding="utf-8"))
    else:
        CACHE.mkdir(parents=True, exist_ok=True)
        stage_two_data = llm_stage(second_groups, Weights.from_dict(weights.to_dict()))
        llm_path.write_text(json.dumps(stage_two_data), encoding="utf-8")
    pairs = [
        (stage_two_features(np.asarray(q["first"]), np.asarray(q["means"])), np.asarray(q["labels"]))
        for q in stage_two_data["questions"]
        if sum(q["labels"]) > 0
    ]
    stage_two = fit_softmax(pairs, len(STAGE_TWO))
    base = top1(pairs, np.array([1.0, 0.0, 0.0]))
    print(
        f"stage two on {len(pairs)} questions: top-1 {base:.3f} features only, "
        f"{top1(pairs, stage_two):.3f} with the model"
    )
    info = {
        "trained_on": f"SQuAD v1.1 dev items {SQUAD_RANGES} of the interleaved order (the first {SKIP} are the report "
        "split) and the HotpotQA dev questions at even positions (0, 2, ...), not yes/no or option questions",
        **info,
        "stage_two_questions": len(pairs),
        "stage_two_top1": {"features_only": round(base, 3), "with_llm": round(top1(pairs, stage_two), 3)},
        "script": "python -m evals.train_span_scorer",
    }
    final = Weights(weights.stage_one, stage_two, LLM_TOP, info, weights.lexical)
    write_or_check(WEIGHTS_PATH, final.to_dict(), args.check)


def write_or_check(path: Path, data: dict, check: bool) -> None:
    """Write the fitted weights, or (with --check) compare them with the shipped file: exit 1 if they differ."""
    text = json.dumps(data, indent=1) + "\n"
    if check:
        same = path.read_text(encoding="utf-8") == text
        print("the shipped weights are reproduced exactly" if same else "the shipped weights differ from a refit")
        raise SystemExit(0 if same else 1)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
