"""The feedback store and its exports: records saved whole, bad lines named, exports valid line by line."""

from __future__ import annotations

import json

import pytest

from webqa.assistant import Assistant
from webqa.cli import main
from webqa.conversation import Conversation
from webqa.errors import WebqaError
from webqa.feedback import (
    FeedbackFileError,
    FeedbackStore,
    PreferencePair,
    SFTExample,
    comparison_choice,
    edit,
    preference_pairs,
    rating,
    sft_examples,
)
from webqa.llm.testing import ScriptedLLM


@pytest.fixture
def conversation(sample_index, settings) -> Conversation:
    llm = ScriptedLLM()
    assistant = Assistant(settings.model_copy(update={"abstain_below": 0.1, "short_answer_scoring": "heuristic"}),
                          index=sample_index, llm=llm)  # fmt: skip
    conversation = Conversation(assistant)
    conversation.ask("Who was Lothair II?")
    return conversation


def test_records_round_trip_through_the_file_in_order(conversation, tmp_path):
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    store.add(rating(conversation, 1, True, " clear "))
    store.add(edit(conversation, 1, "Lothair II was king of Lotharingia [1]."))
    records = store.read().records
    assert [r.kind for r in records] == ["rating", "edit"]
    assert records[0].rating == "up" and records[0].reason == "clear"
    assert records[1].answer == conversation.turns[0].answer.answer
    # The prompt is the one the answer model is given, with the answer's own quotes numbered as it cites them.
    system, user = records[1].prompt
    assert system.role == "system" and user.role == "user"
    first = conversation.turns[0].answer.citations[0].quote
    assert f"[1] {first.title}: {first.text}" in user.content and "Question: Who was Lothair II?" in user.content


def test_feedback_on_a_turn_that_is_not_an_answer_is_refused(conversation):
    with pytest.raises(WebqaError, match="Turn 5 of this conversation is not an answer"):
        rating(conversation, 5, True)
    with pytest.raises(WebqaError, match="corrected answer is empty"):
        edit(conversation, 1, "   ")


def test_a_torn_last_line_is_skipped_and_the_next_record_starts_a_new_line(conversation, tmp_path):
    path = tmp_path / "feedback.jsonl"
    store = FeedbackStore(path)
    store.add(rating(conversation, 1, False, "wrong"))
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"kind": "rating", "id": "half')  # a crash in the middle of an append
    contents = store.read()
    assert contents.torn_last_line and len(contents.records) == 1
    store.add(rating(conversation, 1, True))  # cuts the torn line off: the file is whole again
    contents = store.read()
    assert not contents.torn_last_line and [r.rating for r in contents.records] == ["down", "up"]
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2


def test_a_whole_last_line_without_its_newline_is_kept(conversation, tmp_path):
    path = tmp_path / "feedback.jsonl"
    path.write_text(rating(conversation, 1, True).model_dump_json(), encoding="utf-8")  # typed by hand
    FeedbackStore(path).add(rating(conversation, 1, False))
    assert [r.rating for r in FeedbackStore(path).read().records] == ["up", "down"]


def test_a_malformed_line_is_named_with_its_number(tmp_path, conversation):
    path = tmp_path / "feedback.jsonl"
    FeedbackStore(path).add(rating(conversation, 1, True))
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"kind": "rating", "rating": "sideways"}) + "\n")
    with pytest.raises(
        FeedbackFileError, match=r"feedback.jsonl:2: not a feedback record \(rating\.id: Field required\)"
    ):
        FeedbackStore(path).read()


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


def test_identical_samples_cannot_be_chosen_between(conversation):
    conversation.assistant.llm().enqueue("Same [1].", "Same  [1].")
    comparison = conversation.compare(1)
    assert comparison.identical
    with pytest.raises(WebqaError, match="Both samples are the same text"):
        comparison_choice(conversation, 1, comparison, 0)


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


def test_an_unwritable_feedback_file_is_a_clear_error(conversation, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(FeedbackFileError, match="Cannot save feedback to .* Set WEBQA_FEEDBACK_PATH"):
        FeedbackStore(blocker / "feedback.jsonl").add(rating(conversation, 1, True))


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


def test_a_torn_line_longer_than_a_read_block_is_cut_off_whole(conversation, tmp_path):
    from webqa.feedback.store import _last_line_start

    path = tmp_path / "feedback.jsonl"
    store = FeedbackStore(path)
    store.add(rating(conversation, 1, True))
    whole = path.stat().st_size
    with open(path, "ab") as handle:
        handle.write(b'{"kind": "rating", "reason": "' + b"x" * 200_000)  # torn, three blocks long
    with open(path, "rb") as handle:
        assert _last_line_start(handle, path.stat().st_size, block=1000) == whole
    store.add(rating(conversation, 1, False))
    assert [r.rating for r in store.read().records] == ["up", "down"]
