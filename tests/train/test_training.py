"""Training runs end to end on a tiny random model: the folder appears whole with its card, loads where the
answer path loads models, and a failed or killed run leaves nothing under the output name."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.train.conftest import preference_rows, sft_rows, write_rows
from webqa.answer.reward import load_reward_model
from webqa.cli import main
from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm import load_llm
from webqa.train.output import model_folder
from webqa.train.reward import RewardOptions, pairwise_accuracy, train_reward
from webqa.train.sft import SFTOptions, train_sft

QUIET = {"progress": False}


def test_sft_writes_a_model_that_loads_as_hf_with_its_card(tiny_model, tmp_path):
    data = write_rows(tmp_path / "sft.jsonl", sft_rows(30))
    out = tmp_path / "models" / "tuned"
    record = train_sft(data, out, SFTOptions(base=str(tiny_model), max_steps=2, **QUIET))
    assert record["steps"] == 2 and record["examples"] == {"train": 27, "held_back": 3, "too_long": 0}
    assert [point["step"] for point in record["loss_history"]] == [1, 2]
    card = (out / "README.md").read_text()
    assert "eval loss before" in card and f"hf:{out}" in card and "| 2 |" in card
    assert json.loads((out / "training.json").read_text())["data_sha256"] == record["data_sha256"]
    assert "gguf" not in record  # a transformers base has no GGUF to export into
    assert [p.name for p in out.parent.iterdir()] == ["tuned"]  # no partial folder left beside it
    llm = load_llm(Settings(llm=f"hf:{out}", llm_max_tokens=4))
    assert isinstance(llm.complete([("user", "How many bridges has Town 3?")]), str)


def test_examples_longer_than_the_context_are_left_out_not_cut(tiny_model, tmp_path):
    rows = sft_rows(30)
    for row in rows[:5]:
        row["messages"][-1]["content"] = " ".join(["bridges"] * 400)
    data = write_rows(tmp_path / "sft.jsonl", rows)
    record = train_sft(data, tmp_path / "m", SFTOptions(base=str(tiny_model), max_steps=1, max_length=200, **QUIET))
    assert record["examples"]["too_long"] == 5 and record["examples"]["train"] + record["examples"]["held_back"] == 25


def test_overwrite_replaces_the_old_model_whole(tiny_model, tmp_path, capsys):
    data = write_rows(tmp_path / "sft.jsonl", sft_rows(25))
    out = tmp_path / "m"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    code = main(["train", "sft", str(data), "--out", str(out), "--base", str(tiny_model), "--max-steps", "1",
                 "--overwrite", "--quiet"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert not (out / "stale.txt").exists() and (out / "config.json").is_file()
    assert "Trained 1 steps" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m", "sft.jsonl"]


def test_a_run_that_fails_while_saving_leaves_nothing_under_the_name(tmp_path):
    out = tmp_path / "m"
    with pytest.raises(RuntimeError), model_folder(out, overwrite=False) as folder:
        (folder / "config.json").write_text("{}")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []


def test_a_killed_run_leaves_nothing_and_the_next_run_clears_its_leftovers(tiny_model, tmp_path):
    data = write_rows(tmp_path / "sft.jsonl", sft_rows(25))
    out = tmp_path / "m"
    abandoned = tmp_path / ".m.partial-999999999"  # what a run killed while saving leaves (its pid is gone)
    abandoned.mkdir()
    command = [sys.executable, "-c", "from webqa.cli import run; run()", "train", "sft", str(data), "--out", str(out),
               "--base", str(tiny_model), "--max-steps", "100000"]  # fmt: skip
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    log = tmp_path / "stderr.txt"
    with open(log, "w") as stderr:
        process = subprocess.Popen(command, env=environment, stderr=stderr, cwd=tmp_path)
        deadline = time.monotonic() + 180
        while "/100000" not in log.read_text() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)  # until the progress bar shows training under way
        assert process.poll() is None, log.read_text()
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert not out.exists()
    train_sft(data, out, SFTOptions(base=str(tiny_model), max_steps=1, **QUIET))
    assert out.is_dir() and not abandoned.exists()


def test_the_lm_reward_model_trains_and_scores_through_the_loader(tiny_model, tmp_path):
    data = write_rows(tmp_path / "prefs.jsonl", preference_rows(30))
    out = tmp_path / "rm"
    record = train_reward(data, out, RewardOptions(kind="lm", base=str(tiny_model), max_steps=2, **QUIET))
    assert record["reward_kind"] == "lm" and record["pairs"] == {"train": 24, "held_back": 6}
    assert 0.0 <= record["held_back_accuracy_after"] <= 1.0
    model = load_reward_model(out)
    prompt = [(m["role"], m["content"]) for m in preference_rows(1)[0]["prompt"]]
    scores = model.score(prompt, ["Town 0 has 0 bridges [1].", "Town 0 lies on a hill [2]."])
    assert len(scores) == 2 and all(isinstance(s, float) for s in scores)


def test_pairwise_accuracy_counts_wins_and_half_ties():
    from webqa.feedback.records import PreferencePair

    pairs = [PreferencePair.model_validate(row) for row in preference_rows(4)]

    class ByWord:
        def __init__(self, word):
            self.word = word

        def score(self, prompt, answers):
            return [float(self.word in answer) for answer in answers]

    assert pairwise_accuracy(ByWord("bridges"), pairs) == 1.0
    assert pairwise_accuracy(ByWord("hill"), pairs) == 0.0

    class Flat:
        def score(self, prompt, answers):
            return [0.0 for _ in answers]

    assert pairwise_accuracy(Flat(), pairs) == 0.5


def test_a_folder_that_is_no_reward_model_is_refused(tiny_model, tmp_path):
    with pytest.raises(WebqaError, match="No reward model"):
        load_reward_model(tmp_path)
    (tmp_path / "training.json").write_text(json.dumps({"kind": "sft"}))
    with pytest.raises(WebqaError, match="holds a sft model, not a reward model"):
        load_reward_model(tmp_path)


def test_an_hf_model_samples_at_the_temperature_and_seed_each_call_asks_for(tiny_model):
    llm = load_llm(Settings(llm=f"hf:{tiny_model}", llm_max_tokens=12))
    messages = [("user", "How many bridges has Town 3?")]
    greedy = "".join(llm.stream(messages))
    first = "".join(llm.stream(messages, temperature=1.5, seed=1))
    assert "".join(llm.stream(messages, temperature=1.5, seed=1)) == first  # a seed repeats
    others = {"".join(llm.stream(messages, temperature=1.5, seed=seed)) for seed in range(2, 6)}
    assert len(others | {first, greedy}) > 2  # sampling, not the greedy reply over and over
    assert "".join(llm.stream(messages, temperature=0.0)) == greedy
