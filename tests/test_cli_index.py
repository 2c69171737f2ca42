"""The `webqa index` commands as a user runs them: output, exit codes, and no tracebacks."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from webqa.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WEBQA_INDEX_DIR", str(tmp_path / "indexes"))
    monkeypatch.setenv("WEBQA_EMBEDDING_MODEL", "hashing:256")
    return tmp_path / "indexes"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_build_search_info_list_remove(env, corpus, capsys):
    code, out, err = run(capsys, "index", "build", str(corpus), "--name", "kb")
    assert code == 0, err
    assert "Index 'kb': 5 documents, 5 chunks (5 added" in out
    assert "embedding" in err  # the progress bar goes to stderr

    code, out, _ = run(capsys, "index", "search", "kb", "Himalayas highest mountain", "-k", "2")
    assert code == 0
    assert out.splitlines()[0].startswith("  1. Mount Everest  [")
    assert "dense=" in out and "bm25=" in out

    code, out, _ = run(capsys, "index", "search", "kb", "Himalayas", "-k", "3", "--json", "--mode", "sparse")
    hits = json.loads(out)
    assert hits[0]["doc_id"] == "everest" and set(hits[0]) >= {
        "score",
        "title",
        "url",
        "start",
        "end",
        "text",
    }

    code, out, _ = run(capsys, "index", "info", "kb", "--json")
    info = json.loads(out)
    assert (info["document_count"], info["chunk_count"], info["embedding_model"]) == (5, 5, "hashing:256")
    assert info["size_bytes"] > 0 and info["build_seconds"] >= 0 and info["built_at"]

    code, out, _ = run(capsys, "index", "info", "kb")
    assert "document_count" in out and "KB" in out

    code, out, _ = run(capsys, "index", "list", "--json")
    assert [row["name"] for row in json.loads(out)] == ["kb"]
    code, out, _ = run(capsys, "index", "list")
    assert out.startswith("kb ")

    code, out, _ = run(capsys, "index", "remove", "kb")
    assert code == 0 and not (env / "kb").exists()
    code, out, _ = run(capsys, "index", "list")
    assert "No indexes" in out


def test_rebuild_reports_what_changed(env, corpus, capsys):
    run(capsys, "index", "build", str(corpus), "--name", "kb", "-q")
    code, out, err = run(capsys, "index", "build", "--name", "kb", "--json", "-q")
    report = json.loads(out)
    assert code == 0 and report["embedded_chunks"] == 0 and report["unchanged"] == 5 and report["up_to_date"]
    code, out, _ = run(capsys, "index", "build", "--name", "kb", "-q")
    assert out.strip() == "Index 'kb' is up to date: 5 documents, 5 chunks."
    corpus.write_text(corpus.read_text().replace("Everest", "Chomolungma"), encoding="utf-8")
    code, out, _ = run(capsys, "index", "build", "--name", "kb", "-q")
    assert "(0 added, 1 changed, 4 unchanged, 0 removed; 1 chunks embedded, 4 reused)" in out


def test_skip_bad_reports_how_many_lines_were_skipped(env, tmp_path, capsys):
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a", "title": "A", "text": "Fine."}\n{oops\n{"id": "b", "text": ""}\n', encoding="utf-8")
    code, _, err = run(capsys, "index", "build", str(path), "--name", "kb", "-q")
    assert (
        code == 2
        and err.strip() == f"error: {path}:2: not valid JSON (use --skip-bad to skip bad records and continue)"
    )
    code, out, err = run(capsys, "index", "build", str(path), "--name", "kb", "-q", "--skip-bad")
    assert code == 0 and "skipped 2 bad record(s)" in err and "1 documents" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["index", "search", "nope", "x"], "No index named 'nope'"),
        (["index", "info", "nope"], "No index named 'nope'"),
        (["index", "build", "missing.jsonl", "--name", "kb"], "Source not found: missing.jsonl"),
        (["index", "build", "--name", "kb"], "No sources for index 'kb'"),
        (["index", "build", "x.jsonl", "--name", "../evil"], "Invalid index name '../evil'"),
        (["index", "search", "kb", "x", "--mode", "magic"], "Unknown mode 'magic'"),
    ],
)
def test_user_mistakes_are_one_line_errors(env, capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code != 0
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_empty_corpus_and_textless_document(env, tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    code, _, err = run(capsys, "index", "build", str(empty), "--name", "kb")
    assert code == 2 and "No documents found" in err
    textless = tmp_path / "textless.jsonl"
    textless.write_text('{"id": "a", "title": "A", "text": ""}\n', encoding="utf-8")
    code, _, err = run(capsys, "index", "build", str(textless), "--name", "kb")
    assert code == 2 and "document 'a' has no text" in err


def test_a_failed_build_keeps_the_existing_index(env, corpus, tmp_path, capsys):
    run(capsys, "index", "build", str(corpus), "--name", "kb", "-q")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{broken\n", encoding="utf-8")
    code, _, _ = run(capsys, "index", "build", str(bad), "--name", "kb", "-q")
    assert code == 2
    code, out, _ = run(capsys, "index", "search", "kb", "Everest", "--json")
    assert code == 0 and json.loads(out)[0]["doc_id"] == "everest"


def test_settings_command_lists_every_setting(capsys):
    code, out, _ = run(capsys, "settings")
    assert code == 0 and "WEBQA_EMBEDDING_MODEL = 'minilm'" in out
    code, out, _ = run(capsys, "settings", "--json")
    assert json.loads(out)["dense_index"] == "flat"


def test_bad_settings_are_one_line_errors(monkeypatch, capsys):
    monkeypatch.setenv("WEBQA_CHUNK_CHARS", "lots")
    code, _, err = run(capsys, "index", "list")
    assert code == 1 and "Invalid settings (chunk_chars:" in err and len(err.strip().splitlines()) == 1


def test_the_installed_command_prints_no_traceback(env, tmp_path):
    exe = shutil.which("webqa", path=str(Path(sys.executable).parent)) or "webqa"
    result = subprocess.run(
        [exe, "index", "search", "nowhere", "query"],
        capture_output=True,
        text=True,
        env={**os.environ},
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: No index named 'nowhere'")


def test_list_shows_an_index_built_with_another_model(env, corpus, capsys, monkeypatch):
    run(capsys, "index", "build", str(corpus), "--name", "kb", "-q")
    monkeypatch.setenv("WEBQA_EMBEDDING_MODEL", "minilm")  # listing must not need (or load) that model
    code, out, _ = run(capsys, "index", "list", "--json")
    (row,) = json.loads(out)
    assert code == 0 and row["status"] == "ok" and row["embedding_model"] == "hashing:256"
    code, _, err = run(capsys, "index", "search", "kb", "x")
    assert code == 1 and "built with embedding model 'hashing:256'" in err
