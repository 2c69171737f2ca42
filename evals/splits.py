"""Write the report split of HotpotQA dev: the 250 questions at odd positions (2nd, 4th, ...), which the
answer scorer never trains on (it takes the even ones; see evals/train_span_scorer.py).

    python -m evals.splits                  # writes evals/questions/hotpotqa-report.jsonl
    webqa eval evals/questions/hotpotqa-report.jsonl --index eval-hotpotqa

The dev file lists bridge questions first and comparison questions last, so alternating positions keep
both kinds in both halves."""

from __future__ import annotations

from pathlib import Path

from webqa.evaluation.datasets import load_dataset
from webqa.evaluation.gold import write_gold_file

REPORT = Path("evals/questions/hotpotqa-report.jsonl")


def main() -> None:
    items = load_dataset("hotpotqa", None).items[1::2]
    write_gold_file(items, REPORT)
    print(f"wrote {REPORT} ({len(items)} questions)")


if __name__ == "__main__":
    main()
