"""Batch QA: one line per input item, in order, errors inline, resumable after a crash, pool or no pool."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.batch_fakes import failing_factory, make_fake, nan_factory
from webqa.batch import run_batch
from webqa.errors import InputError
from webqa.questions import QuestionItem

REPO_ROOT = Path(__file__).resolve().parents[1]
RECORD_KEYS = {"id", "question", "answer", "short_answer", "abstained", "citations", "actions", "timings", "error"}


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def read_records(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    assert data == b"" or data.endswith(b"\n")
    return [json.loads(line) for line in data.split(b"\n")[:-1]]


def numbered(tmp_path: Path, count: int, name: str = "q.jsonl") -> Path:
    return write_jsonl(tmp_path / name, [{"id": f"q{i:02d}", "question": f"question {i}"} for i in range(count)])


MIXED = [
    {"id": "ok", "question": "Who was Lothair II?", "answers": ["a king"]},
    '{"id": "broken", "question": ',
    {"id": "boom", "question": "please fail"},
    {"id": "chat", "turns": ["Who was Einstein?", "When was he born?"]},
    {"question": "an unknowable thing"},
    {"id": "empty", "question": ""},
]


def test_every_item_gets_one_line_in_order_and_errors_do_not_stop_the_run(tmp_path: Path) -> None:
    questions = write_jsonl(tmp_path / "q.jsonl", MIXED)
    out = tmp_path / "out" / "answers.jsonl"

    summary = run_batch(questions, out, make_fake, progress=False)

    records = read_records(out)
    assert [r["id"] for r in records] == ["ok", "line-2", "boom", "chat", "line-5", "empty"]
    assert all(r.keys() >= RECORD_KEYS for r in records)
    ok, broken, boom, chat, unknowable, empty = records
    assert ok["answer"] == "answer to Who was Lothair II?" and ok["error"] is None and ok["gold"] == ["a king"]
    assert broken["error"].startswith("line 2: not valid JSON") and broken["question"] is None
    assert boom["error"] == "ValueError: cannot answer 'please fail'"
    assert (boom["answer"], boom["abstained"], boom["citations"], boom["actions"]) == ("", False, [], [])
    assert boom["question"] == "please fail"
    assert [t["question"] for t in chat["turns"]] == ["Who was Einstein?", "When was he born?"]
    assert chat["question"] is None and chat["error"] is None
    assert unknowable["abstained"] is True
    assert empty["error"] == 'line 6: "question" is empty'
    assert summary.total == 6 and summary.answered == 3 and summary.errors == 3
    assert summary.abstained == 1 and summary.skipped_resumed == 0 and summary.out == str(out)


@pytest.mark.parametrize(
    ("name", "text", "ids"),
    [
        ("q.csv", "id,question,answers\na,first?,x|y\n,second?,\n", ["a", "line-3"]),
        ("q.txt", "first?\n\nsecond?\n", ["line-1", "line-3"]),
    ],
)
def test_csv_and_txt_inputs(tmp_path: Path, name: str, text: str, ids: list[str]) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")

    run_batch(tmp_path / name, tmp_path / "out.jsonl", make_fake, progress=False)

    records = read_records(tmp_path / "out.jsonl")
    assert [r["id"] for r in records] == ids
    assert [r["question"] for r in records] == ["first?", "second?"]


def test_records_that_are_not_json_become_error_lines(tmp_path: Path) -> None:
    def weird(item: QuestionItem) -> Any:
        return ["not", "a", "dict"] if item.id == "q00" else {"answer": object()}

    run_batch(numbered(tmp_path, 3), tmp_path / "out.jsonl", lambda: weird, progress=False)
    run_batch(numbered(tmp_path, 3), tmp_path / "nan.jsonl", nan_factory, progress=False)

    errors = [r["error"] for r in read_records(tmp_path / "out.jsonl")]
    assert errors[0] == "TypeError: the answer function returned list, not a dict"
    assert errors[1].startswith("TypeError: Object of type object is not JSON serializable")
    assert read_records(tmp_path / "nan.jsonl")[0]["error"].startswith("ValueError: Out of range float")


def test_progress_bar_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_batch(numbered(tmp_path, 3), tmp_path / "out.jsonl", make_fake)

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "3/3" in captured.err and "answered=3" in captured.err and "errors=0" in captured.err


def test_factory_failure_and_ctrl_c_are_not_swallowed(tmp_path: Path) -> None:
    questions, out = numbered(tmp_path, 5), tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError, match="model file missing"):
        run_batch(questions, out, failing_factory, progress=False)
    assert out.read_bytes() == b""

    def interrupted(item: QuestionItem) -> dict[str, Any]:
        if item.id == "q02":
            raise KeyboardInterrupt
        return {"answer": "a"}

    with pytest.raises(KeyboardInterrupt):
        run_batch(questions, out, lambda: interrupted, progress=False)
    assert [r["id"] for r in read_records(out)] == ["q00", "q01"]


def test_resume_truncates_a_partial_last_line_and_answers_only_the_rest(tmp_path: Path) -> None:
    questions, out = numbered(tmp_path, 5), tmp_path / "out.jsonl"
    run_batch(questions, out, partial(make_fake, tag="first"), progress=False)
    lines = out.read_bytes().split(b"\n")
    out.write_bytes(b"\n".join(lines[:2]) + b"\n" + lines[2][:25])  # two whole lines and a torn third

    summary = run_batch(questions, out, partial(make_fake, tag="second"), progress=False)

    records = read_records(out)
    assert [r["id"] for r in records] == ["q00", "q01", "q02", "q03", "q04"]
    assert [r["tag"] for r in records] == ["first", "first", "second", "second", "second"]
    assert (summary.skipped_resumed, summary.answered, summary.total) == (2, 3, 5)

    # A finished file: nothing to answer, so the factory (which would fail) is never called.
    again = run_batch(questions, out, failing_factory, progress=False)
    assert (again.skipped_resumed, again.answered, again.errors) == (5, 0, 0)


def test_resume_cuts_damage_after_lines_proven_to_be_ours(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    questions, out = numbered(tmp_path, 4), tmp_path / "out.jsonl"
    run_batch(questions, out, partial(make_fake, tag="first"), progress=False)
    lines = out.read_bytes().split(b"\n")
    out.write_bytes(b"\n".join([lines[0], b"garbage", *lines[2:]]))

    with caplog.at_level("WARNING", logger="webqa.batch"):
        run_batch(questions, out, partial(make_fake, tag="second"), progress=False)

    assert [r["tag"] for r in read_records(out)] == ["first", "second", "second", "second"]
    assert "line 2 is damaged" in caplog.text
    out.write_bytes(b"\n".join(lines[:3]) + b"\n" + b"\0" * 100)  # a power cut's zero-filled tail
    summary = run_batch(questions, out, make_fake, progress=False)
    assert [r["id"] for r in read_records(out)] == ["q00", "q01", "q02", "q03"] and summary.skipped_resumed == 3


def test_resume_refuses_output_of_another_question_file(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run_batch(numbered(tmp_path, 3, "a.jsonl"), out, make_fake, progress=False)
    before = out.read_bytes()
    other = write_jsonl(tmp_path / "b.jsonl", [{"id": "x", "question": "different"}] * 3)

    with pytest.raises(InputError, match="another question file") as caught:
        run_batch(other, out, make_fake, progress=False)
    assert "new --out" in str(caught.value) and "'q00'" in str(caught.value)
    with pytest.raises(InputError, match="another question file"):  # more answers than questions
        run_batch(numbered(tmp_path, 2, "c.jsonl"), out, make_fake, progress=False)
    assert out.read_bytes() == before


def test_resume_refuses_a_file_that_is_not_batch_output(tmp_path: Path) -> None:
    questions = numbered(tmp_path, 2)
    notes = tmp_path / "notes.jsonl"
    notes.write_text("my precious notes\nmore notes\n", encoding="utf-8")

    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(questions.read_bytes().split(b"\n")[0] + b"\n")
    for foreign in (notes, copy):
        with pytest.raises(InputError, match="does not start with an answer record"):
            run_batch(questions, foreign, make_fake, progress=False)
    assert copy.read_bytes() == questions.read_bytes().split(b"\n")[0] + b"\n"
    with pytest.raises(InputError, match="is a folder"):
        run_batch(questions, tmp_path, make_fake, progress=False)
    with pytest.raises(InputError, match="question file itself"):
        run_batch(questions, questions, make_fake, progress=False)
    assert notes.read_text(encoding="utf-8") == "my precious notes\nmore notes\n"


def test_unpicklable_factory_is_refused_before_any_pool_starts(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="picklable"):
        run_batch(numbered(tmp_path, 2), tmp_path / "out.jsonl", lambda: make_fake(), workers=2, progress=False)


def test_pool_writes_in_input_order_and_builds_one_answerer_per_worker(tmp_path: Path, monkeypatch) -> None:
    rows: list[Any] = [{"id": f"q{i:02d}", "question": f"question {i}"} for i in range(12)]
    rows[4] = "not json"
    rows[7] = {"id": "q07", "question": "please fail"}
    questions, out = write_jsonl(tmp_path / "q.jsonl", rows), tmp_path / "out.jsonl"

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    summary = run_batch(questions, out, partial(make_fake, delay=0.05, vary_delay=True), workers=2, progress=False)

    records = read_records(out)
    assert [r["id"] for r in records] == [f"q{i:02d}" if i != 4 else "line-5" for i in range(12)]
    answered = [r for r in records if r["error"] is None]
    finish_times = [r["finished_at"] for r in answered]
    assert finish_times != sorted(finish_times), "the fake should have finished some items out of order"
    pids = {r["pid"] for r in answered}
    assert len(pids) == 2 and os.getpid() not in pids
    assert {r["factory_calls"] for r in answered} == {1}
    # Each worker gets its share of the cores, not all of them (oversubscribed workers ran 4x slower).
    assert {r["threads"] for r in answered} == {str(max(1, (os.cpu_count() or 1) // 2))}
    assert records[4]["error"].startswith("line 5: not valid JSON")
    assert records[7]["error"] == "ValueError: cannot answer 'please fail'"
    assert (summary.answered, summary.errors, summary.total) == (10, 2, 12)


def test_pool_factory_failure_is_raised_with_its_message(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError, match="model file missing"):
        run_batch(numbered(tmp_path, 4), out, failing_factory, workers=2, progress=False)
    assert out.read_bytes() == b""


def test_kill_9_mid_run_then_resume_loses_and_repeats_nothing(tmp_path: Path) -> None:
    questions, out = numbered(tmp_path, 30), tmp_path / "out.jsonl"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "tests.batch_fakes", str(questions), str(out), str(first_log)]
    written_before = kill_9_once_it_wrote(command, out, 4, env, timeout_s=30)
    assert 4 <= len(written_before) < 30

    summary = run_batch(questions, out, partial(make_fake, tag="second", log=str(second_log)), progress=False)

    final = out.read_bytes()
    records = read_records(out)
    assert [r["id"] for r in records] == [f"q{i:02d}" for i in range(30)]
    assert final.split(b"\n")[: len(written_before)] == written_before  # kept byte for byte
    assert {r["tag"] for r in records[: len(written_before)]} == {"first"}
    assert {r["tag"] for r in records[len(written_before) :]} == {"second"}
    recomputed = second_log.read_text(encoding="utf-8").split()
    assert recomputed == [f"q{i:02d}" for i in range(len(written_before), 30)]
    assert summary.skipped_resumed == len(written_before) and summary.answered == 30 - len(written_before)


def kill_9_once_it_wrote(
    command: list[str], out: Path, lines: int, env: dict[str, str], timeout_s: float
) -> list[bytes]:
    """Run a batch in a subprocess, kill -9 it once `out` holds `lines` lines; the complete lines it left."""
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    try:
        deadline = time.monotonic() + timeout_s
        while not (out.exists() and out.read_bytes().count(b"\n") >= lines):
            assert process.poll() is None, "the batch subprocess ended before it could be killed"
            assert time.monotonic() < deadline, "the batch subprocess wrote nothing"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    snapshot = out.read_bytes()
    return snapshot[: snapshot.rfind(b"\n") + 1].split(b"\n")[:-1]
