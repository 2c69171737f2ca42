"""The LLM policy: the model reads the WebGPT-style state and emits one JSON action per step, constrained
by the action schema (derived from BrowserAction) where the backend supports it. Invalid output is counted
and shown back to it; the loop refuses a repeated action, for this policy as for any."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import ValidationError

from webqa.agent.loop import PolicyContext
from webqa.agent.view import StateView
from webqa.browser.commands import INVALID, BrowserAction, InvalidReply, PolicyOutput, action_schema
from webqa.prompts import load_prompt
from webqa.text import numbered_quotes

if TYPE_CHECKING:
    from webqa.llm import LLM

ACTION_SCHEMA = action_schema()


class LLMPolicy:
    def __init__(self, llm: LLM, observation_chars: int = 2400, past_actions: int = 8) -> None:
        self.llm = llm
        self.observation_chars = observation_chars
        self.past_actions = past_actions

    def next_action(self, view: StateView) -> PolicyOutput:
        messages = [("system", load_prompt("policy_system")), ("user", self.render(view))]
        raw = self.llm.complete_json(messages, ACTION_SCHEMA)
        try:
            return BrowserAction.model_validate_json(raw)
        except ValidationError as exc:
            problem = exc.errors()[0]["msg"]
            return InvalidReply(f"Your reply {raw.strip()[:160]!r} is not a valid action ({problem})")

    def render(self, view: StateView) -> str:
        """The user message. Everything that comes from pages (the current view, the quotes) sits inside one
        fenced block the prompt calls untrusted data; outside it are only the question and the model's own
        actions, with the arguments that would repeat page text (quotes, finds) shown by length instead."""
        quotes = numbered_quotes(view.quotes) or "(none)"
        steps = view.steps[-self.past_actions :]
        actions = "\n".join(_past_action(s.command, s.argument, s.ok) for s in steps) or "(none yet)"
        observation = view.observation or "(nothing yet: start with a search)"
        if len(observation) > self.observation_chars:
            observation = observation[: self.observation_chars] + "\n… (cut; scroll down or find to see more)"
        return load_prompt("policy_user").format(
            question=view.question,
            quotes=fence_safe(quotes),
            actions=actions,
            observation=fence_safe(observation),
            actions_left=view.actions_left,
            begin=BEGIN_DATA,
            end=END_DATA,
        )


def create(context: PolicyContext) -> LLMPolicy:
    return LLMPolicy(context.llm())


BEGIN_DATA = "<<<BEGIN UNTRUSTED PAGE DATA>>>"
END_DATA = "<<<END UNTRUSTED PAGE DATA>>>"
_FENCE_LIKE = re.compile(r"<{3,}|>{3,}")


def fence_safe(text: str) -> str:
    """Page text that cannot close the data block early: runs of <<< or >>> become guillemets."""
    return _FENCE_LIKE.sub(lambda run: ("«" if run.group()[0] == "<" else "»") * len(run.group()), text)


def _past_action(command: str, argument: str, ok: bool) -> str:
    outcome = "ok" if ok else "refused"
    if command in ("quote", "find"):  # their arguments are copied from the page: data, shown inside the block
        return f"- {command}: ({len(argument)} characters of page text) ({outcome})"
    if command == INVALID:
        return f"- (a reply that was not a valid action) ({outcome})"
    return f"- {command}: {argument[:80]} ({outcome})"
