"""What a policy sees of the browsing so far: one typed, read-only view, the same for every policy."""

from __future__ import annotations

from dataclasses import dataclass

from webqa.browser.env import Browser, Step
from webqa.browser.page import Page
from webqa.types import Quote


@dataclass(frozen=True)
class StateView:
    """The question and the browser's state after the last command. Frozen, and made of frozen records in
    tuples: a policy acts only through the action it returns, and the loop runs every action the same way
    (paper-qa's scripted agent steps the same environment as its LLM agent)."""

    question: str
    observation: str  # what the last command returned, as a model reads it ("" before the first)
    page: Page | None  # the page on screen: its title, links and text (quotes come from its text)
    steps: tuple[Step, ...]  # every command run so far, with what it returned
    quotes: tuple[Quote, ...]
    pages_read: tuple[Page, ...]  # every page opened, once
    actions_left: int
    invalid_outputs: int

    @property
    def last_step(self) -> Step | None:
        return self.steps[-1] if self.steps else None


def view_of(question: str, browser: Browser, observation: str = "", invalid_outputs: int = 0) -> StateView:
    return StateView(
        question=question,
        observation=observation,
        page=browser.page,
        steps=tuple(browser.steps),
        quotes=tuple(browser.quotes),
        pages_read=tuple(browser.pages_read),
        actions_left=browser.actions_left,
        invalid_outputs=invalid_outputs,
    )
