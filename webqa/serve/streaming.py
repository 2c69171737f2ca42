"""Answers as server-sent events: the pieces a worker thread writes, handed to the event loop in order,
then sent as `chat.completion.chunk` events and `[DONE]`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from concurrent.futures import Future
from typing import Any

from webqa.errors import WebqaError
from webqa.serve.api_errors import ApiError, answer_failed, timed_out
from webqa.serve.openai_shapes import CompletionIds, Reply

log = logging.getLogger("webqa.serve")


class _Finished:
    """Put on the queue when the worker is done: after every piece it wrote, since both go through
    call_soon_threadsafe, which keeps their order."""


FINISHED = _Finished()


class AnswerStream:
    """Pieces of one answer, written from a worker thread and read on the event loop, within the
    request's time limit (counted from the stream's creation, the wait for a worker included)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout_s: float) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[str | _Finished] = asyncio.Queue()
        self.timeout_s = timeout_s
        self._deadline = loop.time() + timeout_s

    def write(self, text: str) -> None:
        """Called in the worker thread (the conversation's on_text)."""
        if text:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, text)

    def follow(self, future: Future[Reply]) -> None:
        future.add_done_callback(lambda _: self._loop.call_soon_threadsafe(self._queue.put_nowait, FINISHED))

    async def next(self, future: Future[Reply]) -> str | _Finished:
        """The next piece, or FINISHED; ApiError 504 past the time limit. A request still waiting for a
        worker is then withdrawn; one being answered finishes in its thread, unseen."""
        try:
            return await asyncio.wait_for(self._queue.get(), max(self._deadline - self._loop.time(), 0.0))
        except asyncio.TimeoutError:
            future.cancel()
            raise timed_out(self.timeout_s) from None

    async def finished(self, future: Future[Reply]) -> Reply:
        """The reply, once the worker is done (pieces written meanwhile are passed over)."""
        while not isinstance(await self.next(future), _Finished):
            pass
        return reply_of(future)


def reply_of(future: Future[Reply]) -> Reply:
    """The finished worker's reply; its failure as the ApiError a client gets (500, with the reason)."""
    try:
        return future.result()
    except ApiError:
        raise
    except WebqaError as exc:  # a setup problem the message explains (a model server down, a damaged index)
        raise answer_failed(str(exc)) from exc
    except Exception as exc:
        # A bug or a failure in a library: the traceback goes to the server's log, the reason to the
        # client, and the server goes on serving other requests.
        log.exception("answering failed")
        raise answer_failed(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from exc


def event(payload: dict[str, Any] | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n".encode()


def remainder(streamed: str, content: str) -> str:
    """What of the reply's content the stream has not sent yet (the sources list, say). The answerers
    stream their sentences each followed by a space, which the final text does not end with: that space
    stands in for one the rest would begin with, but not for its line breaks."""
    if content.startswith(streamed):
        return content[len(streamed) :]
    trimmed = streamed.rstrip()
    if content.startswith(trimmed):
        return content[len(trimmed) :].removeprefix(" ")
    return ""  # the stream said something else than the final text: the `webqa` evidence holds the latter


async def sse_events(
    ids: CompletionIds,
    stream: AnswerStream,
    future: Future[Reply],
    first: str | _Finished,
) -> AsyncIterator[bytes]:
    """The whole event stream. `first` was awaited before the response began, so a question that failed
    before writing anything got a plain 5xx instead; a failure after that is an error event."""
    yield event(ids.chunk({"role": "assistant", "content": ""}))
    streamed = ""
    piece = first
    try:
        while not isinstance(piece, _Finished):
            streamed += piece
            yield event(ids.chunk({"content": piece}))
            piece = await stream.next(future)
        reply = reply_of(future)
    except ApiError as error:
        yield event(error.body())  # OpenAI's clients raise APIError on an event that holds "error"
        return
    rest = remainder(streamed, reply.content)
    if rest:
        yield event(ids.chunk({"content": rest}))
    yield event(ids.last_chunk(reply))
    yield event("[DONE]")
