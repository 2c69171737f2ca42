"""`webqa chat` driven through piped stdin, in process, on a small index and without a model."""

import io
import re

import pytest

from tests.conftest import SAMPLE_DOCUMENTS, write_corpus
from tests.test_conversation import MERCURY
from webqa.cli import main


@pytest.fixture
def env(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WEBQA_INDEX_DIR", str(tmp_path / "indexes"))
    monkeypatch.setenv("WEBQA_EMBEDDING_MODEL", "hashing:256")
    monkeypatch.setenv("WEBQA_DEFAULT_INDEX", "kb")
    monkeypatch.setenv("WEBQA_SHORT_ANSWER_SCORING", "heuristic")  # extractive answers then need no model
    monkeypatch.setenv("WEBQA_ABSTAIN_BELOW", "0.1")
    monkeypatch.setenv("WEBQA_REUSE_QUOTES_ABOVE", "0.45")
    monkeypatch.setenv("WEBQA_CONVERSATIONS_PATH", str(tmp_path / "conversations.sqlite"))
    corpus = write_corpus(tmp_path / "c.jsonl", SAMPLE_DOCUMENTS + MERCURY)
    assert main(["index", "build", str(corpus), "--name", "kb", "-q"]) == 0
    capsys.readouterr()
    return tmp_path


def chat(monkeypatch, capsys, lines: str, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    code = main(["chat", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _conversation_id(err: str) -> str:
    match = re.search(r"webqa chat --resume (\w+)", err)
    assert match, err
    return match.group(1)


def test_chat_answers_follow_ups_with_references(env, monkeypatch, capsys):
    code, out, err = chat(monkeypatch, capsys, "Who was Lothair II?\n\nWhen did he die?\n/quit\nnever read\n")
    assert code == 0
    assert out.count("References:") == 2 and "[1] Lothair II — https://example.org/lothair" in out
    assert "869" in out and "never read" not in out + err
    assert "(searched for: When did Lothair II die?)" in err
    assert "Saved. Resume with: webqa chat --resume" in err


def test_chat_asks_which_reading_and_takes_the_reply(env, monkeypatch, capsys):
    code, out, err = chat(monkeypatch, capsys, "How hot is Mercury?\n1\n")  # ends at end of input
    assert code == 0
    assert "“Mercury” can mean several things. Which one do you mean?" in out
    first = re.search(r"^1\. (Mercury \(\w+\))", out, re.MULTILINE)
    assert first and f"(searched for: How hot is {first.group(1)}?)" in err
    assert "References:" in out


def test_list_resume_and_delete(env, monkeypatch, capsys):
    code, _, err = chat(monkeypatch, capsys, "When did Lothair II die?\n")
    conversation_id = _conversation_id(err)

    code, out, _ = chat(monkeypatch, capsys, "", "--list")
    assert code == 0 and out.startswith(conversation_id) and "1 turn" in out and "When did Lothair II die?" in out

    code, out, err = chat(monkeypatch, capsys, "Where did he die?\n", "--resume", conversation_id)
    assert code == 0 and f"Resuming conversation {conversation_id} (1 turn)" in err
    assert "(searched for: Where did Lothair II die?)" in err and "Piacenza" in out
    assert "(answered from quotes found earlier in this conversation)" in err

    code, out, _ = chat(monkeypatch, capsys, "", "--list")
    assert "2 turns" in out

    code, _, err = chat(monkeypatch, capsys, "", "--delete", conversation_id)
    assert code == 0 and f"Deleted conversation {conversation_id}" in err
    code, out, err = chat(monkeypatch, capsys, "", "--list")
    assert code == 0 and out == "" and "No saved conversations" in err


@pytest.mark.parametrize("option", ["--resume", "--delete"])
def test_an_unknown_id_is_a_one_line_error(env, monkeypatch, capsys, option):
    code, out, err = chat(monkeypatch, capsys, "Who was Lothair II?\n", option, "nope")
    assert code == 1 and out == ""
    assert err.startswith("error: No saved conversation with id 'nope'") and len(err.strip().splitlines()) == 1
    assert "webqa chat --list" in err


def test_a_missing_index_is_a_one_line_error(env, monkeypatch, capsys):
    code, _, err = chat(monkeypatch, capsys, "Who?\n", "--index", "missing")
    assert code == 1 and "No index named 'missing'" in err and len(err.strip().splitlines()) == 1
