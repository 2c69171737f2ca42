"""Any OpenAI-compatible chat server (OpenAI, vLLM, Ollama, llama.cpp server, LM Studio) via langchain-openai."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Literal
from urllib.parse import urlsplit

from langchain_core.language_models import BaseChatModel

from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm.base import LLM, Message, strip_code_fence

INSTALL_HINT = "pip install langchain-openai"


def _chat_openai_class() -> Any:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise WebqaError(f"openai:MODEL needs langchain-openai. Install it with: {INSTALL_HINT}") from None
    return ChatOpenAI


StructuredOutput = Literal["json_schema", "json_object", "prompt"]
# From the strictest to none: what `auto` tries, in order, until the server accepts one.
STRUCTURED_OUTPUTS: tuple[StructuredOutput, ...] = ("json_schema", "json_object", "prompt")


class OpenAICompatibleLLM(LLM):
    """A model behind an OpenAI-compatible /chat/completions endpoint.

    Server trouble (unreachable, wrong key, unknown model, any other HTTP error, a connection that drops
    mid-reply) becomes a one-line WebqaError naming the setting to check.
    Token counts are approximate: tiktoken would download its vocabularies, and the server's model may not
    be an OpenAI one anyway."""

    def __init__(
        self,
        spec: str,
        chat_model: BaseChatModel,
        model: str,
        base_url: str,
        structured_output: str = "auto",
    ) -> None:
        super().__init__(spec, chat_model)
        self.model = model  # as parse_spec read it from the spec, for error messages
        self.base_url = base_url
        self.structured_output = structured_output  # "auto" until a reply settles what the server accepts

    def complete(self, messages: list[Message]) -> str:
        with self._server_errors():
            return super().complete(messages)

    def stream(self, messages: list[Message], **options: Any) -> Iterator[str]:
        import openai

        received = 0
        with self._server_errors():
            try:
                for piece in super().stream(messages, **options):
                    received += 1
                    yield piece
            except openai.APIConnectionError as exc:
                if not received:
                    raise  # never reached: the usual message says where to look
                raise WebqaError(
                    f"The model server at {self.base_url} stopped in the middle of a reply ({received} pieces in): "
                    "it closed the connection. Check that it is still running (its log says why it stopped)."
                ) from exc

    def complete_json(self, messages: list[Message], schema: dict[str, Any]) -> str:
        import openai

        fixed = self.structured_output != "auto"
        formats = [self.structured_output] if fixed else list(STRUCTURED_OUTPUTS)
        with self._server_errors():
            for kind in formats:
                try:
                    reply = self._json_reply(kind, messages, schema)
                except openai.APIStatusError as exc:
                    if fixed or kind == "prompt" or not _refuses_response_format(exc):
                        raise
                    continue  # this server does not take this response_format: try the next one
                # Settled only by a reply: a refusal for another reason (a prompt too long) changes nothing.
                self.structured_output = kind
                return reply
        raise AssertionError("unreachable: the prompt format either replies or raises")

    def _json_reply(self, kind: str, messages: list[Message], schema: dict[str, Any]) -> str:
        if kind == "prompt":
            return super().complete_json(messages, schema)
        if kind == "json_schema":
            response_format = {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema}}
        else:  # llama-cpp-python's server turns a schema beside json_object into a grammar
            response_format = {"type": "json_object", "schema": schema}
        import openai

        try:
            return strip_code_fence(self._invoke(messages, response_format=response_format))
        except openai.LengthFinishReasonError as exc:
            # The reply hit llm_max_tokens before its JSON closed (a long quote, say). langchain-openai parses
            # structured replies and raises on that; it is the model's mistake, so the caller gets the cut-off
            # text to reject as it rejects any invalid reply.
            return exc.completion.choices[0].message.content or ""

    @contextlib.contextmanager
    def _server_errors(self) -> Iterator[None]:
        import openai

        try:
            yield
        except openai.APIConnectionError as exc:  # includes timeouts
            raise WebqaError(
                f"Cannot reach the model server at {self.base_url} ({exc}). Start it, or check WEBQA_OPENAI_BASE_URL."
            ) from exc
        except openai.AuthenticationError as exc:
            raise WebqaError(
                f"The model server at {self.base_url} refused the API key. Check WEBQA_OPENAI_API_KEY."
            ) from exc
        except openai.NotFoundError as exc:
            raise WebqaError(
                f"The model server at {self.base_url} has no model {self.model!r} (or no /chat/completions). "
                "Check WEBQA_LLM=openai:MODEL and WEBQA_OPENAI_BASE_URL (it usually ends in /v1)."
            ) from exc
        except openai.APIStatusError as exc:  # any other refusal: 400 (e.g. context too long), 403, 429, 5xx
            reason = " ".join(exc.message.split())  # on one line, whatever the server put in its message
            raise WebqaError(
                f"The model server at {self.base_url} answered HTTP {exc.status_code}: {reason}. "
                "Check WEBQA_LLM and the server."
            ) from exc


def _refuses_response_format(exc: Exception) -> bool:
    """Whether a refused request was refused for its response_format. Servers say so differently: OpenAI and
    vLLM with HTTP 400, FastAPI-based ones with 422, llama-cpp-python's server with a 500 that names the field."""
    status = getattr(exc, "status_code", None)
    if status in (400, 422):
        return True
    return status == 500 and "response_format" in str(getattr(exc, "message", ""))


NEEDS_ARGUMENT = "a model name"  # what an LLM spec must give after the colon


def check(settings: Settings, spec: str, model: str) -> str:
    """The server's base URL, once `openai:MODEL` has what it needs to be reached."""
    if not settings.openai_base_url:
        raise WebqaError(
            f"{spec} needs the server's base URL: set WEBQA_OPENAI_BASE_URL "
            "(e.g. https://api.openai.com/v1 or http://localhost:8000/v1)."
        )
    if not settings.openai_api_key:
        raise WebqaError(
            f"{spec} needs an API key: set WEBQA_OPENAI_API_KEY (any non-empty value for a local server without keys)."
        )
    return settings.openai_base_url


def check_server(settings: Settings, spec: str, model: str, timeout_s: float = 10.0) -> None:
    """One request (GET /models) before any question is answered: an unreachable server or a refused key is
    an error now, not a silent fallback later. Any other answer counts as reachable (servers differ in what
    they list)."""
    import httpx

    base_url = check(settings, spec, model)
    url = base_url.rstrip("/") + "/models"
    headers = {"Authorization": f"Bearer {settings.openai_api_key}"}
    try:
        response = httpx.get(url, headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        raise WebqaError(
            f"Cannot reach the model server at {base_url} ({type(exc).__name__}: {exc}). "
            "Start it, or check WEBQA_OPENAI_BASE_URL."
        ) from None
    if response.status_code in (401, 403):
        raise WebqaError(f"The model server at {base_url} refused the API key. Check WEBQA_OPENAI_API_KEY.")


def load(settings: Settings, spec: str, model: str) -> LLM:
    """`openai:MODEL` with `openai_base_url` and `openai_api_key` from settings."""
    base_url = check(settings, spec, model)
    chat_openai = _chat_openai_class()
    chat_model = chat_openai(
        model=model,
        base_url=base_url,
        api_key=settings.openai_api_key,
        temperature=settings.llm_temperature,
        seed=settings.llm_seed,
        max_retries=2,
        **_reply_limit(settings.llm_max_tokens, token_limit_field(settings.openai_token_limit_field, base_url)),
    )
    return OpenAICompatibleLLM(spec, chat_model, model, base_url, settings.openai_structured_output)


def token_limit_field(configured: str, base_url: str) -> str:
    """The request field that caps a reply's length. OpenAI's own API wants `max_completion_tokens` (its
    reasoning models refuse `max_tokens`); the servers people run themselves read `max_tokens`, and some
    ignore `max_completion_tokens` altogether (llama-cpp-python's server then writes until the context is
    full). No server takes both: several refuse a request that has the two."""
    if configured != "auto":
        return configured
    host = (urlsplit(base_url).hostname or "").lower()
    return "max_completion_tokens" if host == "api.openai.com" or host.endswith(".openai.azure.com") else "max_tokens"


def _reply_limit(tokens: int, field: str) -> dict[str, Any]:
    # langchain-openai renames its max_tokens to max_completion_tokens in every request, so the older
    # field can only be sent as an extra body field.
    if field == "max_tokens":
        return {"extra_body": {"max_tokens": tokens}}
    return {"max_tokens": tokens}
