"""Fakes for tests: an embedder that counts what it embeds and can fail on cue; a scripted policy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from webqa.agent.view import StateView
from webqa.browser.commands import BrowserAction, InvalidReply, PolicyOutput
from webqa.index.embedders import HashingEmbedder


class CountingEmbedder:
    """Deterministic hashing vectors; records every text embedded; raises on the Nth call if told to."""

    def __init__(self, dimension: int = 256, fail_on_call: int | None = None) -> None:
        self._inner = HashingEmbedder(dimension)
        self.name = self._inner.name
        self.backend = self._inner.backend
        self.dimension = dimension
        self.calls = 0
        self.texts: list[str] = []
        self.fail_on_call = fail_on_call

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if self.fail_on_call is not None and self.calls >= self.fail_on_call:
            raise KeyboardInterrupt("simulated interruption during embedding")
        self.texts.extend(texts)
        return self._inner.embed(texts)


class ScriptedPolicy:
    """Plays back a fixed list of (command, argument) actions (an InvalidReply as it is), then answers."""

    def __init__(self, actions: list[tuple[str, str] | InvalidReply]) -> None:
        self.actions = list(actions)
        self.seen: list[str] = []  # the observations it was shown

    def next_action(self, view: StateView) -> PolicyOutput:
        self.seen.append(view.observation)
        if not self.actions:
            return BrowserAction(command="answer")
        action = self.actions.pop(0)
        if isinstance(action, InvalidReply):
            return action
        command, argument = action
        return BrowserAction.model_validate({"command": command, "argument": argument})
