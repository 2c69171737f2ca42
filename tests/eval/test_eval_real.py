"""`webqa eval hotpotqa --limit 5 --baseline` with the real embedded models (MiniLM and SmolLM2 on llama.cpp).

The corpus is the first five questions' fifty real paragraphs (a slice of the packaged HotpotQA file) rather than all
4,858, so that indexing takes seconds, not minutes; everything else is what a user runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webqa.cli import main
from webqa.evaluation.datasets.base import PACKAGED_DIR, read_json_lines

pytestmark = pytest.mark.slow


def test_eval_hotpotqa_with_the_embedded_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    pytest.importorskip("llama_cpp")
    data = tmp_path / "data" / "hotpotqa"
    data.mkdir(parents=True)
    records = [record for _, record in read_json_lines(PACKAGED_DIR / "hotpotqa" / "dev_subsampled.jsonl.gz")[:5]]
    (data / "dev_subsampled.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    monkeypatch.setenv("WEBQA_INDEX_DIR", str(tmp_path / "indexes"))

    out = tmp_path / "run"
    code = main(
        [
            "eval",
            "hotpotqa",
            "--limit",
            "5",
            "--baseline",
            "--data-dir",
            str(tmp_path / "data"),
            "--out",
            str(out),
            "-q",
        ]
    )
    printed = capsys.readouterr()
    assert code == 0, printed.err
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["info"]["settings"]["llm"] == "llamacpp" and report["info"]["settings"]["embedding_model"] == "minilm"
    webqa, baseline = report["systems"]["webqa"], report["systems"]["baseline"]
    for system in (webqa, baseline):
        summary = system["summary"]
        assert summary["questions"] == 5 and summary["errors"] == 0
        assert summary["latency_p50_s"] > 0 and system["wall_s"] > 0
        assert all(q["answer"] for q in system["questions"])
    # webqa quotes what it cites: its cited sentences pass the checker, and it finds gold paragraphs.
    assert webqa["summary"]["citation_recall"] >= 0.8
    assert webqa["summary"]["supporting_recall"] > 0
    assert webqa["summary"]["search_p50_s"] is not None and webqa["summary"]["answer_p50_s"] > 0
    assert baseline["summary"]["retrieved_gold_recall"] > 0
    assert "| metric | webqa | baseline |" in printed.out
    assert (out / "scores.png").is_file() and (out / "latency.png").is_file()
