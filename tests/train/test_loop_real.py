"""The whole loop with the real models, as a user runs it: synthesize training data from gold answers,
fine-tune the embedded SmolLM2 a step, train a reward model a few steps, then answer with --best-of 2 from
the fine-tuned GGUF ranked by the new reward model (and load the fine-tuned folder as hf: too)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webqa.cli import main
from webqa.config import Settings
from webqa.llm import load_llm

pytestmark = pytest.mark.slow

STEMS = ["Ash", "Bel", "Cor", "Dun", "Eld", "Fen", "Gar", "Hal", "Ivy", "Jor"]
ENDINGS = ["ford", "mere", "wick", "holm"]
RIVERS = ["Tamble", "Orrin", "Wend", "Lusk"]


def _towns() -> list[tuple[str, int, str]]:
    return [
        (stem + ending, 3 + i * 4 + j, RIVERS[j]) for i, stem in enumerate(STEMS) for j, ending in enumerate(ENDINGS)
    ]


def test_synthesize_train_and_answer_with_best_of_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    pytest.importorskip("trl")
    pytest.importorskip("llama_cpp")
    monkeypatch.setenv("WEBQA_INDEX_DIR", str(tmp_path / "indexes"))
    corpus, questions = tmp_path / "towns.jsonl", tmp_path / "questions.jsonl"
    with open(corpus, "w") as docs, open(questions, "w") as gold:
        for name, bridges, river in _towns():
            text = f"{name} is a market town on the river {river}. {name} has {bridges} stone bridges."
            docs.write(json.dumps({"id": name, "title": name, "text": text}) + "\n")
            gold.write(json.dumps({"id": name, "question": f"How many stone bridges does {name} have?",
                                   "answers": [str(bridges)]}) + "\n")  # fmt: skip
    assert main(["index", "build", str(corpus), "--name", "towns"]) == 0
    data = tmp_path / "data"
    assert main(["feedback", "synthesize", str(questions), "--index", "towns", "--out", str(data), "-q"]) == 0
    sft_lines = (data / "sft.jsonl").read_text().splitlines()
    assert len(sft_lines) >= 30, capsys.readouterr().err
    assert main(["train", "sft", str(data / "sft.jsonl"), "--out", str(tmp_path / "sft"), "--max-steps", "1",
                 "--batch-size", "2", "--quiet"]) == 0  # fmt: skip
    assert main(["train", "reward", str(data / "preferences.jsonl"), "--out", str(tmp_path / "rm"),
                 "--max-steps", "3", "--quiet"]) == 0  # fmt: skip
    record = json.loads((tmp_path / "sft" / "training.json").read_text())
    assert record["steps"] == 1 and record["gguf"]["replaced_tensors"] == 60  # q and v of 30 blocks
    capsys.readouterr()

    code = main(["ask", "How many stone bridges does Corwick have?", "--index", "towns", "--mode", "abstractive",
                 "--llm", f"llamacpp:{tmp_path / 'sft' / 'model.gguf'}", "--best-of", "2", "--reward",
                 str(tmp_path / "rm"), "--json", "--trace"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    answer = json.loads(out)
    notes = answer["trace"]["answer"]
    if not notes["fell_back_to_extractive"]:
        samples = notes["best_of"]
        assert len(samples) == 2 and sum(s["chosen"] for s in samples) == 1
        assert all({"written", "kept", "reward", "supported_share", "score"} <= set(s) for s in samples)
    assert answer["citations"] and answer["error"] is None

    tuned = load_llm(Settings(llm=f"hf:{tmp_path / 'sft'}", llm_max_tokens=8))
    assert tuned.complete([("user", "How many stone bridges does Corwick have?")]).strip()
