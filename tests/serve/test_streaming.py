"""The event stream itself: what is sent when the answer fails after it began, and what is still owed."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import Future

from webqa.serve.openai_shapes import CompletionIds, Reply
from webqa.serve.streaming import AnswerStream, remainder, sse_events


def _events(stream_body: list[bytes]) -> list[object]:
    events = []
    for raw in stream_body:
        text = raw.decode()
        assert text.startswith("data: ") and text.endswith("\n\n")
        data = text[len("data: ") : -2]
        events.append(data if data == "[DONE]" else json.loads(data))
    return events


def _run(fail_with: Exception | None, content: str = "First sentence [1]. Second [1].") -> list[object]:
    async def scenario() -> list[bytes]:
        stream = AnswerStream(asyncio.get_running_loop(), timeout_s=5)
        future: Future[Reply] = Future()
        stream.follow(future)
        stream.write("First sentence [1]. ")
        first = await stream.next(future)
        stream.write("Second [1]. ")
        if fail_with is not None:
            future.set_exception(fail_with)
        else:
            future.set_result(Reply(content, ["https://example.org/a"], {"short_answer": "x"}))
        return [chunk async for chunk in sse_events(CompletionIds("webqa"), stream, future, first)]

    return _events(asyncio.run(scenario()))


def test_a_failure_after_the_answer_began_ends_the_stream_with_an_error_event():
    events = _run(RuntimeError("the disk is full"))
    assert [e["choices"][0]["delta"].get("content") for e in events[:3]] == ["", "First sentence [1]. ", "Second [1]. "]
    assert events[-1] == {
        "error": {
            "message": "webqa failed to answer: RuntimeError: the disk is full",
            "type": "server_error",
            "param": None,
            "code": "answer_failed",
        }
    }
    assert "[DONE]" not in events


def test_a_finished_stream_sends_what_the_text_still_owes_then_the_evidence_and_done():
    events = _run(None, content="First sentence [1]. Second [1].\n\nSources:\n[1] A")
    contents = [e["choices"][0]["delta"].get("content") for e in events[:-1]]
    # The stream's space after the last sentence stays; the line breaks before the sources are not lost.
    assert "".join(c or "" for c in contents) == "First sentence [1]. Second [1]. \n\nSources:\n[1] A"
    last = events[-2]
    assert last["choices"][0]["finish_reason"] == "stop" and last["citations"] == ["https://example.org/a"]
    assert events[-1] == "[DONE]"


def test_remainder():
    assert remainder("One. ", "One. Two.") == "Two."
    assert remainder("One. Two. ", "One. Two.") == ""  # the stream's trailing space is not owed back
    assert remainder("One. ", "One.\n\nSources:") == "\n\nSources:"
    assert remainder("Something else.", "One.") == ""
