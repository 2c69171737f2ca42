"""The language-model layer: one `LLM` interface over llama.cpp, transformers and OpenAI-compatible servers.

    llm = load_llm(settings)                 # settings.llm, e.g. "llamacpp" (the embedded SmolLM2)
    llm.complete([("system", "..."), ("user", "...")])
    llm.complete_json(messages, schema)      # grammar-constrained on llama.cpp
    llm.score_options(messages, ["Paris", "Berlin"])

Backends are chosen by the prefix of the spec string through `BACKENDS`; optional dependencies are
imported only when their backend loads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm import huggingface, llamacpp, openai_compat
from webqa.llm.base import LLM, Message
from webqa.llm.llamacpp import embedded_model_path
from webqa.llm.testing import ScriptedLLM

__all__ = [
    "BACKENDS",
    "LLM",
    "Message",
    "ScriptedLLM",
    "check_llm",
    "embedded_model_path",
    "load_llm",
    "parse_spec",
]

Loader = Callable[[Settings, str, str], LLM]
"""(settings, whole spec, the part after the colon) -> LLM."""

BACKENDS: dict[str, Loader] = {
    "llamacpp": llamacpp.load,
    "hf": huggingface.load,
    "openai": openai_compat.load,
}

Checker = Callable[[Settings, str, str], object]
"""(settings, whole spec, the part after the colon) -> None; raises WebqaError. Cheap: loads nothing."""

CHECKS: dict[str, Checker] = {
    "llamacpp": llamacpp.check,
    "hf": huggingface.check,
    "openai": openai_compat.check,
}
SERVER_CHECKS: dict[str, Checker] = {"openai": openai_compat.check_server}

SPEC_HELP = "Use 'llamacpp', 'llamacpp:PATH.gguf', 'hf:MODEL_DIR' or 'openai:MODEL' (setting WEBQA_LLM)."
_NEEDS_ARGUMENT = {"hf": "a model folder", "openai": "a model name"}

_LOADED: dict[tuple[object, ...], LLM] = {}
_LOADED_LOCK = threading.Lock()  # loading takes seconds: two threads must not load the same model twice


def parse_spec(spec: str) -> tuple[str, str]:
    """Split 'backend:argument', checking the backend exists and has the argument it needs."""
    backend, colon, argument = spec.strip().partition(":")
    argument = argument.strip()
    if backend not in BACKENDS:
        raise WebqaError(f"Unknown LLM spec {spec!r}. {SPEC_HELP}")
    if colon and not argument:
        raise WebqaError(f"The LLM spec {spec!r} has nothing after the colon. {SPEC_HELP}")
    if backend in _NEEDS_ARGUMENT and not argument:
        raise WebqaError(f"The LLM spec {spec!r} needs {_NEEDS_ARGUMENT[backend]} after '{backend}:'. {SPEC_HELP}")
    return backend, argument


def check_llm(settings: Settings, *, reach_server: bool = True) -> None:
    """What can be known about settings.llm before anything loads: the spec parses, its file or folder
    exists, and (with `reach_server`) a model server answers one request. Commands call this first, so a
    bad --llm fails in a moment, not after the index and models have loaded."""
    backend, argument = parse_spec(settings.llm)
    checks = SERVER_CHECKS if reach_server and backend in SERVER_CHECKS else CHECKS
    checks[backend](settings, settings.llm.strip(), argument)


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
        settings.openai_base_url,
        settings.openai_api_key,
        settings.openai_structured_output,
        settings.openai_token_limit_field,
    )
    with _LOADED_LOCK:
        if key not in _LOADED:
            backend, argument = parse_spec(spec)
            _LOADED[key] = BACKENDS[backend](settings, spec, argument)
        return _LOADED[key]
