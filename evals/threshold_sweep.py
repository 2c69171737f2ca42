"""What other abstention thresholds would have done on a finished `webqa eval` run, without answering again.

    python -m evals.threshold_sweep RUN_FOLDER [--thresholds 0 0.3 0.47 0.6]

Every answer record keeps its `evidence_confidence`, and an abstention by that estimate keeps the answer it
withheld (`best_guess`, with its `confidence`), so a lower threshold's answers are known; a higher one's
abstentions too. An abstention made for another reason (no evidence at all, no date for a when-question)
stays one at every threshold; a withheld answer with no short answer counts as wrong when given (its text
is not kept). "Right" is the short answer naming a gold answer (webqa.metrics.answer_is_right),
the notion the confidence estimates."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from webqa.metrics import answer_is_right


def sweep(folder: Path, thresholds: list[float]) -> list[dict[str, float]]:
    gold = {q["id"]: q for q in map(json.loads, (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines())}
    records = [json.loads(line) for line in (folder / "answers.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = []
    for threshold in thresholds:
        answered_there = gone_abstained = right = answers = 0
        there = sum(gold[r["id"]].get("answerable", True) for r in records)
        for record in records:
            item = gold[record["id"]]
            answerable = item.get("answerable", True)
            evidence = record.get("evidence_confidence")
            # Only an answer that got an estimate can be given or withheld by the threshold; an abstention for
            # another reason has none.
            gives = evidence is not None and evidence >= threshold
            if gives:
                answers += 1
                short = record["best_guess"] if record["abstained"] else record["short_answer"]
                text = "" if record["abstained"] else record["answer"]
                right += answerable and answer_is_right(short, text, item["answers"])
                answered_there += answerable
            else:
                gone_abstained += not answerable
        gone = len(records) - there
        rows.append(
            {
                "threshold": threshold,
                "abstained_when_gone": round(gone_abstained / gone, 3) if gone else float("nan"),
                "answered_when_there": round(answered_there / there, 3) if there else float("nan"),
                "answered": answers,
                "accuracy_of_answered": round(right / answers, 3) if answers else float("nan"),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.0, 0.3, 0.4, 0.47, 0.55, 0.65])
    args = parser.parse_args()
    rows = sweep(args.run, args.thresholds)
    print("| threshold | abstained when gone | answered when there | answers | accuracy of answers (short answer) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['threshold']:.2f} | {r['abstained_when_gone']} | {r['answered_when_there']} | {r['answered']} | "
            f"{r['accuracy_of_answered']} |"
        )


if __name__ == "__main__":
    main()
