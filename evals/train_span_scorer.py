"""Train the answer scorer's weights (webqa/answer/span_scorer.json) from public dev data, reproducibly.

    python -m evals.train_span_scorer                 # extract (cached in evals/out/), fit, write the weights
    python -m evals.train_span_scorer --check         # refit from the cache and compare with the shipped file

Data: SQuAD v1.1 dev questions that `webqa eval squad --limit 1000` never asks (the report split is the
first 1,000 of its interleaved order; training takes the 900 after it) and the HotpotQA dev questions at
even positions (the other 250 are reported, from evals/questions/hotpotqa-report.jsonl), each browsed
exactly as webqa answers it (planned policy, default settings, the dataset's closed-corpus index), so the
features are those the scorer meets at run time. SQuAD alone teaches that a page's title is never the
answer (its questions are about the article); open questions are often answered by one. MuSiQue, the
factual questions over the default corpus and INSCIT are not used at all: they are reported as unseen.

Stage one is a softmax ranker over every candidate of a question (listwise: the probability of the gold
candidates among all), fitted by full-batch gradient descent from zeros with L2, so a refit gives the
same weights. Stage two fits the same kind of model over the top LLM_TOP candidates with the model's
mean log-probability per token, stacked: on SQuAD questions stage one never saw and on HotpotQA's
training questions again, each ranked by a stage one fitted without its half (two folds). Fitted on SQuAD
alone, stage two learns to distrust the model, whose choice rarely adds to a strong stage one there but
often does on open questions ("Who painted the Mona Lisa?").

The model's pass is most of the answer phase, so it is skipped where stage one is sure enough: the lowest
sureness in SKIP_GRID above which, over every stage-two training question (whether or not its gold is among
the top), as many picks are right in all as with the model always asked (a loss may be made up by a gain;
at the shipped threshold no pick changes). Each set is also measured with the threshold the other set alone
would choose (stage two's weights are the ones fitted on both)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from webqa.answer import evidence
from webqa.answer.candidates import is_yes_no, question_options
from webqa.answer.features import FEATURES, candidates_and_features
from webqa.answer.scorer import (
    CONTEXT_SENTENCES,
    STAGE_TWO,
    WEIGHTS_FILE,
    Weights,
    llm_means,
    model_needed,
    stage_two_features,
    stage_two_logits,
)
from webqa.config import load_settings
from webqa.metrics import normalize_answer

SKIP = 1000  # the report split of `webqa eval squad --limit 1000`
# HotpotQA: the even-numbered of the 500 dev questions train (1st, 3rd, ...), the others are reported
# (evals/questions/hotpotqa-report.jsonl, written by evals.splits). The file lists bridge questions first and
# comparisons last, so halves would not be alike.
HOTPOT_STEP = 2
CACHE = Path("evals/out/span-scorer")
WEIGHTS_PATH = Path("webqa/answer") / WEIGHTS_FILE
L2 = 1e-3
STEPS = 3000
LEARNING_RATE = 0.5
LLM_TOP = 6  # candidates the model scores at run time (webqa reads it from the weights file)
FOLDS = 2
# Where the model may be skipped: stage one's sureness (webqa.answer.scorer.stage_one_sureness) above one of
# these. 1.0 never skips.
SKIP_GRID = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0)


def extract(name: str, start: int, count: int, data_dir: Path | None, step: int = 1) -> dict[str, list]:
    """Per question of dataset `name` (items start, start+step, ... before start+count): candidate texts,
    feature rows, labels; browsing as `webqa ask` does, on the dataset's closed-corpus index."""
    from webqa.assistant import Assistant
    from webqa.evaluation.datasets import load_dataset
    from webqa.evaluation.runner import build_dataset_index

    settings = load_settings()
    dataset = load_dataset(name, data_dir)
    settings = settings.model_copy(update={"default_index": f"eval-{name}"})
    build_dataset_index(dataset, f"eval-{name}", settings, progress=True)
    assistant = Assistant(settings)
    items = [i for i in dataset.items[start : start + count : step] if not _verdict_question(i.questions[0])]
    records: dict[str, list] = {"ids": [], "questions": [], "golds": [], "texts": [], "rows": [], "labels": []}
    started = time.perf_counter()
    for number, item in enumerate(items):
        question = item.questions[0]
        _, browser = assistant._browse(question, None, None)
        sentences = evidence.collect(browser.pages_read, browser.quotes)
        ranked = evidence.rank(question, sentences, assistant.relevance())
        candidates, rows = candidates_and_features(question, ranked)
        golds = {normalize_answer(a) for a in item.gold[0].answers}
        records["ids"].append(item.id)
        records["questions"].append(question)
        records["golds"].append(sorted(golds))
        records["texts"].append([c.text for c in candidates])
        records["rows"].append(rows.tolist())
        records["labels"].append([float(c.key in golds) for c in candidates])
        if number % 50 == 0:
            print(f"{number}/{len(items)} questions, {time.perf_counter() - started:.0f} s", flush=True)
    return records


def _verdict_question(question: str) -> bool:
    return is_yes_no(question) or len(question_options(question)) >= 2


def fit_softmax(groups: list[tuple[np.ndarray, np.ndarray]], dimension: int) -> np.ndarray:
    """Weights maximising the mean log-probability of each group's positives under a softmax over the group."""
    rows = np.concatenate([r for r, _ in groups])
    labels = np.concatenate([y / y.sum() for _, y in groups])
    starts = np.cumsum([0] + [len(r) for r, _ in groups[:-1]])
    sizes = np.array([len(r) for r, _ in groups])
    weights = np.zeros(dimension)
    for _ in range(STEPS):
        logits = rows @ weights
        exp = np.exp(logits - np.repeat(np.maximum.reduceat(logits, starts), sizes))
        p = exp / np.repeat(np.add.reduceat(exp, starts), sizes)
        weights -= LEARNING_RATE * (L2 * weights + rows.T @ (p - labels) / len(groups))
    return weights


def top1(groups: list[tuple[np.ndarray, np.ndarray]], weights: np.ndarray) -> float:
    return float(np.mean([labels[int(np.argmax(rows @ weights))] for rows, labels in groups])) if groups else 0.0


def stage_one_groups(records: dict[str, list]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        (np.asarray(rows, dtype=np.float64), np.asarray(labels))
        for rows, labels in zip(records["rows"], records["labels"], strict=True)
        if rows and sum(labels) > 0
    ]


def fit_stage_one(records: dict[str, list]) -> np.ndarray:
    return fit_softmax(stage_one_groups(records), len(FEATURES))


def stage_two_groups(questions: list[dict]) -> list[tuple[np.ndarray, np.ndarray]]:
    """One group per question whose gold is among its top candidates (the others teach nothing)."""
    return [
        (
            stage_two_features(np.asarray(q["first"]), np.asarray(q["means"])),
            np.asarray(q["labels"]),
        )
        for q in questions
        if sum(q["labels"]) > 0
    ]


def train(records: dict[str, list], stage_two_data: dict[str, list] | None) -> Weights:
    groups = stage_one_groups(records)
    half = len(groups) * 4 // 5
    held_top1 = top1(groups[half:], fit_softmax(groups[:half], len(FEATURES)))
    print(f"stage one: {half} questions with a gold candidate; held-back top-1 {held_top1:.3f}")
    stage_one = fit_softmax(groups, len(FEATURES))  # the shipped weights use every training question
    stage_two = np.array([1.0, 0.0])
    info: dict = {
        "trained_on": f"SQuAD v1.1 dev questions after the first {SKIP} (interleaved order) and the HotpotQA dev "
        "questions at even positions (0, 2, ...), not yes/no or option questions; "
        f"{len(groups)} with a gold candidate",
        "stage_one_heldout_top1": round(held_top1, 3),
        "script": "python -m evals.train_span_scorer",
    }
    if stage_two_data:
        sets = {name: stage_two_groups(questions) for name, questions in stage_two_data.items()}
        pairs = [pair for groups_of_set in sets.values() for pair in groups_of_set]
        stage_two = fit_softmax(pairs, len(STAGE_TWO))
        features_only = np.array([1.0, 0.0])
        # Held out by set: fitted on the other set's questions, measured on this one's.
        held = {}
        for name, groups_of_set in sets.items():
            others = [pair for other, g in sets.items() if other != name for pair in g]
            fitted = fit_softmax(others, len(STAGE_TWO))
            held[name] = {
                "questions": len(groups_of_set),
                "features_only": round(top1(groups_of_set, features_only), 3),
                "with_llm_fitted_elsewhere": round(top1(groups_of_set, fitted), 3),
                "with_llm_fitted_on_all": round(top1(groups_of_set, stage_two), 3),
            }
            print(f"stage two, {name}: {held[name]}")
        info["stage_two_top1"] = held
        info["stage_two_questions"] = len(pairs)
        skip_above = choose_skip([q for questions in stage_two_data.values() for q in questions], stage_two)
        info["skip_model"] = skip_report(stage_two_data, stage_two, skip_above)
        print(f"skip the model above sureness {skip_above}: {info['skip_model']}")
        return Weights(stage_one, stage_two, LLM_TOP, info, skip_above)
    return Weights(stage_one, stage_two, LLM_TOP, info)


def right_picks(questions: list[dict], stage_two: np.ndarray, skip_above: float) -> tuple[int, int]:
    """How many questions get a gold first pick, and how many of them skip the model, at `skip_above`."""
    right = skipped = 0
    for q in questions:
        first, labels = np.asarray(q["first"]), np.asarray(q["labels"])
        means = np.asarray(q["means"])
        if not model_needed(first, stage_two, skip_above):
            skipped += 1
            means = np.zeros(len(first))  # as webqa ranks them when it does not ask the model
        logits = stage_two_logits(first, means, stage_two)
        right += int(labels[int(np.argmax(logits))] > 0)
    return right, skipped


def choose_skip(questions: list[dict], stage_two: np.ndarray) -> float:
    """The lowest threshold in SKIP_GRID whose picks are right as often as asking the model always."""
    always, _ = right_picks(questions, stage_two, 1.0)
    return next(t for t in SKIP_GRID if right_picks(questions, stage_two, t)[0] >= always)


def skip_report(data: dict[str, list[dict]], stage_two: np.ndarray, skip_above: float) -> dict[str, dict]:
    """Per set: right first picks with the model always asked and with the skip, the share skipped, at the
    shipped threshold and at the one the other sets alone choose."""
    report = {}
    for name, questions in data.items():
        others = [q for other, qs in data.items() if other != name for q in qs]
        elsewhere = choose_skip(others, stage_two) if others else skip_above
        always, _ = right_picks(questions, stage_two, 1.0)
        right, skipped = right_picks(questions, stage_two, skip_above)
        right_elsewhere, skipped_elsewhere = right_picks(questions, stage_two, elsewhere)
        count = max(1, len(questions))
        report[name] = {
            "questions": len(questions),
            "right_always_asking": always,
            "right_with_skip": right,
            "skipped_share": round(skipped / count, 3),
            "threshold_chosen_elsewhere": elsewhere,
            "right_with_skip_chosen_elsewhere": right_elsewhere,
            "skipped_share_chosen_elsewhere": round(skipped_elsewhere / count, 3),
        }
    return report


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


def llm_pool(name: str, records: dict[str, list], weights_of: dict[int, np.ndarray]) -> list[dict]:
    """The model's log-probabilities of the top LLM_TOP candidates of the questions `weights_of` names,
    each ranked by the stage one weights given for it (fitted without that question), browsing again as
    the extraction run did."""
    from webqa.assistant import Assistant

    settings = load_settings().model_copy(update={"default_index": f"eval-{name}"})
    assistant = Assistant(settings)
    llm = assistant.llm()
    out: list[dict] = []
    started = time.perf_counter()
    for count, (number, stage_one) in enumerate(sorted(weights_of.items(), key=lambda kv: kv[0])):
        rows = np.asarray(records["rows"][number], dtype=np.float64)
        if count % 25 == 0:
            elapsed = time.perf_counter() - started
            print(f"{name}: {count}/{len(weights_of)} questions scored, {elapsed:.0f} s", flush=True)
        if not len(rows):
            continue
        question = records["questions"][number]
        first = rows @ stage_one
        top = np.argsort(-first, kind="stable")[:LLM_TOP]
        if len(top) < 2:
            continue
        _, browser = assistant._browse(question, None, None)
        ranked = evidence.rank(question, evidence.collect(browser.pages_read, browser.quotes), assistant.relevance())
        candidates, _ = candidates_and_features(question, ranked)
        by_text = {c.text: c for c in candidates}
        chosen = [by_text.get(records["texts"][number][i]) for i in top]
        if any(c is None for c in chosen):
            continue  # browsing differed from the extraction run (it should not): leave the question out
        means = llm_means(question, ranked, chosen, llm)
        if means is None:
            raise SystemExit("the model cannot score options (no chat template?): stage two cannot be trained")
        out.append(
            {
                "id": records["ids"][number],
                "first": first[top].tolist(),
                "means": means.tolist(),
                "labels": np.asarray(records["labels"][number])[top].tolist(),
            }
        )
    return out


def subset(records: dict[str, list], keep: list[int]) -> dict[str, list]:
    return {key: [values[i] for i in keep] for key, values in records.items()}


def join(*parts: dict[str, list]) -> dict[str, list]:
    return {key: [v for part in parts for v in part[key]] for key in parts[0]}


def cached(path: Path, name: str, start: int, count: int, data_dir: Path | None, step: int = 1) -> dict[str, list]:
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    records = extract(name, start, count, data_dir, step)
    path.write_text(json.dumps(records), encoding="utf-8")
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=900, help="SQuAD questions after the report split")
    parser.add_argument("--llm-questions", type=int, default=250, help="of those, the last N also get model scores")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="refit from the cache and compare with the shipped file")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    squad = cached(CACHE / f"features-squad-{SKIP}-{args.questions}.json", "squad", SKIP, args.questions, args.data_dir)
    hotpot = cached(CACHE / "features-hotpotqa-even.json", "hotpotqa", 0, 500, args.data_dir, HOTPOT_STEP)
    # Stage one is fitted on SQuAD's first questions and all of HotpotQA's; stage two on SQuAD's last ones
    # and on HotpotQA's again, each ranked by a stage one that never saw it (stacking): for HotpotQA, one
    # fitted without its fold. SQuAD alone would teach stage two to distrust the model (its stage one is
    # strong there), which fails on open questions.
    split = max(0, len(squad["ids"]) - args.llm_questions)
    squad_first = subset(squad, list(range(split)))
    first_part = join(squad_first, hotpot)
    # Named by what changes the model's scores: the prompt's shape and the model (its weights' encoding).
    model = load_settings().embedded_llm_weights
    llm_path = CACHE / (
        f"llm-{model}-top{LLM_TOP}-context{CONTEXT_SENTENCES}-{args.questions}-{args.llm_questions}"
        f"-hotpotqa-folds{FOLDS}.json"
    )
    if llm_path.is_file():
        stage_two_data = json.loads(llm_path.read_text(encoding="utf-8"))
    elif args.llm_questions > 0:
        squad_weights = fit_stage_one(first_part)
        hotpot_weights: dict[int, np.ndarray] = {}
        for fold in range(FOLDS):
            kept = [i for i in range(len(hotpot["ids"])) if i % FOLDS != fold]
            fitted = fit_stage_one(join(squad_first, subset(hotpot, kept)))
            hotpot_weights.update({i: fitted for i in range(len(hotpot["ids"])) if i % FOLDS == fold})
        stage_two_data = {
            "squad": llm_pool("squad", squad, {i: squad_weights for i in range(split, len(squad["ids"]))}),
            "hotpotqa": llm_pool("hotpotqa", hotpot, hotpot_weights),
        }
        llm_path.write_text(json.dumps(stage_two_data), encoding="utf-8")
    else:
        stage_two_data = None
    weights = train(first_part, stage_two_data)
    write_or_check(WEIGHTS_PATH, weights.to_dict(), args.check)


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
