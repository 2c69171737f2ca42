"""Batch answers on Ray: the local batch's output line for line, resumed after the driver is killed, and
not a question lost or repeated when a worker dies mid-run."""

from __future__ import annotations

import json
import os
import sys
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.batch_fakes import failing_factory, make_fake
from tests.conftest import SAMPLE_DOCUMENTS
from tests.ray_cluster import make_mortal_fake, ray_address  # noqa: F401 - a fixture
from tests.test_batch import MIXED, kill_9_once_it_wrote, numbered, read_records, write_jsonl
from webqa.batch import run_batch

# What differs between two runs of the same answers whatever runs them: which process, when, how long.
VOLATILE = {"pid", "finished_at", "timings", "factory_calls", "threads"}


def comparable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in records]


def ray_pool(actors: int = 2, **options: Any):  # noqa: ANN201 - the pool, which needs ray imported
    import ray

    from webqa.distributed.ray_batch import RayAnswerPool

    return RayAnswerPool(ray, actors, **options)


def test_ray_batch_writes_what_the_local_batch_writes(tmp_path: Path, ray_address: str) -> None:  # noqa: F811
    rows = MIXED + [{"id": f"q{i:02d}", "question": f"question {i}"} for i in range(10)]
    questions = write_jsonl(tmp_path / "q.jsonl", rows)
    local_out, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"

    local = run_batch(questions, local_out, make_fake, progress=False)
    # Every other question slow: the actors finish out of order, the file must not show it.
    fake = partial(make_fake, delay=0.02, vary_delay=True)
    remote = run_batch(questions, ray_out, fake, progress=False, answer_lines=ray_pool())

    local_records, ray_records = read_records(local_out), read_records(ray_out)
    assert comparable(ray_records) == comparable(local_records)
    answered = [r for r in ray_records if r["error"] is None]
    finish_times = [r["finished_at"] for r in answered]
    assert finish_times != sorted(finish_times), "the actors should have finished some items out of order"
    assert len({r["pid"] for r in answered}) == 2 and os.getpid() not in {r["pid"] for r in answered}
    assert {r["factory_calls"] for r in answered} == {1}  # each actor built its answerer once
    assert {r["threads"] for r in answered} == {"1"}  # one CPU per actor, and its threads sized to it
    assert (remote.total, remote.answered, remote.errors, remote.abstained) == (
        local.total,
        local.answered,
        local.errors,
        local.abstained,
    )


def test_a_worker_that_dies_mid_run_loses_and_repeats_no_question(tmp_path: Path, ray_address: str) -> None:  # noqa: F811
    rows: list[Any] = [{"id": f"q{i:02d}", "question": f"question {i}"} for i in range(14)]
    rows[3] = {"id": "once", "question": "die once, then answer"}
    rows[9] = {"id": "always", "question": "die always"}
    questions, out = write_jsonl(tmp_path / "q.jsonl", rows), tmp_path / "out.jsonl"
    log = tmp_path / "answered.log"
    pool = ray_pool()

    factory = partial(make_mortal_fake, str(tmp_path), delay=0.02, log=str(log))
    summary = run_batch(questions, out, factory, progress=False, answer_lines=pool)

    records = read_records(out)
    assert [r["id"] for r in records] == [row["id"] for row in rows]
    assert records[3]["error"] is None and records[3]["answer"] == "answer to die once, then answer"
    assert records[9]["error"].startswith("the Ray worker answering this question died 3 times")
    assert all(r["error"] is None for i, r in enumerate(records) if i != 9)
    # Answered once each in the file; the questions queued behind a dying one were sent again, so the
    # log may hold a few twice, but every one of them at least once.
    assert set(log.read_text(encoding="utf-8").split()) == {row["id"] for i, row in enumerate(rows) if i != 9}
    # One death of "once", three of "always"; on a loaded machine a dead actor's results can take longer to
    # settle than the pool waits, and then its question is sent again unblamed and dies once more.
    assert pool.restarted_actors >= 4
    assert (summary.answered, summary.errors) == (13, 1)


def test_the_driver_killed_mid_run_resumes_where_it_stopped(tmp_path: Path, ray_address: str) -> None:  # noqa: F811
    questions, out = numbered(tmp_path, 30), tmp_path / "out.jsonl"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    command = [sys.executable, "-m", "tests.ray_batch_driver", str(questions), str(out), str(first_log), ray_address]
    # Connecting and starting two actors takes a few seconds before the first line.
    written_before = kill_9_once_it_wrote(command, out, 4, os.environ.copy(), timeout_s=90)
    assert 4 <= len(written_before) < 30

    fake = partial(make_fake, tag="second", log=str(second_log))
    summary = run_batch(questions, out, fake, progress=False, answer_lines=ray_pool())

    records = read_records(out)
    assert [r["id"] for r in records] == [f"q{i:02d}" for i in range(30)]
    assert out.read_bytes().split(b"\n")[: len(written_before)] == written_before  # kept byte for byte
    assert {r["tag"] for r in records[: len(written_before)]} == {"first"}
    assert {r["tag"] for r in records[len(written_before) :]} == {"second"}
    recomputed = sorted(second_log.read_text(encoding="utf-8").split())
    assert recomputed == [f"q{i:02d}" for i in range(len(written_before), 30)]  # each remaining one, once
    assert summary.skipped_resumed == len(written_before) and summary.answered == 30 - len(written_before)


def test_a_factory_that_fails_on_the_workers_raises_its_own_error(tmp_path: Path, ray_address: str) -> None:  # noqa: F811
    out = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError, match="model file missing") as caught:
        run_batch(numbered(tmp_path, 4), out, failing_factory, progress=False, answer_lines=ray_pool())
    assert type(caught.value) is RuntimeError  # the worker's exception itself, not Ray's wrapper
    assert out.read_bytes() == b""


def test_cli_batch_on_ray_equals_the_local_batch_with_the_real_assistant(
    cli_env,
    ray_address: str,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    from webqa.cli import main

    folder = cli_env(SAMPLE_DOCUMENTS)
    questions = write_jsonl(
        folder / "q.jsonl",
        [
            {"id": "a", "question": "Who developed the theory of relativity?"},
            {"id": "b", "question": "Where did Lothair II die?"},
            {"id": "c", "turns": ["What is the Nile?", "Where does it flow?"]},
            "not json",
        ],
    )
    assert main(["batch", str(questions), "--out", str(folder / "local.jsonl"), "-q"]) == 3  # the bad line
    assert main(["batch", str(questions), "--ray", "--out", str(folder / "ray.jsonl"), "-w", "2", "-q"]) == 3
    assert "4 questions: 3 answered" in capsys.readouterr().err

    def without_timings(path: Path) -> list[dict[str, Any]]:
        def strip(record: dict[str, Any]) -> dict[str, Any]:
            kept = {k: v for k, v in record.items() if k != "timings"}
            if "turns" in kept:
                kept["turns"] = [strip(turn) for turn in kept["turns"]]
            return kept

        return [strip(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()]

    local, remote = without_timings(folder / "local.jsonl"), without_timings(folder / "ray.jsonl")
    assert remote == local
    assert local[0]["citations"] and local[0]["error"] is None  # a real answer, not two empty ones


def test_without_ray_installed_the_flag_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from webqa.cli import main

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails as if it were not installed
    questions = numbered(tmp_path, 2)
    code = main(["batch", str(questions), "--out", str(tmp_path / "out.jsonl"), "--ray"])
    err = capsys.readouterr().err
    assert code == 1
    assert "pip install 'webqa[ray]'" in err and "Traceback" not in err
    assert not (tmp_path / "out.jsonl").exists() or (tmp_path / "out.jsonl").read_bytes() == b""


def test_cli_eval_on_ray_scores_what_the_local_eval_scores(cli_env, ray_address: str) -> None:  # noqa: F811
    from tests.eval.test_eval_cli import GOLD
    from webqa.cli import main

    folder = cli_env(SAMPLE_DOCUMENTS)
    gold = write_jsonl(folder / "gold.jsonl", GOLD)
    assert main(["eval", str(gold), "--index", "kb", "--out", str(folder / "local"), "-q"]) == 0
    assert main(["eval", str(gold), "--index", "kb", "--ray", "--out", str(folder / "ray"), "-q"]) == 0

    def summary(run: str) -> dict[str, Any]:
        report = json.loads((folder / run / "report.json").read_text(encoding="utf-8"))
        timed = ("_s", "latency", "per_minute", "per_s")  # seconds and rates differ between any two runs
        return {k: v for k, v in report["systems"]["webqa"]["summary"].items() if not any(t in k for t in timed)}

    assert summary("ray") == summary("local") and summary("ray")["questions"] == len(GOLD)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["batch", "q.jsonl", "--ray"], ["batch", "q.jsonl", "--ray=local"]),
        (["batch", "q.jsonl", "--ray", "--out", "a"], ["batch", "q.jsonl", "--ray=local", "--out", "a"]),
        (["index", "build", "--ray", "corpus.jsonl"], ["index", "build", "--ray=local", "corpus.jsonl"]),
        (["batch", "q", "--ray", "auto"], ["batch", "q", "--ray", "auto"]),
        (["batch", "q", "--ray", "ray://head:10001"], ["batch", "q", "--ray", "ray://head:10001"]),
        (["batch", "q", "--ray", "10.0.0.5:6379"], ["batch", "q", "--ray", "10.0.0.5:6379"]),
        (["batch", "q", "--ray=auto"], ["batch", "q", "--ray=auto"]),
        (["ask", "--", "--ray"], ["ask", "--", "--ray"]),  # after --, words are arguments
    ],
)
def test_a_bare_ray_flag_means_a_local_ray(argv: list[str], expected: list[str]) -> None:
    from webqa.cli.ray_option import expand_bare_ray

    assert expand_bare_ray(argv) == expected
