"""`webqa eval` and `webqa eval compare` end to end on small indexes, without a model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DOCUMENTS
from tests.eval.conftest import FIXTURES
from webqa.cli import main

GOLD = [
    {"id": "rel", "question": "Who developed the theory of relativity?", "answers": ["Albert Einstein"],
     "supporting": ["einstein"]},
    {"id": "nile", "question": "Where does the Nile flow into?", "answers": ["the Mediterranean Sea"],
     "supporting": ["Nile"]},
    {"id": "ever", "question": "How high is the summit of Mount Everest?", "answers": ["8,849 metres"]},
    {"id": "none", "question": "What colour is the king's car?", "answers": [], "answerable": False},
]  # fmt: skip


@pytest.fixture
def env(cli_env) -> Path:  # noqa: ANN001
    folder = cli_env(SAMPLE_DOCUMENTS)
    (folder / "gold.jsonl").write_text("".join(json.dumps(line) + "\n" for line in GOLD), encoding="utf-8")
    return folder


def run(*args: str) -> int:
    return main(["eval", *args, "-q"])


def report(folder: Path) -> dict:
    return json.loads((folder / "report.json").read_text(encoding="utf-8"))


def test_eval_answers_scores_and_writes_the_report(env: Path, capsys: pytest.CaptureFixture[str]):
    assert run(str(env / "gold.jsonl"), "--index", "kb", "--out", str(env / "a")) == 0
    out, err = capsys.readouterr()
    assert "| exact match (short answer) |" in out and "report: " in err
    data = report(env / "a")
    summary = data["systems"]["webqa"]["summary"]
    assert (summary["questions"], summary["answerable"], summary["unanswerable"], summary["errors"]) == (4, 3, 1, 0)
    assert summary["answer_recall"] > 0 and summary["citation_recall"] is not None
    assert summary["supporting_recall"] is not None  # the two questions that name their passages
    assert data["info"]["index"] == "kb" and data["info"]["items"] == 4
    questions = {q["id"]: q for q in data["systems"]["webqa"]["questions"]}
    assert questions["rel"]["supporting_recall"] == 1.0  # found Einstein's page and cited it
    assert questions["ever"]["supporting_recall"] is None
    markdown = (env / "a" / "report.md").read_text(encoding="utf-8")
    assert "webqa's own support checker" in markdown and "![scores](scores.png)" in markdown
    for plot in ("scores.png", "latency.png"):
        assert (env / "a" / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list((env / "a").glob("*.tmp*"))


def test_a_rerun_reuses_the_answers_and_other_settings_are_refused(env: Path, capsys: pytest.CaptureFixture[str]):
    gold, out = str(env / "gold.jsonl"), str(env / "a")
    assert run(gold, "--index", "kb", "--out", out, "--limit", "2") == 0
    assert run(gold, "--index", "kb", "--out", out) == 0  # a larger limit: answers the new questions only
    assert len((env / "a" / "answers.jsonl").read_text().splitlines()) == 4
    assert run(gold, "--index", "kb", "--out", out, "--limit", "3") == 0  # a smaller one: nothing to answer
    assert report(env / "a")["systems"]["webqa"]["wall_s"] == 0.0
    assert report(env / "a")["systems"]["webqa"]["summary"]["questions"] == 3
    capsys.readouterr()
    assert run(gold, "--index", "kb", "--out", out, "--policy", "llm") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "policy: 'planned' then, 'llm' now" in err
    assert run(gold, "--index", "kb", "--out", out, "--baseline-k", "5") == 2
    assert "baseline_k: 3 then, 5 now" in capsys.readouterr().err
    # A setting webqa gained after the run was made cannot have shaped its answers.
    config = json.loads((env / "a" / "run.json").read_text())
    del config["settings"]["planned_hops"]
    (env / "a" / "run.json").write_text(json.dumps(config))
    assert run(gold, "--index", "kb", "--out", out) == 0


def test_settings_that_cannot_shape_an_answer_do_not_block_a_resume(env: Path, monkeypatch: pytest.MonkeyPatch):
    gold, out = str(env / "gold.jsonl"), str(env / "a")
    assert run(gold, "--index", "kb", "--out", out, "--limit", "2") == 0
    monkeypatch.setenv("WEBQA_FEEDBACK_PATH", str(env / "elsewhere.jsonl"))
    monkeypatch.setenv("WEBQA_COMPARE_TEMPERATURE", "1.2")
    monkeypatch.setenv("WEBQA_LLM_THREADS", "1")
    assert run(gold, "--index", "kb", "--out", out) == 0


@pytest.mark.parametrize(
    "content",
    [
        '{"id": "a", "question": "Who?", "answers": ["x"]}\n{"id": "b", "question": \n',
        '{"id": "a", "question": "Q?"}\n',
    ],
)
def test_a_malformed_dataset_file_is_one_line_of_error_and_no_report(
    env: Path, capsys: pytest.CaptureFixture[str], content: str
):
    bad = env / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    assert run(str(bad), "--index", "kb", "--out", str(env / "bad-run")) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad} line ") and err.count("\n") == 1 and "Traceback" not in err
    assert not (env / "bad-run").exists()


def test_a_missing_index_is_named_before_any_question_is_asked(env: Path, capsys: pytest.CaptureFixture[str]):
    assert run(str(env / "gold.jsonl"), "--index", "nope", "--out", str(env / "n")) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "nope" in err and err.count("\n") == 1
    assert not (env / "n" / "answers.jsonl").exists()


def test_a_named_benchmark_builds_its_own_index(env: Path, capsys: pytest.CaptureFixture[str]):
    """The fixture slice of the real HotpotQA file: the first three questions and their thirty paragraphs."""
    # The group's options in front of the dataset are the run's (`webqa eval --data-dir D hotpotqa`).
    assert main(["eval", "--data-dir", str(FIXTURES), "hotpotqa", "--limit", "2", "--out", str(env / "h"), "-q"]) == 0
    info = report(env / "h")["info"]
    assert (info["index"], info["items"], info["of_items"]) == ("eval-hotpotqa", 2, 3)
    assert (env / "indexes" / "eval-hotpotqa").is_dir()
    assert report(env / "h")["systems"]["webqa"]["summary"]["supporting_recall"] is not None


def test_a_benchmark_index_cut_by_an_older_splitter_is_rebuilt_and_says_why(
    env: Path, capsys: pytest.CaptureFixture[str]
):
    args = ["eval", "--data-dir", str(FIXTURES), "hotpotqa", "--limit", "1", "-q"]
    assert main([*args, "--out", str(env / "a")]) == 0
    [manifest_file] = (env / "indexes" / "eval-hotpotqa").glob("*/manifest.json")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    del manifest["chunking"]["sentence_splitter"]  # as an index built before the splitter was recorded
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    capsys.readouterr()
    assert main([*args, "--out", str(env / "b")]) == 0
    assert "index eval-hotpotqa: re-embedded everything: the sentence splitter changed" in capsys.readouterr().err


def test_compare_sets_two_runs_side_by_side_with_wins_and_losses(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    gold = str(env / "gold.jsonl")
    assert run(gold, "--index", "kb", "--out", str(env / "a")) == 0
    monkeypatch.setenv("WEBQA_ABSTAIN_BELOW", "0.99")  # B abstains on everything
    assert run(gold, "--index", "kb", "--out", str(env / "b")) == 0
    capsys.readouterr()
    assert main(["eval", "compare", str(env / "a"), str(env / "b")]) == 0
    out = capsys.readouterr().out
    assert "| abstention rate | " in out and "| metric | A | B | B - A |" in out
    scores = {q["id"]: q["f1"] for q in report(env / "a")["systems"]["webqa"]["questions"]}
    wins = sum(1 for qid, f1 in scores.items() if qid != "none" and f1 > 0)
    # B abstained everywhere: A wins wherever it scored; both abstained on the unanswerable question.
    assert f"A better on {wins}, B better on 0, tied on {4 - wins}" in out
    assert "| abstained on unanswerable (abstention recall) | 1.000 | 1.000 | +0.000 |" in out
    assert main(["eval", "compare", str(env / "a"), str(env / "b" / "report.json"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["losses"] == [] and len(data["wins"]) == wins and data["ties"] == 4 - wins


def test_compare_refuses_what_is_not_a_run(env: Path, capsys: pytest.CaptureFixture[str]):
    assert run(str(env / "gold.jsonl"), "--index", "kb", "--out", str(env / "a")) == 0
    capsys.readouterr()
    assert main(["eval", "compare", str(env / "a"), str(env / "a@baseline")]) == 2
    assert "has no system 'baseline' (it has: webqa)" in capsys.readouterr().err
    assert main(["eval", "compare", str(env / "a"), str(env / "nothing")]) == 2
    assert "No eval report at" in capsys.readouterr().err
    shutil.rmtree(env / "a")


def test_list_shows_each_benchmark_and_where_it_is_read_from(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["eval", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["hotpotqa", "yes", "packaged:"],
        ["squad", "yes", "packaged:"],
        ["musique", "yes", "packaged:"],
        ["inscit", "no", "missing:"],
    ]
    assert "inscit/dev.json in a folder FOLDER and pass --data-dir FOLDER" in lines[3]
    assert main(["eval", "--list", "--data-dir", str(FIXTURES), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["origin"] for row in rows} == {"data dir"} and all(row["available"] for row in rows)
    assert rows[3]["paths"] == [str(FIXTURES / "inscit" / "dev.json")]
    assert main(["eval", "--json"]) == 2  # without --list, a run's option: the run needs its dataset
    assert "Usage: webqa eval run" in capsys.readouterr().err


def test_inscit_without_its_data_says_where_to_put_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert run("inscit", "--data-dir", str(tmp_path), "--out", str(tmp_path / "run")) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: INSCIT data not found: {tmp_path / 'inscit' / 'dev.json'}. webqa does not ship")
    assert err.count("\n") == 1 and not (tmp_path / "run").exists()
