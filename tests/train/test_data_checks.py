"""What `webqa train` refuses, and why: each refusal one line naming what to do, exit code non-zero."""

from __future__ import annotations

import json

import pytest

from tests.train.conftest import preference_rows, sft_rows, write_rows
from webqa.cli import main
from webqa.errors import InputError
from webqa.feedback.records import SFTExample
from webqa.train.data import hold_back, read_training_file


def test_a_malformed_line_is_named_by_file_and_line(tmp_path):
    rows = [json.dumps(row) for row in sft_rows(3)]
    rows.insert(2, '{"messages": [{"role": "user", "content": "no reply"}]}')
    path = tmp_path / "sft.jsonl"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(InputError, match=rf"{path}:3: not an SFT example line \(messages"):
        read_training_file(path, SFTExample, "sft")


def test_a_line_that_is_not_json_is_named_too(tmp_path):
    path = tmp_path / "sft.jsonl"
    path.write_text(json.dumps(sft_rows(1)[0]) + "\n\n{oops\n")
    with pytest.raises(InputError, match=rf"{path}:3: not an SFT example line \(not JSON"):
        read_training_file(path, SFTExample, "sft")


def test_too_little_data_says_how_much_there_is_and_how_much_is_needed(tmp_path, capsys):
    data = write_rows(tmp_path / "sft.jsonl", sft_rows(5))
    assert main(["train", "sft", str(data), "--out", str(tmp_path / "m")]) == 2
    error = capsys.readouterr().err
    assert "holds 5 SFT examples; training needs at least 20" in error and "Traceback" not in error
    assert not (tmp_path / "m").exists()


def test_preference_pairs_are_checked_as_pairs(tmp_path, capsys):
    rows = preference_rows(25)
    rows[4]["rejected"] = rows[4]["chosen"]  # the same text twice is no comparison
    data = write_rows(tmp_path / "prefs.jsonl", rows)
    assert main(["train", "reward", str(data), "--out", str(tmp_path / "rm")]) == 2
    assert f"{data}:5: not a preference pair line" in capsys.readouterr().err


def test_an_existing_output_folder_is_refused_before_any_work(tmp_path, capsys):
    data = write_rows(tmp_path / "sft.jsonl", sft_rows(25))
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "keep.txt").write_text("mine")
    assert main(["train", "sft", str(data), "--out", str(tmp_path / "m")]) == 1
    error = capsys.readouterr().err
    assert "already exists" in error and "--overwrite" in error
    assert (tmp_path / "m" / "keep.txt").read_text() == "mine"


def test_a_base_model_that_is_not_there_is_refused(tmp_path, capsys):
    data = write_rows(tmp_path / "sft.jsonl", sft_rows(25))
    assert main(["train", "sft", str(data), "--out", str(tmp_path / "m"), "--base", str(tmp_path / "nope")]) == 1
    assert "No base model at" in capsys.readouterr().err


def test_a_missing_data_file_says_how_to_make_one(tmp_path, capsys):
    assert main(["train", "sft", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "m")]) == 2
    assert "webqa feedback export" in capsys.readouterr().err


def test_an_unknown_reward_kind_is_refused(tmp_path, capsys):
    data = write_rows(tmp_path / "prefs.jsonl", preference_rows(25))
    assert main(["train", "reward", str(data), "--out", str(tmp_path / "rm"), "--kind", "svm"]) == 2
    assert "Unknown reward model kind 'svm'" in capsys.readouterr().err


def test_the_held_back_share_is_stable_as_the_file_grows(tmp_path):
    first = [SFTExample.model_validate(row) for row in sft_rows(40)]
    grown = [*first, *(SFTExample.model_validate(row) for row in sft_rows(80)[40:])]
    before, after = hold_back(first, 0.2), hold_back(grown, 0.2)
    assert len(before.held_back) == 8 and len(after.held_back) == 16
    assert len(before.train) + len(before.held_back) == 40
    # nothing trained on before is held back now: a retrained model is never judged on what it saw
    assert not {r.model_dump_json() for r in before.train} & {r.model_dump_json() for r in after.held_back}


def test_best_of_is_refused_outside_the_abstractive_mode_and_without_a_reward_model(tmp_path, capsys):
    assert main(["ask", "Who?", "--best-of", "4"]) == 1
    assert "--mode abstractive" in capsys.readouterr().err
    assert main(["ask", "Who?", "--mode", "abstractive", "--best-of", "4", "--reward", str(tmp_path)]) == 1
    assert f"No reward model at {tmp_path}" in capsys.readouterr().err
