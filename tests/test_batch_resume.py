"""Resume checks identity: a line that answers another question stops the run, and nothing changes."""

from __future__ import annotations

import hashlib
import json
from functools import partial
from pathlib import Path

import pytest

from tests.batch_fakes import failing_factory, make_fake
from tests.test_batch import read_records, write_jsonl
from webqa.batch import run_batch
from webqa.errors import InputError


def txt(path: Path, *questions: str) -> Path:
    path.write_text("".join(q + "\n" for q in questions), encoding="utf-8")
    return path


def test_every_line_records_a_hash_of_its_input(tmp_path: Path) -> None:
    questions = write_jsonl(
        tmp_path / "q.jsonl",
        [{"id": "a", "question": "Who?"}, {"id": "b", "turns": ["Who?", "When?"]}, '{"broken'],
    )
    out = tmp_path / "out.jsonl"
    run_batch(questions, out, make_fake, progress=False)
    single, chat, broken = read_records(out)
    expected = hashlib.sha256(json.dumps({"question": "Who?", "turns": []}, sort_keys=True).encode()).hexdigest()
    assert single["input_sha256"] == expected
    assert chat["input_sha256"] != expected and len({chat["input_sha256"], broken["input_sha256"]}) == 2


def test_a_txt_file_with_other_questions_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    """Issue 16, finding 3: line ids ("line-1", "line-2") matched, the questions did not."""
    out = tmp_path / "answers.jsonl"
    run_batch(txt(tmp_path / "first.txt", "Who wrote Hamlet?", "What is the Nile?"), out, make_fake, progress=False)
    before = out.read_bytes()
    other = txt(tmp_path / "other.txt", "Who wrote Hamlet?", "Who painted the Mona Lisa?", "Third?")

    with pytest.raises(InputError) as caught:
        run_batch(other, out, failing_factory, progress=False)

    message = str(caught.value)
    assert "line 2 (id 'line-2') answers 'What is the Nile?'" in message
    assert "other.txt line 2 asks 'Who painted the Mona Lisa?'" in message
    assert "new --out" in message and "--restart" in message
    assert out.read_bytes() == before


def test_restart_answers_everything_again(tmp_path: Path) -> None:
    out = tmp_path / "answers.jsonl"
    run_batch(txt(tmp_path / "first.txt", "One?", "Two?"), out, partial(make_fake, tag="old"), progress=False)
    other = txt(tmp_path / "other.txt", "Three?")
    summary = run_batch(other, out, partial(make_fake, tag="new"), progress=False, restart=True)
    assert summary.skipped_resumed == 0 and summary.answered == 1
    assert [(r["question"], r["tag"]) for r in read_records(out)] == [("Three?", "new")]


def test_restart_never_empties_a_file_that_is_not_batch_output(tmp_path: Path) -> None:
    notes = tmp_path / "notes.jsonl"
    notes.write_text("my precious notes\n", encoding="utf-8")
    with pytest.raises(InputError, match="not the output of a batch run"):
        run_batch(txt(tmp_path / "q.txt", "One?"), notes, make_fake, progress=False, restart=True)
    assert notes.read_text(encoding="utf-8") == "my precious notes\n"


def test_old_files_without_the_hash_are_checked_by_their_question_text(tmp_path: Path) -> None:
    out = tmp_path / "answers.jsonl"
    questions = txt(tmp_path / "q.txt", "One?", "Two?", "Three?")
    run_batch(questions, out, make_fake, progress=False)
    records = read_records(out)
    for record in records:
        del record["input_sha256"]  # as written before the hash existed
    write_jsonl(out, records[:2])

    summary = run_batch(questions, out, make_fake, progress=False)  # same questions: resumed
    assert summary.skipped_resumed == 2 and [r["question"] for r in read_records(out)] == ["One?", "Two?", "Three?"]

    write_jsonl(out, records[:2])
    before = out.read_bytes()
    with pytest.raises(InputError, match=r"line 2 \(id 'line-2'\) answers 'Two\?' where .* asks 'Deux\?'"):
        run_batch(txt(tmp_path / "fr.txt", "One?", "Deux?"), out, make_fake, progress=False)
    assert out.read_bytes() == before


def test_the_batch_command_has_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import webqa.shared
    from webqa.cli import main

    monkeypatch.setattr(webqa.shared, "answer_function", lambda settings: make_fake())
    out = tmp_path / "answers.jsonl"
    assert main(["batch", str(txt(tmp_path / "a.txt", "One?")), "--out", str(out), "-q"]) == 0
    capsys.readouterr()
    other = txt(tmp_path / "b.txt", "Two?")
    assert main(["batch", str(other), "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--restart" in err and "Traceback" not in err
    assert main(["batch", str(other), "--out", str(out), "-q", "--restart"]) == 0
    assert [r["question"] for r in read_records(out)] == ["Two?"]
