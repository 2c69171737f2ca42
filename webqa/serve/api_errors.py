"""Errors of the HTTP API, each with the status and the OpenAI error JSON a client gets for it.

OpenAI's clients read `{"error": {"message", "type", "param", "code"}}` and raise by status (400
BadRequestError, 401 AuthenticationError, 404 NotFoundError, ...), so webqa answers in the same shape."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A request webqa cannot answer, and what to tell the client."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.message, type=self.type, code=self.code, param=self.param)


def error_body(message: str, *, type: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def bad_request(message: str, code: str, param: str | None = None) -> ApiError:
    return ApiError(400, message, code=code, param=param)


def unknown_model(model: str, known: list[str]) -> ApiError:
    return ApiError(
        404,
        f"The model '{model}' does not exist. Models here: {', '.join(known)} (GET /v1/models lists them; "
        "'webqa:NAME' answers from the index NAME, built with `webqa index build --name NAME`).",
        code="model_not_found",
        param="model",
    )


def wrong_key() -> ApiError:
    return ApiError(
        401,
        "Incorrect or missing API key. Send the server's key (WEBQA_API_KEY) as 'Authorization: Bearer KEY'.",
        code="invalid_api_key",
    )


def untrusted_host(host: str | None, allowed: list[str]) -> ApiError:
    return ApiError(
        400,
        f"This server answers requests addressed to {', '.join(allowed)}, not to {host or 'no host'!r}. Without "
        "WEBQA_API_KEY it serves only this machine; set a key to serve other names.",
        code="invalid_host",
    )


def body_too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        f"The request body is larger than this server accepts ({limit} bytes; WEBQA_SERVE_MAX_BODY_BYTES).",
        code="request_too_large",
    )


def overloaded(retry_after_s: int) -> ApiError:
    return ApiError(
        503,
        "webqa is answering as many questions as it can hold; try again shortly.",
        type="server_error",
        code="server_overloaded",
        headers={"Retry-After": str(retry_after_s)},
    )


def timed_out(seconds: float) -> ApiError:
    return ApiError(
        504,
        f"webqa could not answer within {seconds:g} s (WEBQA_SERVE_TIMEOUT_S).",
        type="server_error",
        code="timeout",
    )


def answer_failed(reason: str) -> ApiError:
    return ApiError(500, f"webqa failed to answer: {reason}", type="server_error", code="answer_failed")
