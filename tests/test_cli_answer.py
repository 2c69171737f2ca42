"""`webqa ask` and `webqa batch` from the command line, on a small index and without a model."""

import json

import pytest

from tests.conftest import HOTPOT_STYLE, write_corpus
from webqa.cli import main


@pytest.fixture
def env(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WEBQA_INDEX_DIR", str(tmp_path / "indexes"))
    monkeypatch.setenv("WEBQA_EMBEDDING_MODEL", "hashing:256")
    monkeypatch.setenv("WEBQA_DEFAULT_INDEX", "kb")
    monkeypatch.setenv("WEBQA_SHORT_ANSWER_SCORING", "heuristic")  # extractive answers then need no model
    corpus = write_corpus(tmp_path / "c.jsonl", HOTPOT_STYLE)
    assert main(["index", "build", str(corpus), "--name", "kb", "-q"]) == 0
    capsys.readouterr()
    return tmp_path


def test_ask_prints_the_answer_and_its_references(env, capsys):
    code = main(["ask", "Which position did Shirley Temple hold in the United States?", "--trace"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "References:\n[1] Shirley Temple — doc:Shirley Temple (characters" in out
    assert "Chief of Protocol" in out and "“" in out
    assert "Trace:" in err and "search(" in err


def test_ask_json_is_one_answers_record(env, capsys):
    assert main(["ask", "Which position did Shirley Temple hold?", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["error"] is None and record["citations"] and record["actions"][0]["command"] == "search"


def test_batch_answers_every_line_and_reports_bad_lines(env, capsys):
    questions = env / "q.jsonl"
    questions.write_text(
        '{"id": "a", "question": "Which position did Shirley Temple hold?"}\n'
        "{broken json\n"
        '{"id": "c", "question": "Who was Janet Waldo?"}\n',
        encoding="utf-8",
    )
    out = env / "answers.jsonl"
    code = main(["batch", str(questions), "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 3 and "3 questions: 2 answered" in err and "1 errors" in err
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", "line-2", "c"]
    assert records[1]["error"].startswith("line 2:") and records[0]["error"] is None
    assert main(["batch", str(questions), "--out", str(out), "-q"]) == 3  # resumed: nothing redone
    assert "0 answered" in capsys.readouterr().err and len(out.read_text().splitlines()) == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", "x", "--policy", "magic"], "policy: Input should be 'planned' or 'llm'"),
        (["ask", "x", "--index", "missing"], "No index named 'missing'"),
        (["batch", "nope.jsonl", "--out", "o.jsonl"], "nope.jsonl"),
    ],
)
def test_mistakes_are_one_line_errors(env, capsys, args, message):
    code = main(args)
    err = capsys.readouterr().err
    assert code != 0 and err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1
