"""webqa.llm itself: spec parsing and load_llm (setup errors, one instance per spec and settings)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm import LLM, ScriptedLLM, load_llm, parse_spec
from webqa.registry import LLM_KINDS

pytestmark = pytest.mark.usefixtures("no_loaded_llms")


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("llamacpp", ("llamacpp", "")),
        ("llamacpp:/models/m.gguf", ("llamacpp", "/models/m.gguf")),
        ("llamacpp:C:\\models\\m.gguf", ("llamacpp", "C:\\models\\m.gguf")),
        ("hf:/models/smol", ("hf", "/models/smol")),
        (" openai:gpt-4o-mini ", ("openai", "gpt-4o-mini")),
    ],
)
def test_parse_spec(spec: str, parsed: tuple[str, str]):
    assert parse_spec(spec) == parsed


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gpt4", r"Unknown LLM spec 'gpt4'\. Use 'llamacpp', .*WEBQA_LLM"),
        ("ollama:llama3", r"Unknown LLM spec 'ollama:llama3'"),
        ("", r"Unknown LLM spec ''"),
        ("openai", r"needs a model name after 'openai:'"),
        ("hf", r"needs a model folder after 'hf:'"),
        ("llamacpp:", r"has nothing after the colon"),
    ],
)
def test_bad_specs_say_what_to_use(spec: str, message: str):
    with pytest.raises(WebqaError, match=message):
        parse_spec(spec)


def test_load_llm_uses_the_spec_from_settings(settings: Settings):
    with pytest.raises(WebqaError, match="Unknown LLM spec 'nonsense'"):
        load_llm(settings.model_copy(update={"llm": "nonsense"}))


@pytest.fixture
def fake_kind() -> Iterator[list[tuple[str, str]]]:
    """An LLM kind 'fake' registered for the test; yields the (spec, argument) of every load."""
    loads: list[tuple[str, str]] = []

    def load_fake(settings: Settings, spec: str, argument: str) -> LLM:
        loads.append((spec, argument))
        return ScriptedLLM()

    with LLM_KINDS.temporarily("fake", SimpleNamespace(load=load_fake, check=lambda *_: None)):
        yield loads


def test_load_llm_keeps_one_instance_per_spec_and_settings(settings: Settings, fake_kind: list[tuple[str, str]]):
    loads = fake_kind
    first = load_llm(settings, "fake:a")
    assert load_llm(settings, "fake:a") is first
    assert load_llm(settings.model_copy(), "fake:a") is first  # equal settings, another object
    assert load_llm(settings, "fake:b") is not first
    assert load_llm(settings.model_copy(update={"llm_temperature": 0.7}), "fake:a") is not first
    assert loads == [("fake:a", "a"), ("fake:b", "b"), ("fake:a", "a")]
