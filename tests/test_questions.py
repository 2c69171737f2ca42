"""Question files: every format, multi-turn and gold answers, bad lines as error items, bad files as InputError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webqa.errors import InputError
from webqa.questions import QuestionItem, read_questions


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_jsonl_single_turn_multi_turn_and_gold_answers(tmp_path: Path) -> None:
    lines = [
        {"id": "q1", "question": " Who was Lothair II? ", "answers": ["a king", "King of Lotharingia"]},
        {"question": "Where is the Nile?"},
        {"id": "chat-1", "turns": ["Who was Einstein?", "When did he get the Nobel Prize?"]},
        {"id": 7, "question": "Numbered id?", "extra": "ignored"},
    ]
    path = write(tmp_path / "q.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n\n")

    items = read_questions(path)

    assert items == [
        QuestionItem(1, "q1", "Who was Lothair II?", answers=("a king", "King of Lotharingia")),
        QuestionItem(2, "line-2", "Where is the Nile?"),
        QuestionItem(3, "chat-1", None, turns=("Who was Einstein?", "When did he get the Nobel Prize?")),
        QuestionItem(4, "7", "Numbered id?"),
    ]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"id": "a", "question": "x"', "not valid JSON"),
        ('["a list"]', "expected a JSON object, got a list"),
        ('{"id": "a"}', 'no "question"'),
        ('{"id": "a", "question": "   "}', '"question" is empty'),
        ('{"id": "a", "question": 42}', '"question" must be a string, got a number'),
        ('{"id": "a", "question": "x", "answers": "one"}', '"answers" must be a list of strings, got a string'),
        ('{"id": "a", "question": "x", "answers": [1]}', "it holds a number"),
        ('{"id": ["a"], "question": "x"}', '"id" must be a non-empty string'),
        ('{"id": "a", "turns": []}', '"turns" must be a non-empty list'),
        ('{"id": "a", "turns": ["ok", 3]}', '"turns" must be a non-empty list'),
        ('{"id": "a", "question": "x", "turns": ["y"]}', 'both "question" and "turns"'),
    ],
)
def test_jsonl_malformed_line_becomes_error_item(tmp_path: Path, line: str, problem: str) -> None:
    path = write(tmp_path / "q.jsonl", '{"question": "fine"}\n' + line + '\n{"question": "also fine"}\n')

    first, bad, last = read_questions(path)

    assert first.error is None and last.error is None and last.line == 3
    assert bad.line == 2 and bad.error is not None
    assert bad.error.startswith("line 2: ") and problem in bad.error
    assert bad.id in ("a", "line-2")


def test_json_lines_keep_unicode_line_separators_inside_strings(tmp_path: Path) -> None:
    path = write(tmp_path / "q.json", json.dumps({"question": "a\u2028b"}, ensure_ascii=False) + "\n")

    assert [item.question for item in read_questions(path)] == ["a\u2028b"]


def test_csv_with_id_and_answers_as_pipes_or_json(tmp_path: Path) -> None:
    text = (
        "\ufeffID,Question,answers\n"
        'q1,"Who was Lothair II, exactly?",king|Lothair\n'
        ',Where is the Nile?,"[""Africa"", ""Egypt|Sudan""]"\n'
        "\n"
        'q3,"A question\nover two lines",\n'
        "q4,No answers column value\n"
    )
    items = read_questions(write(tmp_path / "q.csv", text))

    assert items == [
        QuestionItem(2, "q1", "Who was Lothair II, exactly?", answers=("king", "Lothair")),
        QuestionItem(3, "line-3", "Where is the Nile?", answers=("Africa", "Egypt|Sudan")),
        QuestionItem(5, "q3", "A question\nover two lines"),
        QuestionItem(7, "q4", "No answers column value"),
    ]


def test_csv_malformed_rows_become_error_items(tmp_path: Path) -> None:
    text = "id,question,answers\na,,x\nb,too,many,fields\nc,ok,[not json\nd,ok,[1]\ne,fine,\n"
    items = read_questions(write(tmp_path / "q.csv", text))

    assert [item.id for item in items] == ["a", "line-3", "line-4", "d", "e"]
    errors = [item.error for item in items]
    assert errors[0] == 'line 2: "question" is empty'
    assert errors[1] is not None and "4 fields but the header has 3" in errors[1]
    assert errors[2] is not None and "not a JSON list" in errors[2]
    assert errors[3] is not None and '"answers" must be a list of strings' in errors[3]
    assert errors[4] is None


def test_txt_one_question_per_line_skipping_blanks(tmp_path: Path) -> None:
    items = read_questions(write(tmp_path / "q.txt", "Who was Lothair II?\r\n\n  \nWhere is the Nile?"))

    assert items == [QuestionItem(1, "line-1", "Who was Lothair II?"), QuestionItem(4, "line-4", "Where is the Nile?")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.jsonl", None, "does not exist"),
        ("q.xlsx", b"whatever", "Cannot tell the format"),
        ("q.jsonl.gz", b"whatever", "Cannot tell the format"),
        ("q.csv", b"id,text\n1,hello\n", "no 'question' column"),
        ("q.csv", b"", "is empty"),
        ("q.txt", b"caf\xe9?\n", "not UTF-8"),
        ("q.jsonl", b'{"question": "ok"}\n{"question": "\xff"}\n', "line 2"),
        ("q.json", b'[{"question": "a"}, {"question": "b"}]', "jq -c"),
    ],
)
def test_whole_file_problems_raise_input_error(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(InputError, match=message) as caught:
        read_questions(path)
    assert "\n" not in str(caught.value)


def test_a_folder_is_not_a_question_file(tmp_path: Path) -> None:
    (tmp_path / "dir.jsonl").mkdir()

    with pytest.raises(InputError, match="not a file"):
        read_questions(tmp_path / "dir.jsonl")
