"""Exports of the feedback as training data: SFT examples, preference pairs, the export command, safe writes."""

from __future__ import annotations

import pytest

from webqa.cli import main
from webqa.errors import WebqaError
from webqa.feedback import (
    FeedbackStore,
    PreferencePair,
    SFTExample,
    comparison_choice,
    edit,
    preference_pairs,
    rating,
    sft_examples,
)


def test_sft_takes_the_last_edit_of_a_turn_and_optionally_upvoted_answers(conversation):
    conversation.ask("What is the Nile?")
    records = [
        edit(conversation, 1, "First try [1]."),
        edit(conversation, 1, "Second try [1]."),
        rating(conversation, 1, True),  # edited too: the edit is the example
        rating(conversation, 2, True),
    ]
    assert [e.messages[-1].content for e in sft_examples(records)] == ["Second try [1]."]
    with_upvoted = sft_examples(records, include_upvoted=True)
    assert [e.messages[-1].content for e in with_upvoted] == ["Second try [1].", conversation.turns[1].answer.answer]
    assert all(e.messages[0].role == "system" and e.messages[1].role == "user" for e in with_upvoted)


def test_preferences_from_comparisons_and_edits_leave_out_ties(conversation):
    llm = conversation.assistant.llm()
    llm.enqueue("Lothair II was a king [1].", "Lothair II was the king of Lotharingia from 855 until his death [2].")
    comparison = conversation.compare(1)
    assert not comparison.identical
    records = [
        comparison_choice(conversation, 1, comparison, 1),
        edit(conversation, 1, conversation.turns[0].answer.answer),  # unchanged: no preference in it
    ]
    pairs = preference_pairs(records)
    assert [(p.chosen[0].content, p.rejected[0].content) for p in pairs] == [
        ("Lothair II was the king of Lotharingia from 855 until his death [2].", "Lothair II was a king [1].")
    ]
    # Both samples answered the same prompt: the quotes numbered [1], [2], ... and the question.
    assert pairs[0].prompt[1].content == comparison.messages[1][1]
    assert preference_pairs(records, include_edits=False) == pairs


def test_export_command_writes_valid_lines_and_reports_counts(conversation, tmp_path, capsys):
    path = tmp_path / "feedback.jsonl"
    store = FeedbackStore(path)
    store.add(edit(conversation, 1, "Lothair II ruled Lotharingia [1]."))
    store.add(rating(conversation, 1, False, "too long"))
    out = tmp_path / "out" / "sft.jsonl"
    assert main(["feedback", "export", "--format", "sft", str(out), "--feedback", str(path)]) == 0
    assert "Wrote 1 sft example to" in capsys.readouterr().err
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [SFTExample.model_validate_json(line).messages[-1].content for line in lines] == [
        "Lothair II ruled Lotharingia [1]."
    ]
    prefs = tmp_path / "prefs.jsonl"
    assert main(["feedback", "export", "-f", "preferences", str(prefs), "--feedback", str(path)]) == 0
    [pair] = [PreferencePair.model_validate_json(line) for line in prefs.read_text().splitlines()]
    assert pair.rejected[0].content == conversation.turns[0].answer.answer
    assert main(["feedback", "stats", "--feedback", str(path)]) == 0
    assert "2 records" in capsys.readouterr().out


def test_export_errors_are_one_line_and_leave_no_file(conversation, tmp_path, capsys):
    path = tmp_path / "feedback.jsonl"
    path.write_text("not json\n", encoding="utf-8")
    out = tmp_path / "sft.jsonl"
    assert main(["feedback", "export", "--format", "sft", str(out), "--feedback", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "feedback.jsonl:1: not a feedback record" in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".sft.jsonl*"))
    assert main(["feedback", "export", "--format", "csv", str(out), "--feedback", str(path)]) == 2
    assert "Unknown format 'csv'. Use one of: sft, preferences." in capsys.readouterr().err


def test_export_keeps_an_existing_output_when_it_fails(tmp_path, monkeypatch):
    from webqa.feedback import write_jsonl

    out = tmp_path / "sft.jsonl"
    out.write_text("previous\n", encoding="utf-8")

    def full_disk(source, target):  # noqa: ANN001, ANN202
        raise OSError("disk full")

    monkeypatch.setattr("webqa.jsonl.os.replace", full_disk)
    example = SFTExample.model_validate(
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    )
    with pytest.raises(WebqaError, match="Cannot write .*disk full"):
        write_jsonl(out, [example])
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert not list(tmp_path.glob(".sft.jsonl*"))  # no temporary file left behind


def test_an_export_gets_ordinary_file_permissions(tmp_path):
    import os

    from webqa.feedback import write_jsonl

    example = SFTExample.model_validate(
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    )
    mask = os.umask(0o022)
    try:
        write_jsonl(tmp_path / "new.jsonl", [example])
    finally:
        os.umask(mask)
    assert (tmp_path / "new.jsonl").stat().st_mode & 0o777 == 0o644  # not a temporary file's 0o600
    (tmp_path / "old.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "old.jsonl").chmod(0o640)
    write_jsonl(tmp_path / "old.jsonl", [example])
    assert (tmp_path / "old.jsonl").stat().st_mode & 0o777 == 0o640  # a replaced file keeps its permissions
