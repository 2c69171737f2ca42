"""Write the report split of HotpotQA dev: the 250 questions at odd positions (2nd, 4th, ...), which the
answer scorer and the confidence never train on (they take the even ones; see evals/train_span_scorer.py
and evals/train_confidence.py), as they are and with half of all 500 made unanswerable.

    python -m evals.splits                  # writes the two files below
    webqa eval evals/questions/hotpotqa-report.jsonl --index eval-hotpotqa
    webqa eval evals/questions/hotpotqa-unanswerable-report.jsonl --index eval-hotpotqa-unanswerable-HASH

The reduced corpus's index (HASH is printed here) is the one `webqa eval hotpotqa --unanswerable-share 0.5`
builds over all 500 questions; `python -m evals.train_confidence` builds it too.

The dev file lists bridge questions first and comparison questions last, so alternating positions keep
both kinds in both halves."""

from __future__ import annotations

from pathlib import Path

from webqa.evaluation.datasets import load_dataset
from webqa.evaluation.gold import write_gold_file
from webqa.evaluation.unanswerable import with_unanswerable

REPORT = Path("evals/questions/hotpotqa-report.jsonl")
UNANSWERABLE_REPORT = Path("evals/questions/hotpotqa-unanswerable-report.jsonl")


def main() -> None:
    hotpot = load_dataset("hotpotqa", None)
    items = hotpot.items[1::2]
    write_gold_file(items, REPORT)
    print(f"wrote {REPORT} ({len(items)} questions)")
    built = with_unanswerable(hotpot, hotpot.items, 0.5)  # the corpus `--unanswerable-share 0.5` builds
    odd = built.dataset.items[1::2]
    write_gold_file(odd, UNANSWERABLE_REPORT)
    gone = sum(not i.gold[0].answerable for i in odd)
    print(f"wrote {UNANSWERABLE_REPORT} ({len(odd)} questions, {gone} unanswerable; index eval-{built.dataset.name})")


if __name__ == "__main__":
    main()
