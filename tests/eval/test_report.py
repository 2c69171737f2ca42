"""The report files: written whole or not at all; rows that do not apply are left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from webqa.evaluation.report import metrics_table, write_report
from webqa.evaluation.runner import EvalRun, SystemRun
from webqa.evaluation.scoring import QuestionScore, summarise


def a_score(qid: str, f1: float) -> QuestionScore:
    return QuestionScore(
        qid, "Who?", ["Ann"], True, "Ann", "Ann [1].", False, False, None, f1, f1, f1, f1,
        None, None, 1.0, 1.0, 1, 4, 0.5 + f1, {"search_s": 0.1, "answer_s": 0.3},
    )  # fmt: skip


def a_run(out: Path, info: dict) -> EvalRun:
    scores = [a_score("a", 1.0), a_score("b", 0.0)]
    return EvalRun(out, info, [SystemRun("webqa", summarise(scores), scores, 3.0)])


INFO = {
    "dataset": "mine",
    "source": "mine.jsonl",
    "corpus": "an index",
    "index": "kb",
    "items": 2,
    "of_items": 2,
    "command": "webqa eval mine.jsonl",
    "finished_at": "2026-11-28T00:00:00+00:00",
    "webqa_version": "0.1.0",
    "settings": {"llm": "llamacpp", "embedding_model": "minilm"},
}


def test_a_report_is_written_whole(tmp_path: Path):
    written = write_report(a_run(tmp_path, INFO))
    assert sorted(written) == ["latency.png", "report.json", "report.md", "scores.png"]
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "`webqa eval mine.jsonl`" in markdown and "similarity under minilm" in markdown
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(written)


def test_a_failure_while_writing_leaves_no_report_and_no_temporary_files(tmp_path: Path):
    broken = {key: value for key, value in INFO.items() if key != "corpus"}
    with pytest.raises(KeyError):
        write_report(a_run(tmp_path, broken))  # fails after the plots were drawn
    assert list(tmp_path.iterdir()) == []


def test_the_metrics_table_leaves_out_rows_that_apply_to_no_system(tmp_path: Path):
    table = metrics_table(a_run(tmp_path, INFO).systems)
    assert "| exact match (short answer) | 0.500 |" in table
    assert "| latency p50 (s) | 1.000 |" in table
    assert "unanswerable" not in table and "gold passages cited" not in table
