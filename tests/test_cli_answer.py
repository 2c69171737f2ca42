"""`webqa ask` and `webqa batch` from the command line, on a small index and without a model."""

import json

import pytest

from tests.conftest import HOTPOT_STYLE
from webqa.cli import main


@pytest.fixture
def env(cli_env):
    return cli_env(HOTPOT_STYLE)


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
        (["batch", "nope.jsonl", "--out", "o.jsonl"], "Question file nope.jsonl does not exist"),
        (["batch", "nope", "--out", "o.jsonl"], "Question file nope does not exist"),
    ],
)
def test_mistakes_are_one_line_errors(env, capsys, args, message):
    code = main(args)
    err = capsys.readouterr().err
    assert code != 0 and err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_an_in_process_batch_opens_the_index_once(env, capsys, monkeypatch, fresh_shared_assistants):
    import webqa.index.search as index_search  # where the local search backend opens its index

    opened = []
    real_open = index_search.open_index
    monkeypatch.setattr(index_search, "open_index", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    questions = env / "q.txt"
    questions.write_text("Which position did Shirley Temple hold?\nWho was Janet Waldo?\n", encoding="utf-8")
    assert main(["batch", str(questions), "--out", str(env / "a.jsonl"), "-q"]) == 0
    assert len(opened) == 1  # the command's check and the answer function share one assistant


def test_an_unwritable_out_and_a_bad_backend_fail_once_with_a_message(env, capsys):
    questions = env / "q.txt"
    questions.write_text("Who was Janet Waldo?\nWho was Shirley Temple?\n", encoding="utf-8")
    (env / "taken").write_text("a file, not a folder", encoding="utf-8")
    code = main(["batch", str(questions), "--out", str(env / "taken" / "a.jsonl"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: Cannot write --out") and len(err.strip().splitlines()) == 1
    code = main(["batch", str(questions), "--out", str(env / "b.jsonl"), "-q", "--backend", "nope"])
    err = capsys.readouterr().err
    assert code == 1 and "Unknown search backend 'nope'" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["batch", "q.jsonl"], "Missing option '--out'"),
        (["batch", "q.jsonl", "--out", "o.jsonl", "-w", "0"], "Invalid value for '--workers'"),
        (["chat", "--nope"], "No such option: --nope"),
        (["ask"], "Missing argument"),
    ],
)
def test_usage_mistakes_are_reported_by_the_cli_without_a_traceback(env, capsys, args, message):
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
