"""The language-model layer: one `LLM` interface over llama.cpp, transformers and OpenAI-compatible servers.

    llm = load_llm(settings)                 # settings.llm, e.g. "llamacpp" (the embedded SmolLM2)
    llm.complete([("system", "..."), ("user", "...")])
    llm.complete_json(messages, schema)      # grammar-constrained on llama.cpp
    llm.score_options(messages, ["Paris", "Berlin"])

Kinds of model are chosen by the prefix of the spec string through webqa.registry.LLM_KINDS (each a
module with `load` and `check`); optional dependencies are imported only when their kind loads.
"""

from __future__ import annotations

import threading
from typing import Protocol

from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm.base import LLM, Message
from webqa.llm.llamacpp import embedded_model_path
from webqa.llm.testing import ScriptedLLM
from webqa.registry import LLM_KINDS

__all__ = [
    "LLM",
    "LLMKind",
    "Message",
    "ScriptedLLM",
    "check_llm",
    "embedded_model_path",
    "load_llm",
    "parse_spec",
]


class LLMKind(Protocol):
    """What an LLM kind registered in LLM_KINDS offers (webqa's own are modules: webqa.llm.llamacpp, ...).
    Both take (settings, the whole spec, the part after the colon); `check` is cheap, loads nothing, and
    raises WebqaError. A kind may also offer `check_server` (one request to a model server) and
    `NEEDS_ARGUMENT`, what must follow its colon ("a model folder")."""

    def load(self, settings: Settings, spec: str, argument: str) -> LLM: ...

    def check(self, settings: Settings, spec: str, argument: str) -> object: ...


def spec_help() -> str:
    return (
        "Use 'llamacpp', 'llamacpp:PATH.gguf', 'hf:MODEL_DIR' or 'openai:MODEL' (setting WEBQA_LLM; kinds: "
        f"{LLM_KINDS.help()})."
    )


_LOADED: dict[tuple[object, ...], LLM] = {}
_LOADED_LOCK = threading.Lock()  # loading takes seconds: two threads must not load the same model twice


def forget_loaded_llms() -> None:
    """Drop the process's loaded models: the next load_llm() loads afresh (tests start from a process that
    has loaded nothing with it)."""
    with _LOADED_LOCK:
        _LOADED.clear()


def parse_spec(spec: str) -> tuple[str, str]:
    """Split 'backend:argument', checking the backend exists and has the argument it needs."""
    backend, colon, argument = spec.strip().partition(":")
    argument = argument.strip()
    if backend not in LLM_KINDS:
        raise WebqaError(f"Unknown LLM spec {spec!r}. {spec_help()}")
    if colon and not argument:
        raise WebqaError(f"The LLM spec {spec!r} has nothing after the colon. {spec_help()}")
    needs = getattr(LLM_KINDS.get(backend), "NEEDS_ARGUMENT", None)
    if needs and not argument:
        raise WebqaError(f"The LLM spec {spec!r} needs {needs} after '{backend}:'. {spec_help()}")
    return backend, argument


def check_llm(settings: Settings, *, reach_server: bool = True) -> None:
    """What can be known about settings.llm before anything loads: the spec parses, its file or folder
    exists, and (with `reach_server`) a model server answers one request. Commands call this first, so a
    bad --llm fails in a moment, not after the index and models have loaded."""
    backend, argument = parse_spec(settings.llm)
    kind = LLM_KINDS.get(backend)
    check = getattr(kind, "check_server", None) if reach_server else None
    (check or kind.check)(settings, settings.llm.strip(), argument)


def load_llm(settings: Settings, spec: str | None = None) -> LLM:
    """The LLM for `spec` (default: settings.llm), loaded once per spec and model settings per process."""
    spec = (spec or settings.llm).strip()
    key = (
        spec,
        settings.llm_temperature,
        settings.llm_max_tokens,
        settings.llm_context_tokens,
        settings.llm_threads,
        settings.llm_seed,
        settings.embedded_llm_weights,
        settings.openai_base_url,
        settings.openai_api_key,
        settings.openai_structured_output,
        settings.openai_token_limit_field,
    )
    with _LOADED_LOCK:
        if key not in _LOADED:
            backend, argument = parse_spec(spec)
            kind: LLMKind = LLM_KINDS.get(backend)
            _LOADED[key] = kind.load(settings, spec, argument)
        return _LOADED[key]
