"""`webqa eval compare RUN_A RUN_B`: two runs' figures side by side and the questions each one won.

A run is a run folder (or its report.json); FOLDER@baseline picks the baseline a run scored beside webqa,
so `compare runs/x runs/x@baseline` sets webqa against its own baseline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webqa.errors import InputError
from webqa.evaluation.report import METRICS, format_value

BY = ("f1", "em", "answer_recall", "answer_f1")


@dataclass(frozen=True)
class RunSide:
    label: str
    dataset: str
    summary: dict[str, Any]
    questions: dict[str, dict[str, Any]]  # by question id


@dataclass(frozen=True)
class Comparison:
    a: RunSide
    b: RunSide
    by: str
    wins: list[tuple[dict[str, Any], dict[str, Any]]]  # questions where A scored higher: (A's, B's)
    losses: list[tuple[dict[str, Any], dict[str, Any]]]
    ties: int
    only_one: int  # questions in one run but not the other

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a.label,
            "b": self.b.label,
            "by": self.by,
            "summary": {key: [self.a.summary.get(key), self.b.summary.get(key)] for key, _, _ in METRICS},
            "wins": [a["id"] for a, _ in self.wins],
            "losses": [a["id"] for a, _ in self.losses],
            "ties": self.ties,
            "unmatched": self.only_one,
        }


def load_side(spec: str) -> RunSide:
    path_text, _, system = spec.partition("@")
    system = system or "webqa"
    path = Path(path_text)
    report = path / "report.json" if path.is_dir() else path
    if not report.is_file():
        raise InputError(f"No eval report at {report}. Give a run folder written by `webqa eval`, or its report.json.")
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        systems = data["systems"]
        dataset = data["info"]["dataset"]
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{report} is not a webqa eval report.") from None
    if system not in systems:
        raise InputError(f"{report} has no system {system!r} (it has: {', '.join(systems)}).")
    chosen = systems[system]
    questions = {q["id"]: q for q in chosen["questions"]}
    return RunSide(f"{path_text}@{system}", dataset, chosen["summary"], questions)


def question_score(question: dict[str, Any], by: str) -> float:
    """The per-question score; on an unanswerable question, abstaining is the right answer."""
    if not question["answerable"]:
        return float(question["abstained"])
    return float(question.get(by) or 0.0)


def compare_runs(spec_a: str, spec_b: str, by: str = "f1") -> Comparison:
    if by not in BY:
        raise InputError(f"Unknown --by {by!r}: use one of {', '.join(BY)}.")
    a, b = load_side(spec_a), load_side(spec_b)
    if a.dataset != b.dataset:
        raise InputError(f"{a.label} is a {a.dataset} run and {b.label} a {b.dataset} run; compare runs of one set.")
    wins, losses, ties = [], [], 0
    for qid, qa in a.questions.items():
        qb = b.questions.get(qid)
        if qb is None:
            continue
        difference = question_score(qa, by) - question_score(qb, by)
        if difference > 1e-9:
            wins.append((qa, qb))
        elif difference < -1e-9:
            losses.append((qa, qb))
        else:
            ties += 1
    shared = len(wins) + len(losses) + ties
    only_one = len(a.questions) + len(b.questions) - 2 * shared
    return Comparison(a, b, by, wins, losses, ties, only_one)


def render_comparison(c: Comparison, examples: int = 5) -> str:
    lines = [
        f"# {c.a.label} (A) vs {c.b.label} (B), {c.a.dataset}",
        "",
        "| metric | A | B | B - A |",
        "|---|---|---|---|",
    ]
    for key, label, _ in METRICS:
        va, vb = c.a.summary.get(key), c.b.summary.get(key)
        if va is None and vb is None:
            continue
        delta = _delta(va, vb)
        lines.append(f"| {label} | {format_value(va)} | {format_value(vb)} | {delta} |")
    shared = len(c.wins) + len(c.losses) + c.ties
    lines += [
        "",
        f"Per question, by {c.by} (abstaining counts as right on unanswerable questions), {shared} in both runs: "
        f"A better on {len(c.wins)}, B better on {len(c.losses)}, tied on {c.ties}."
        + (f" {c.only_one} questions are in only one run." if c.only_one else ""),
    ]
    for title, pairs in (("A better", c.wins), ("B better", c.losses)):
        if pairs:
            lines += ["", f"## {title} (first {min(examples, len(pairs))} of {len(pairs)})", ""]
            for qa, qb in pairs[:examples]:
                gold = " | ".join(qa["gold_answers"][:2]) or "(unanswerable)"
                lines.append(
                    f"- `{qa['id']}` {_short(qa['question'])} — gold: {_short(gold)}; A: {_said(qa)}; B: {_said(qb)}"
                )
    return "\n".join(lines) + "\n"


def _delta(a: object, b: object) -> str:
    if isinstance(a, int) and isinstance(b, int):
        return f"{b - a:+d}"
    if isinstance(a, int | float) and isinstance(b, int | float):
        return f"{b - a:+.3f}"
    return "—"


def _said(question: dict[str, Any]) -> str:
    if question.get("error"):
        return "(error)"
    if question["abstained"]:
        return "(abstained)"
    return _short(question["short_answer"])


def _short(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
