"""What every policy shares: the read-only view it is shown, the action type it returns, the one command
set the browser, the action model and the model's JSON schema are all made from, and the repeat guard."""

from __future__ import annotations

import dataclasses
from typing import get_args

import pytest
from pydantic import ValidationError

from tests.fakes import ScriptedPolicy
from webqa.agent.llm_policy import ACTION_SCHEMA
from webqa.agent.loop import Budgets, run_agent
from webqa.agent.planned import PlannedPolicy
from webqa.agent.view import StateView
from webqa.answer.relevance import Relevance
from webqa.browser.commands import COMMANDS, INVALID, BrowserAction, action_schema
from webqa.browser.env import Browser, Step
from webqa.browser.page import Link, Page, make_page
from webqa.search.base import SearchResult

BUDGETS = Budgets(wall_s=60, quote_chars=4000)
LOTHAIR = "Lothair II was king of Lotharingia. He died in Piacenza on 8 August 869."


def view(question: str, *, page: Page | None = None, steps: tuple[Step, ...] = (), read=()) -> StateView:  # noqa: ANN001
    return StateView(question, "", page, steps, (), tuple(read), 10, 0)


def test_the_planned_policy_decides_from_the_view_alone(embedder):
    """Driven by hand-made views, with no browser anywhere: the view is all it needs."""
    policy = PlannedPolicy(Relevance(embedder), open_k=1, quotes_per_page=1, hops=0)
    question = "Where did Lothair II die?"
    assert policy.next_action(view(question)) == BrowserAction(command="search", argument=question)
    results = Page("Search results", "1. Lothair II", kind="search", links=(Link(1, "Lothair II", "doc:lothair"),))
    searched = (Step("search", question, True, "results"),)
    assert policy.next_action(view(question, page=results, steps=searched)) == BrowserAction(
        command="open", argument="doc:lothair"
    )
    document = Page("Lothair II", LOTHAIR, doc_id="lothair")
    opened = (*searched, Step("open", "doc:lothair", True, "the page"))
    quote = policy.next_action(view(question, page=document, steps=opened, read=[document]))
    # One of the page's sentences, whichever the hashing embedder scores best.
    assert quote.command == "quote" and quote.argument in LOTHAIR and quote.argument.endswith(".")
    quoted = (*opened, Step("quote", quote.argument, True, "saved"))
    assert policy.next_action(view(question, page=document, steps=quoted, read=[document])).command == "answer"


def test_a_refused_open_is_not_read(embedder):
    policy = PlannedPolicy(Relevance(embedder), open_k=1, hops=0)
    policy.next_action(view("q"))
    results = Page("Search results", "1. X", kind="search", links=(Link(1, "X", "doc:x"),))
    policy.next_action(view("q", page=results, steps=(Step("search", "q", True, "results"),)))
    failed = (Step("search", "q", True, "results"), Step("open", "doc:x", False, "Refused"))
    assert policy.next_action(view("q", page=results, steps=failed)).command == "answer"


class Recording:
    """Wraps a policy and keeps every view it is shown."""

    def __init__(self, inner) -> None:  # noqa: ANN001
        self.inner, self.views = inner, []

    def next_action(self, view: StateView):  # noqa: ANN201
        self.views.append(view)
        return self.inner.next_action(view)


def test_the_loop_shows_every_policy_a_frozen_view_and_no_browser(sample_index, embedder):
    from tests.agent.conftest import browser_for

    planned = Recording(PlannedPolicy(Relevance(embedder), open_k=1, quotes_per_page=1, hops=0))
    run_agent("Where did Lothair II die?", planned, browser_for(sample_index), BUDGETS)
    for seen in planned.views:
        assert type(seen) is StateView and not any(isinstance(v, Browser) for v in vars(seen).values())
        assert all(isinstance(getattr(seen, f), tuple) for f in ("steps", "quotes", "pages_read"))
    last = planned.views[-1]
    with pytest.raises(dataclasses.FrozenInstanceError):
        last.page = None  # type: ignore[misc]
    assert last.steps[-1].command == "quote" and last.observation.startswith("Quote 1 saved")


def test_the_json_schema_is_derived_from_the_action_model_and_the_command_set():
    assert get_args(BrowserAction.model_fields["command"].annotation) == COMMANDS
    assert action_schema() == ACTION_SCHEMA
    assert action_schema() == {  # what models were always held to, key order included
        "type": "object",
        "properties": {"command": {"type": "string", "enum": list(COMMANDS)}, "argument": {"type": "string"}},
        "required": ["command", "argument"],
    }
    assert list(action_schema()["properties"]) == list(BrowserAction.model_fields)
    with pytest.raises(ValidationError):
        BrowserAction.model_validate({"command": "invalid", "argument": ""})  # no command spells "invalid"
    assert INVALID not in COMMANDS


def test_the_browser_runs_every_command_of_the_command_set(sample_index):
    from tests.agent.conftest import browser_for

    browser = browser_for(sample_index)
    for command in COMMANDS:
        observation = browser.run(command, "")
        assert "Unknown command" not in observation.text, command
        browser.ended_by = None  # answer and unanswerable end the session; keep going
    assert "Unknown command 'dance'" in browser.run("dance", "").text


def test_the_repeat_guard_refuses_a_scripted_policy_s_repeat(sample_index):
    from tests.agent.conftest import browser_for

    policy = ScriptedPolicy([("search", "Nile"), ("search", "Nile"), ("search", "Nile river")])
    run = run_agent("q", policy, browser_for(sample_index), BUDGETS)
    commands = [step.command for step in run.trace.steps]
    assert commands == ["search", INVALID, "search", "answer"] and run.invalid_outputs == 1
    assert "You just ran search('Nile')" in run.trace.steps[1].observation


class OneDocument:
    """A search backend and a document store holding one page, for a page written to order."""

    name = "one"

    def __init__(self, text: str) -> None:
        self.text = text

    def search(self, query: str, k: int) -> list[SearchResult]:
        return [SearchResult("Twice", None, self.text[:40], doc_id="twice")]

    def get(self, doc_id: str) -> Page:
        return make_page("Twice", self.text, doc_id=doc_id)


def test_the_repeat_guard_refuses_the_planned_policy_s_repeat_too(embedder):
    # A page that says the same sentence twice: the planned policy's two best sentences are one text.
    sentence = "Lothair II died in Piacenza on 8 August 869."
    pages = OneDocument(f"{sentence} {sentence}")
    browser = Browser(search_backend=pages, local=pages)
    policy = PlannedPolicy(Relevance(embedder), open_k=1, quotes_per_page=2, hops=0)
    run = run_agent("Where did Lothair II die?", policy, browser, BUDGETS)
    commands = [(step.command, step.argument) for step in run.trace.steps]
    assert commands[2:4] == [("quote", sentence), (INVALID, commands[3][1])]
    assert "You just ran quote(" in commands[3][1] and run.invalid_outputs == 1
    assert len(browser.quotes) == 1
