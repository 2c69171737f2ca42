"""What a trained model folder says about itself: `training.json` for programs (the kind of model, how it
was trained, its figures) and `README.md`, a model card for people."""

from __future__ import annotations

import hashlib
import json
import resource
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from webqa.answer.reward import TRAINING_FILE
from webqa.jsonl import write_atomically


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def peak_memory_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def read_training_record(folder: Path) -> dict[str, Any]:
    return json.loads((Path(folder) / TRAINING_FILE).read_text(encoding="utf-8"))


def training_record(
    kind: str, base_name: str, data: Path, options: object, steps: int, seconds: float,
    history: list[dict[str, float]], **figures: Any,
) -> dict[str, Any]:  # fmt: skip
    """What every trained folder records: what it learnt from, how, how long, and its own figures."""
    return {
        "kind": kind,
        "base_model": base_name,
        "data": str(data),
        "data_sha256": file_digest(data),
        **figures,
        "steps": steps,
        "options": {key: value for key, value in asdict(options).items() if key != "progress"},  # type: ignore[call-overload]
        "train_seconds": round(seconds, 1),
        "peak_memory_mb": peak_memory_mb(),
        "loss_history": history,
    }


def write_card(folder: Path, record: dict[str, Any], title: str, usage: list[str]) -> None:
    """training.json and README.md in `folder` (the not yet swapped-in partial folder)."""
    write_atomically(folder / TRAINING_FILE, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    lines = [f"# {title}", "", "Trained by webqa on this machine's CPU.", "", "## Use", ""]
    lines += [f"    {command}" for command in usage]
    lines += ["", "## Training", ""]
    lines += [f"- {key.replace('_', ' ')}: {_shown(value)}" for key, value in record.items() if key != "loss_history"]
    history = record.get("loss_history") or []
    if history:
        lines += ["", "## Training loss", "", "| step | loss |", "|---|---|"]
        lines += [f"| {point['step']} | {point['loss']:.4f} |" for point in history]
    write_atomically(folder / "README.md", "\n".join(lines) + "\n")


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key} {_shown(item)}" for key, item in value.items())
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
