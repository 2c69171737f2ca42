"""Shared by the LLM tests: the messages and action schema they send, and a clean cache of loaded LLMs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import webqa.llm

QUESTION = [("system", "Answer briefly."), ("user", "What is the capital of France?")]
ACTION_SCHEMA = {
    "type": "object",
    "properties": {"command": {"enum": ["search", "open", "answer"]}, "argument": {"type": "string"}},
    "required": ["command", "argument"],
}


@pytest.fixture
def no_loaded_llms() -> Iterator[None]:
    """Every test loads its own LLMs: one cached by an earlier test (same spec and settings) would hide
    what this test's loading does."""
    webqa.llm.forget_loaded_llms()
    yield
    webqa.llm.forget_loaded_llms()
