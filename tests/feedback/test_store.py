"""The feedback store: records saved whole and read back in order, torn and bad lines, unwritable files."""

from __future__ import annotations

import json

import pytest

from webqa.feedback import FeedbackFileError, FeedbackStore, edit, rating


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


def test_an_unwritable_feedback_file_is_a_clear_error(conversation, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(FeedbackFileError, match="Cannot save feedback to .* Set WEBQA_FEEDBACK_PATH"):
        FeedbackStore(blocker / "feedback.jsonl").add(rating(conversation, 1, True))


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
