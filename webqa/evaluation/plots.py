"""The report's figures (matplotlib, written as PNG): score and latency distributions per system."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from webqa.evaluation.scoring import PHASES, calibration_bins, calibration_error, risk_coverage

if TYPE_CHECKING:
    from webqa.evaluation.runner import SystemRun

SCORES_PNG = "scores.png"
LATENCY_PNG = "latency.png"
CONFIDENCE_PNG = "confidence.png"


def plotting_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def write_plots(systems: list[SystemRun], folder: Path, suffix: str) -> dict[str, Path]:
    """Both figures as `<name><suffix>` files in `folder` (the caller moves them into place)."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers and in CI
    import matplotlib.pyplot as plt

    written = {}
    figure = _scores_figure(plt, systems)
    written[SCORES_PNG] = _save(plt, figure, folder / f"{SCORES_PNG}{suffix}")
    figure = _latency_figure(plt, systems)
    written[LATENCY_PNG] = _save(plt, figure, folder / f"{LATENCY_PNG}{suffix}")
    rated = [run for run in systems if calibration_bins(run.scores)]
    if rated:  # only systems that estimate a confidence (not the baseline)
        figure = _confidence_figure(plt, rated)
        written[CONFIDENCE_PNG] = _save(plt, figure, folder / f"{CONFIDENCE_PNG}{suffix}")
    return written


def _save(plt, figure, path: Path) -> Path:  # noqa: ANN001
    figure.tight_layout()
    figure.savefig(path, dpi=110, format="png")
    plt.close(figure)
    return path


def _scores_figure(plt, systems: list[SystemRun]):  # noqa: ANN001, ANN202
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    bins = [i / 10 for i in range(11)]
    for run in systems:
        f1 = [s.f1 for s in run.scores if s.f1 is not None]
        left.hist(f1, bins=bins, alpha=0.6, label=f"{run.name} (n={len(f1)})")
    left.set(title="Short-answer token F1 per question", xlabel="token F1", ylabel="questions")
    left.legend()
    metrics = ["exact_match", "f1", "answer_recall", "supporting_recall", "citation_recall", "citation_precision"]
    width = 0.8 / max(1, len(systems))
    for offset, run in enumerate(systems):
        values = [run.summary.get(m) or 0.0 for m in metrics]
        right.bar([i + offset * width for i in range(len(metrics))], values, width=width, label=run.name)
    right.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(metrics))])
    right.set_xticklabels([m.replace("_", "\n") for m in metrics], fontsize=8)
    right.set(title="Mean scores", ylim=(0, 1))
    right.legend()
    return figure


def _latency_figure(plt, systems: list[SystemRun]):  # noqa: ANN001, ANN202
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    every = [s.latency_s for run in systems for s in run.scores if s.latency_s is not None]
    top = max(every, default=1.0) or 1.0
    bins = [top * i / 20 for i in range(21)]  # the same bins for every system, so the bars compare
    for run in systems:
        seconds = [s.latency_s for s in run.scores if s.latency_s is not None]
        left.hist(seconds, bins=bins, alpha=0.6, label=f"{run.name} (p50 {run.summary.get('latency_p50_s')} s)")
    left.set(title="Latency per question", xlabel="seconds", ylabel="questions")
    left.legend()
    names = [run.name for run in systems]
    bottoms = [0.0] * len(systems)
    for phase in PHASES:
        values = [run.summary.get(f"{phase[:-2]}_p50_s") or 0.0 for run in systems]
        right.bar(names, values, bottom=bottoms, label=phase[:-2])
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    right.set(title="Median seconds per phase", ylabel="seconds")
    right.legend(fontsize=8)
    return figure


def _confidence_figure(plt, systems: list[SystemRun]):  # noqa: ANN001, ANN202
    """A reliability diagram (accuracy per confidence bin against the diagonal) and the risk-coverage curve."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
    for run in systems:
        bins = calibration_bins(run.scores)
        means = [sum(s.confidence or 0.0 for s in members) / len(members) for _, _, members in bins]
        accuracy = [sum(bool(s.guess_right) for s in members) / len(members) for _, _, members in bins]
        sizes = [12 + 3 * len(members) ** 0.5 for _, _, members in bins]
        ece = calibration_error(run.scores)
        left.plot(means, accuracy, marker="o", label=f"{run.name} (ECE {ece:.3f})")
        left.scatter(means, accuracy, s=sizes, alpha=0.3)
        curve = risk_coverage(run.scores)
        right.plot([c for c, _ in curve], [a for _, a in curve], label=run.name)
    left.set(title="Calibration of confidence", xlabel="confidence", ylabel="share right", xlim=(0, 1), ylim=(0, 1))
    left.legend(fontsize=8)
    right.set(
        title="Risk-coverage: the most confident answers given",
        xlabel="share of questions answered",
        ylabel="accuracy of those answered",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    right.legend(fontsize=8)
    return figure
