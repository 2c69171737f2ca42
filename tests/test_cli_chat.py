"""`webqa chat` driven through piped stdin, in process, on a small index and without a model."""

import io
import re

import pytest

from webqa.cli import main
from webqa.conversation import ConversationStore


@pytest.fixture
def env(chat_env):
    return chat_env


@pytest.fixture
def opened(monkeypatch):
    """The names of the indexes the assistant opens."""
    import webqa.index.search as index_search  # where the local search backend opens its index

    names = []
    real_open = index_search.open_index
    monkeypatch.setattr(index_search, "open_index", lambda *a, **k: names.append(a[0]) or real_open(*a, **k))
    return names


def chat(monkeypatch, capsys, lines: str | io.TextIOBase, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(lines) if isinstance(lines, str) else lines)
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
def test_an_unknown_id_is_a_one_line_error(env, monkeypatch, capsys, opened, option):
    code, out, err = chat(monkeypatch, capsys, "Who was Lothair II?\n", option, "nope")
    assert code == 1 and out == ""
    assert err.startswith("error: No saved conversation with id 'nope'") and len(err.strip().splitlines()) == 1
    assert "webqa chat --list" in err
    assert opened == []  # the id is checked before any index (or model) loads


@pytest.mark.parametrize("option", [["--list"], ["--delete", "abc"]])
def test_resume_with_list_or_delete_is_a_one_line_error(env, monkeypatch, capsys, option):
    code, out, err = chat(monkeypatch, capsys, "", "--resume", "abc", *option)
    assert code == 2 and out == ""
    assert err.startswith("error: --resume") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("store", ["a folder", "under a file", "not a database"])
def test_an_unusable_conversation_store_fails_before_the_first_answer(env, monkeypatch, capsys, opened, store):
    (env / "a folder").mkdir()
    (env / "a file").write_text("a file, not a folder", encoding="utf-8")
    (env / "not a database").write_text("hello, I am not a database" * 100, encoding="utf-8")
    path = env / "a file" / "conversations.sqlite" if store == "under a file" else env / store
    monkeypatch.setenv("WEBQA_CONVERSATIONS_PATH", str(path))
    code, out, err = chat(monkeypatch, capsys, "Who was Lothair II?\n")
    assert code == 1 and out == "" and opened == []  # nothing answered, so no turn lost
    assert err.startswith("error: Cannot ") and "WEBQA_CONVERSATIONS_PATH" in err
    assert len(err.strip().splitlines()) == 1


def test_input_that_is_not_utf8_is_saved_with_replacement_characters(env, monkeypatch, capsys):
    # Like stdin in the C locale: an undecodable byte would be read as a lone surrogate, which SQLite
    # cannot store, and saving the turn would fail.
    stdin = io.TextIOWrapper(io.BytesIO(b"Who was Lothair II?\xff\n"), encoding="utf-8", errors="surrogateescape")
    code, out, err = chat(monkeypatch, capsys, stdin)
    assert code == 0 and "References:" in out and "Saved. Resume with" in err
    [summary] = ConversationStore(env / "conversations.sqlite").list_conversations()
    assert summary.title == "Who was Lothair II?\ufffd"


class _CtrlC(io.StringIO):
    """The given lines, then Ctrl-C at the next prompt."""

    def readline(self, size: int | None = -1) -> str:
        line = super().readline(size)
        if not line:
            raise KeyboardInterrupt
        return line


def test_ctrl_c_still_says_how_to_resume(env, monkeypatch, capsys):
    code, out, err = chat(monkeypatch, capsys, _CtrlC("Who was Lothair II?\n"))
    assert code == 130 and "References:" in out
    conversation_id = _conversation_id(err)  # the "Saved. Resume with: ..." hint
    assert ConversationStore(env / "conversations.sqlite").summary(conversation_id).turns == 1


def test_a_missing_index_is_a_one_line_error(env, monkeypatch, capsys):
    code, _, err = chat(monkeypatch, capsys, "Who?\n", "--index", "missing")
    assert code == 1 and "No index named 'missing'" in err and len(err.strip().splitlines()) == 1
