"""The answer scorer's training script on small synthetic data: the fits find what separates the gold
candidates, and stage two is measured on each set with weights fitted on the other."""

import numpy as np

from evals.train_span_scorer import LLM_TOP, choose_skip, right_picks, stage_two_groups, top1, train
from webqa.answer.features import FEATURES
from webqa.answer.scorer import STAGE_TWO


def _records(questions: int, rng: np.random.Generator) -> dict[str, list]:
    records: dict[str, list] = {key: [] for key in ("ids", "questions", "golds", "texts", "rows", "labels")}
    for n in range(questions):
        rows = rng.normal(size=(5, len(FEATURES)))
        gold = int(rng.integers(5))
        rows[gold, FEATURES.index("relevance")] += 6.0  # the gold's sentence is the relevant one
        records["ids"].append(str(n))
        records["questions"].append(f"q{n}")
        records["golds"].append(["g"])
        records["texts"].append([f"t{i}" for i in range(5)])
        records["rows"].append(rows.tolist())
        records["labels"].append([float(i == gold) for i in range(5)])
    return records


def _llm_questions(count: int, rng: np.random.Generator) -> list[dict]:
    """Stage one is wrong; the model's mean log-probability knows the gold."""
    out = []
    for _ in range(count):
        gold = int(rng.integers(1, 4))
        means = rng.normal(-3.0, 0.3, size=4)
        means[gold] = -0.5
        out.append({"first": [1.0, 0.5, 0.2, 0.1], "means": means.tolist(),
                    "labels": [float(i == gold) for i in range(4)]})  # fmt: skip
    return out


def test_stage_one_learns_the_feature_that_marks_the_gold():
    rng = np.random.default_rng(0)
    weights = train(_records(60, rng), None)
    assert weights.stage_one[FEATURES.index("relevance")] > 0.5
    assert weights.info["stage_one_heldout_top1"] >= 0.9 and weights.llm_top == LLM_TOP


def test_stage_two_trusts_the_model_where_it_knows_and_reports_each_set_fitted_elsewhere():
    rng = np.random.default_rng(1)
    data = {"squad": _llm_questions(40, rng), "hotpotqa": _llm_questions(40, rng)}
    data["squad"].append({"first": [0.0, 1.0], "means": [-1.0, -2.0], "labels": [0.0, 0.0]})
    weights = train(_records(30, rng), data)
    assert weights.stage_two.shape == (len(STAGE_TWO),) and weights.stage_two[STAGE_TWO.index("llm_mean")] > 0
    report = weights.info["stage_two_top1"]
    assert set(report) == {"squad", "hotpotqa"} and report["squad"]["questions"] == 40  # no gold: left out
    assert report["hotpotqa"]["features_only"] == 0.0 and report["hotpotqa"]["with_llm_fitted_elsewhere"] == 1.0
    assert top1(stage_two_groups(data["squad"]), weights.stage_two) == 1.0


def test_the_model_is_skipped_only_above_a_sureness_that_loses_no_right_pick():
    # Sure questions: stage one's best stands far above and is gold; the model would pick another.
    sure = [{"first": [9.0, 0.0, 0.0], "means": [-5.0, -0.1, -3.0], "labels": [1.0, 0.0, 0.0]}] * 10
    # Unsure ones: stage one is nearly tied and wrong, the model knows the gold.
    unsure = [{"first": [0.2, 0.0, 0.1], "means": [-5.0, -0.1, -3.0], "labels": [0.0, 1.0, 0.0]}] * 10
    stage_two = np.array([1.0, 3.0])
    threshold = choose_skip(sure + unsure, stage_two)
    assert threshold == 0.5  # the lowest in the grid: the unsure ones (sureness ~0.37) still ask
    right, skipped = right_picks(sure + unsure, stage_two, threshold)
    assert right == 20 and skipped == 10
    # Where skipping would cost a right pick, nothing is skipped.
    costly = [{"first": [9.0, 0.0, 0.0], "means": [-5.0, -0.1, -3.0], "labels": [0.0, 1.0, 0.0]}]
    assert choose_skip(sure + unsure + costly * 20, stage_two) == 1.0
