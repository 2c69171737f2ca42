"""Training data written as `webqa feedback export` writes it, and a tiny random model to train on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.train.tiny_model import build_tiny_model
from webqa.answer.draft import answer_messages
from webqa.types import Quote


def _prompt(i: int) -> list[dict[str, str]]:
    quotes = [
        Quote(f"Town {i} has {i} bridges over the river.", f"Town {i}", None, f"t{i}", 0, 40),
        Quote(f"Town {i} lies on a hill.", f"Town {i}", None, f"t{i}", 41, 65),
    ]
    return [
        {"role": role, "content": text} for role, text in answer_messages(f"How many bridges has Town {i}?", quotes)
    ]


def sft_rows(count: int) -> list[dict]:
    return [
        {"messages": [*_prompt(i), {"role": "assistant", "content": f"Town {i} has {i} bridges [1]."}]}
        for i in range(count)
    ]


def preference_rows(count: int) -> list[dict]:
    return [
        {
            "prompt": _prompt(i),
            "chosen": [{"role": "assistant", "content": f"Town {i} has {i} bridges [1]."}],
            "rejected": [{"role": "assistant", "content": f"Town {i} lies on a hill [2]."}],
        }
        for i in range(count)
    ]


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    text = json.dumps(sft_rows(40)) + json.dumps(preference_rows(40))
    words = re.findall(r"\w+|[^\w\s]+", text) + ["system", "user", "assistant"]
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", words)
