"""The agent loop. It fits on a screen: show the policy the state, run the action it returns, stop on a
budget. Every policy's actions go through the same step, and the same guards."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from webqa.agent.view import StateView, view_of
from webqa.browser.commands import INVALID, BrowserAction, InvalidReply, PolicyOutput
from webqa.browser.env import Browser, Observation
from webqa.trace import BrowsingTrace

if TYPE_CHECKING:
    from webqa.answer.relevance import Relevance
    from webqa.config import Settings
    from webqa.llm import LLM


class Policy(Protocol):
    def next_action(self, view: StateView) -> PolicyOutput:
        """The next action, or an InvalidReply saying why there is none (a model's malformed reply)."""
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
    trace: BrowsingTrace


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
    started = clock()
    stopped_by, observation_text, invalid_outputs = "", "", 0
    while not browser.done:
        if clock() - started > budgets.wall_s:
            stopped_by = "time"
            break
        if sum(len(q.text) for q in browser.quotes) >= budgets.quote_chars:
            stopped_by = "quotes"
            break
        view = view_of(question, browser, observation_text, invalid_outputs)
        output = refuse_repeat(view, policy.next_action(view))
        observation: Observation
        if isinstance(output, InvalidReply):
            invalid_outputs += 1
            observation = browser.reject(output.reason)
            command, argument = INVALID, output.reason
        else:
            command, argument = output.command, output.argument
            observation = browser.run(command, argument)
        observation_text = observation.text
        if on_step is not None:
            on_step(command, argument, observation)
    trace = BrowsingTrace.of(browser)
    return AgentRun(question, stopped_by or browser.ended_by or "", clock() - started, invalid_outputs, trace)


def refuse_repeat(view: StateView, output: PolicyOutput) -> PolicyOutput:
    """The last command again, with the same argument, cannot show anything new (tiny models loop on one
    action): it is refused, whichever policy chose it."""
    last = view.last_step
    if (
        isinstance(output, BrowserAction)
        and last is not None
        and (last.command, last.argument)
        == (
            output.command,
            output.argument,
        )
    ):
        return InvalidReply(
            f"You just ran {output.command}({output.argument!r}); its result is above. Choose a different action"
        )
    return output
