"""What a run writes: report.json (every figure and every question's scores), report.md (the tables and
notes a reader needs) and the plots. Files are written under temporary names and moved into place at the
end, report.json last, so a crash never leaves a half-written report beside a finished one."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from webqa.evaluation.plots import LATENCY_PNG, SCORES_PNG, plotting_available, write_plots
from webqa.evaluation.runner import EvalRun, SystemRun

# (summary key, label, kind): kind "score" is a mean in [0, 1], "rate" a share, "count"/"seconds" as named.
METRICS = [
    ("exact_match", "exact match (short answer)", "score"),
    ("f1", "token F1 (short answer)", "score"),
    ("answer_recall", "answer recall (gold in answer)", "score"),
    ("answer_f1", "token F1 (whole answer)", "score"),
    ("supporting_recall", "gold passages cited (recall)", "score"),
    ("supporting_precision", "cited passages that are gold (precision)", "score"),
    ("retrieved_gold_recall", "gold passages among those retrieved", "score"),
    ("citation_recall", "citation recall (ALCE, our checker)", "score"),
    ("citation_precision", "citation precision (ALCE, our checker)", "score"),
    ("abstention_rate", "abstention rate", "rate"),
    ("abstention_rate_answerable", "abstention rate on answerable", "rate"),
    ("unanswerable_accuracy", "abstained on unanswerable (abstention recall)", "rate"),
    ("abstention_precision", "abstentions on unanswerable (abstention precision)", "rate"),
    ("answered_answerable", "answered when answerable", "rate"),
    ("accuracy_of_answered", "accuracy of answered (EM or gold in answer)", "rate"),
    ("confidence_ece", "confidence calibration error (ECE, 10 bins)", "score"),
    ("clarification_rate", "clarifying questions asked", "rate"),
    ("citations_per_answer", "citations per answer", "count"),
    ("actions_per_question", "browser actions per question", "count"),
    ("latency_p50_s", "latency p50 (s)", "seconds"),
    ("latency_p95_s", "latency p95 (s)", "seconds"),
    ("search_p50_s", "  search p50 (s)", "seconds"),
    ("open_p50_s", "  open p50 (s)", "seconds"),
    ("find_p50_s", "  find p50 (s)", "seconds"),
    ("quote_p50_s", "  quote p50 (s)", "seconds"),
    ("answer_p50_s", "  answer p50 (s)", "seconds"),
    ("model_p50_s", "    of it, the model scoring candidates, p50 (s)", "seconds"),
    ("answering_s", "time answering, all questions (s)", "seconds"),
    ("errors", "questions that failed (errors)", "count"),
]

NOTES = [
    "Short answers are scored with SQuAD v1.1 normalisation (lower case, no punctuation or articles).",
    "Citation recall and precision follow ALCE's definitions (a sentence is supported when its cited quotes "
    "together support it; a citation is irrelevant when it does not support the sentence alone and the other "
    "citations still do), but the judge is webqa's own support checker (OverlapSupport: word coverage and "
    "similarity under {embedder}, threshold 0.7), the one the answerer uses, not ALCE's NLI model. They measure "
    "consistency with that checker, not independent faithfulness. Extractive answers are quoted sentences, "
    "so their citation recall is high by construction.",
    "Abstentions and clarifying questions score 0 on answerable questions and are left out of the citation "
    "metrics; supporting-passage precision counts answers that cite something.",
    "The baseline (when run) is naive RAG built with LangChain: dense top-k chunks of the same index stuffed "
    "into one prompt for the same model within its context budget, asked to cite [n]. Its short answer is "
    "its whole reply, which lowers its exact match.",
    "Confidence is the answer's estimated probability of being right (for an abstention, that of the answer "
    "it withheld, its `best_guess`). The calibration error compares it with whether that answer was right "
    "(its short answer names a gold answer, or, without one, its text holds one; never on an unanswerable "
    "question). The risk-coverage curve shows the accuracy of the answers given when only the most "
    "confident share of them is given.",
    "Latency includes model calls but not model loading; phases come from the answer's own timings.",
]


def write_report(run: EvalRun) -> dict[str, Path]:
    suffix = f".tmp-{os.getpid()}"
    pending: dict[str, Path] = {}
    try:
        plots_note = None
        if plotting_available():
            pending.update(write_plots(run.systems, run.out, suffix))
        else:
            plots_note = "Plots were skipped: matplotlib is not installed (pip install 'webqa[bench]')."
        plots = list(pending)
        pending["report.md"] = _write(run.out / f"report.md{suffix}", render_markdown(run, plots_note, plots))
        pending["report.json"] = _write(run.out / f"report.json{suffix}", json.dumps(report_data(run), indent=2))
        final = {}
        for name, tmp in pending.items():  # report.json was added last, so it lands last
            final[name] = run.out / name
            os.replace(tmp, final[name])
        return final
    finally:
        for tmp in pending.values():
            tmp.unlink(missing_ok=True)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def notes(run: EvalRun) -> list[str]:
    return [note.replace("{embedder}", str(run.info["settings"]["embedding_model"])) for note in NOTES]


def report_data(run: EvalRun) -> dict[str, Any]:
    return {
        "info": run.info,
        "notes": notes(run),
        "systems": {
            s.name: {"summary": s.summary, "wall_s": s.wall_s, "questions": [asdict(q) for q in s.scores]}
            for s in run.systems
        },
    }


def render_markdown(
    run: EvalRun, plots_note: str | None = None, plots: Sequence[str] = (SCORES_PNG, LATENCY_PNG)
) -> str:
    info = run.info
    lines = [
        f"# webqa eval: {info['dataset']}",
        "",
        f"- command: `{info['command']}`" if info.get("command") else "",
        f"- questions: {info['items']} of {info['of_items']} ({run.systems[0].summary['questions']} scored "
        "questions and turns)",
        f"- corpus: {info['corpus']} (index `{info['index']}`)",
        f"- source: `{info['source']}`",
        "- settings: " + ", ".join(f"{k}={v}" for k, v in info["settings"].items()),
        f"- finished {info['finished_at']}, webqa {info['webqa_version']}",
        "",
        metrics_table(run.systems),
        "",
    ]
    if plots_note:
        lines += [plots_note, ""]
    else:
        for name in plots:
            lines += [f"![{name.removesuffix('.png')}]({name})", ""]
    lines += ["## How to read this", "", *(f"- {note}" for note in notes(run)), ""]
    for system in run.systems:
        failed = [s for s in system.scores if s.error]
        if failed:
            lines += [f"## {system.name}: {len(failed)} failed questions", ""]
            lines += [f"- `{s.id}`: {s.error}" for s in failed[:10]]
            lines.append("")
    return "\n".join(line for line in lines if line is not None) + "\n"


def metrics_table(systems: list[SystemRun]) -> str:
    header = "| metric | " + " | ".join(s.name for s in systems) + " |"
    rows = [header, "|---" * (len(systems) + 1) + "|"]
    for key, label, _ in METRICS:
        values = [s.summary.get(key) for s in systems]
        if all(v is None for v in values):
            continue  # not applicable to this set (e.g. no unanswerable questions)
        rows.append(f"| {label} | " + " | ".join(format_value(v) for v in values) + " |")
    if any(s.wall_s for s in systems):  # 0 when this invocation reused every answer
        rows.append("| wall time of this run (s) | " + " | ".join(format_value(s.wall_s) for s in systems) + " |")
    return "\n".join(rows)


def format_value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)
