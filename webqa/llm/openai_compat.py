"""Any OpenAI-compatible chat server (OpenAI, vLLM, Ollama, llama.cpp server, LM Studio) via langchain-openai."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel

from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm.base import LLM, Message

INSTALL_HINT = "pip install langchain-openai"


def _chat_openai_class() -> Any:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise WebqaError(f"openai:MODEL needs langchain-openai. Install it with: {INSTALL_HINT}") from None
    return ChatOpenAI


class OpenAICompatibleLLM(LLM):
    """A model behind an OpenAI-compatible /chat/completions endpoint.

    Server trouble (unreachable, wrong key, unknown model, any other HTTP error) becomes a one-line WebqaError
    naming the setting to check.
    Token counts are approximate: tiktoken would download its vocabularies, and the server's model may not
    be an OpenAI one anyway."""

    def __init__(self, spec: str, chat_model: BaseChatModel, model: str, base_url: str) -> None:
        super().__init__(spec, chat_model)
        self.model = model  # as parse_spec read it from the spec, for error messages
        self.base_url = base_url

    def complete(self, messages: list[Message]) -> str:
        with self._server_errors():
            return super().complete(messages)

    def stream(self, messages: list[Message], **options: Any) -> Iterator[str]:
        with self._server_errors():
            yield from super().stream(messages, **options)

    def complete_json(self, messages: list[Message], schema: dict[str, Any]) -> str:
        import openai

        response_format = {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema}}
        with self._server_errors():
            try:
                return self._invoke(messages, response_format=response_format)
            except openai.BadRequestError:
                # Servers without structured outputs refuse response_format; fall back to the schema in the prompt.
                return super().complete_json(messages, schema)

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
        max_tokens=settings.llm_max_tokens,
        seed=settings.llm_seed,
        max_retries=2,
    )
    return OpenAICompatibleLLM(spec, chat_model, model, base_url)
