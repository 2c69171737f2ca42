"""The HTTP API: OpenAI's chat-completions and models endpoints, and a health check, on FastAPI.

    app = create_app(ServerParts.from_settings(settings))
    uvicorn.run(app, host="127.0.0.1", port=8000)

Every error a client gets is OpenAI's error JSON: bad requests 4xx, webqa's own failures 5xx with the
reason; the server goes on serving either way."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException

from webqa.config import Settings
from webqa.serve.answering import Answerer
from webqa.serve.api_errors import ApiError, error_body, unknown_model
from webqa.serve.catalog import Catalog
from webqa.serve.conversations import ConversationCache
from webqa.serve.guard import HostGuard, RequestGuard, trusted_hosts
from webqa.serve.openai_shapes import ChatCompletionRequest, CompletionIds, chat_turns, model_list
from webqa.serve.pool import AnswerPool, default_workers
from webqa.serve.streaming import FINISHED, AnswerStream, reply_of, sse_events

log = logging.getLogger("webqa.serve")


@dataclass
class ServerParts:
    """What the app serves with; tests build one around a fake assistant."""

    catalog: Catalog
    answerer: Answerer
    pool: AnswerPool
    api_key: str | None
    allowed_hosts: tuple[str, ...] | None  # the Host headers answered; None for any
    max_body_bytes: int
    timeout_s: float

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        catalog: Catalog | None = None,
        *,
        host: str = "127.0.0.1",
        sources_in_text: bool = False,
    ) -> ServerParts:
        """`host` is the address served on, which decides the Host headers answered without a key."""
        catalog = catalog or Catalog(settings)
        conversations = ConversationCache(settings.serve_conversations)
        return cls(
            catalog=catalog,
            answerer=Answerer(
                catalog, conversations, replay_turns=settings.serve_replay_turns, sources_in_text=sources_in_text
            ),
            pool=AnswerPool(settings.serve_workers or default_workers(), settings.serve_queue),
            api_key=settings.api_key,
            allowed_hosts=trusted_hosts(host, settings.api_key),
            max_body_bytes=settings.serve_max_body_bytes,
            timeout_s=settings.serve_timeout_s,
        )


def create_app(parts: ServerParts) -> FastAPI:
    started = int(time.time())

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        parts.pool.shutdown()

    app = FastAPI(
        title="webqa", summary="Cited answers in the OpenAI chat-completions shape.", version="0.1.0", lifespan=lifespan
    )
    app.add_middleware(RequestGuard, api_key=parts.api_key, max_body_bytes=parts.max_body_bytes)
    if parts.allowed_hosts is not None:  # added last, so it runs first: an untrusted Host learns nothing
        app.add_middleware(HostGuard, allowed_hosts=parts.allowed_hosts)
    _add_error_handlers(app)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "models": parts.catalog.names(), **parts.pool.status()}

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return model_list(parts.catalog.names(), started)

    @app.get("/v1/models/{model}")
    def model(model: str) -> dict[str, Any]:
        names = parts.catalog.names()
        if model not in names:
            raise unknown_model(model, names)
        return dict(model_list([model], started)["data"][0])

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: ChatCompletionRequest) -> Response:
        turns = chat_turns(request)
        parts.catalog.check(request.model)
        stream = AnswerStream(asyncio.get_running_loop(), parts.timeout_s)
        on_text = stream.write if request.stream else None
        future = parts.pool.submit(parts.answerer.answer, request.model, turns, on_text)
        stream.follow(future)
        ids = CompletionIds(request.model)
        if not request.stream:
            return JSONResponse(ids.completion(await stream.finished(future)))
        # The response starts with the first piece of the answer (or its end): a question that fails
        # before writing anything still gets a 5xx status, not a 200 whose stream breaks off.
        first = await stream.next(future)
        if first is FINISHED:
            reply_of(future)  # raises the failure as its ApiError before any byte is sent
        events = sse_events(ids, stream, future, first)
        return StreamingResponse(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        return JSONResponse(error.body(), status_code=error.status, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = list(error.errors())
        if any(p.get("type") == "json_invalid" for p in problems):
            body = error_body("The request body is not valid JSON.", type="invalid_request_error", code="invalid_json")
            return JSONResponse(body, status_code=400)
        first = problems[0] if problems else {"loc": (), "msg": "invalid request"}
        where = [str(part) for part in first.get("loc", ()) if part != "body"]
        param = ".".join(where) or None
        message = f"{param}: {first['msg']}" if param else f"The request body: {first['msg']}"
        body = error_body(message, type="invalid_request_error", code="invalid_request", param=param)
        return JSONResponse(body, status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed"}
        code = codes.get(error.status_code, "http_error")
        body = error_body(str(error.detail), type="invalid_request_error", code=code)
        return JSONResponse(body, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        # A bug of webqa's outside any answer: logged with its traceback, reported, and the server goes on.
        log.error("request failed", exc_info=error)
        body = error_body(f"webqa failed: {type(error).__name__}: {error}", type="server_error", code="internal_error")
        return JSONResponse(body, status_code=500)
