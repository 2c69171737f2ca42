"""The agent loop. It fits on a screen: ask the policy, run the command, stop on a budget."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from webqa.browser.env import Browser, Observation

if TYPE_CHECKING:
    from webqa.answer.relevance import Relevance
    from webqa.config import Settings
    from webqa.llm import LLM


@dataclass
class AgentState:
    """What a policy sees: the question, the browser (page, quotes, actions left), the last observation."""

    question: str
    browser: Browser
    observation: str = ""
    invalid_outputs: int = 0


class Policy(Protocol):
    def next_action(self, state: AgentState) -> tuple[str, str]:
        """The next (command, argument). Invalid output should come back as ("invalid", reason)."""
        ...


class PolicyContext(Protocol):
    """What a policy is created with (webqa.registry.POLICIES factories take it; the assistant is one):
    the settings, and the models a policy may use, loaded when it asks."""

    @property
    def settings(self) -> Settings: ...

    def llm(self) -> LLM: ...

    def relevance(self) -> Relevance: ...


@dataclass(frozen=True)
class Budgets:
    wall_s: float  # the step budget is the browser's own
    quote_chars: int


@dataclass
class AgentRun:
    question: str
    stopped_by: str  # "answer", "unanswerable", "budget", "time" or "quotes"
    seconds: float
    invalid_outputs: int
    trace: dict[str, Any] = field(default_factory=dict)


def run_agent(
    question: str,
    policy: Policy,
    browser: Browser,
    budgets: Budgets,
    clock: Callable[[], float] = time.monotonic,
    on_step: Callable[[str, str, Observation], None] | None = None,
) -> AgentRun:
    """Run the policy's commands in the browser until it answers or a budget runs out. `on_step` hears of
    each command and its observation as it happens (a UI shows progress with it)."""
    state = AgentState(question, browser)
    started = clock()
    stopped_by = ""
    while not browser.done:
        if clock() - started > budgets.wall_s:
            stopped_by = "time"
            break
        if sum(len(q.text) for q in browser.quotes) >= budgets.quote_chars:
            stopped_by = "quotes"
            break
        command, argument = policy.next_action(state)
        observation: Observation
        if command == "invalid":
            state.invalid_outputs += 1
            observation = browser.reject(argument)
        else:
            observation = browser.run(command, argument)
        state.observation = observation.text
        if on_step is not None:
            on_step(command, argument, observation)
    trace = browser.to_dict()
    trace["observation_chars"] = [len(step["observation"]) for step in trace["steps"]]
    return AgentRun(question, stopped_by or browser.ended_by or "", clock() - started, state.invalid_outputs, trace)
