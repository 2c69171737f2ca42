"""The agent loop driven by a scripted policy: every command, invalid actions and every budget."""

from tests.agent.conftest import browser_for
from tests.fakes import ScriptedPolicy
from webqa.agent.loop import Budgets, run_agent
from webqa.browser.commands import InvalidReply

BUDGETS = Budgets(wall_s=60, quote_chars=4000)


def test_a_scripted_policy_drives_every_command(sample_index):
    policy = ScriptedPolicy([
        ("search", "Lothair king Lotharingia"),
        ("open", "1"),
        ("find", "Piacenza"),
        ("quote", "He died in Piacenza on 8 August 869."),
        ("scroll", "down"),
        ("top", ""),
        ("back", ""),
        ("open", "doc:einstein"),
        ("answer", ""),
    ])  # fmt: skip
    browser = browser_for(sample_index)
    run = run_agent("When did Lothair II die?", policy, browser, BUDGETS)
    assert run.stopped_by == "answer" and run.invalid_outputs == 0
    commands = [(s.command, s.ok) for s in run.trace.steps]
    assert commands == [
        ("search", True), ("open", True), ("find", True), ("quote", True), ("scroll", False),
        ("top", True), ("back", True), ("open", True), ("answer", True),
    ]  # fmt: skip
    assert browser.quotes[0].doc_id == "lothair"
    assert policy.seen[0] == "" and policy.seen[1].startswith("Search results:")
    assert run.trace.observation_chars == [len(s.observation) for s in run.trace.steps]


def test_invalid_model_output_is_counted_and_shown_back(sample_index):
    policy = ScriptedPolicy([InvalidReply("Your reply 'hello' is not a valid action"), ("answer", "")])
    browser = browser_for(sample_index)
    run = run_agent("q", policy, browser, BUDGETS)
    assert run.invalid_outputs == 1
    assert "Reply with exactly one action as JSON" in policy.seen[1]
    assert browser.actions_left == 18  # the invalid reply cost an action


def test_the_step_budget_stops_a_policy_that_never_answers(sample_index):
    policy = ScriptedPolicy([("search", f"query {n}") for n in range(100)])
    run = run_agent("q", policy, browser_for(sample_index, budget=5), BUDGETS)
    assert run.stopped_by == "budget" and len(run.trace.steps) == 5


def test_the_wall_time_budget(sample_index):
    ticks = iter(range(0, 1000, 10))
    policy = ScriptedPolicy([("search", f"query {n}") for n in range(100)])
    run = run_agent(
        "q", policy, browser_for(sample_index), Budgets(wall_s=25, quote_chars=4000), clock=lambda: next(ticks)
    )
    assert run.stopped_by == "time" and len(run.trace.steps) == 2


def test_the_quote_budget(sample_index):
    policy = ScriptedPolicy([
        ("open", "doc:einstein"), ("quote", "Albert Einstein was a German-born theoretical physicist."),
        ("quote", "He developed the theory of relativity."), ("search", "never reached"),
    ])  # fmt: skip
    run = run_agent("q", policy, browser_for(sample_index), Budgets(wall_s=60, quote_chars=50))
    assert run.stopped_by == "quotes" and [s.command for s in run.trace.steps] == ["open", "quote"]


def test_unanswerable_ends_the_loop_with_its_reason(sample_index):
    policy = ScriptedPolicy([("search", "unicorns"), ("unanswerable", "nothing about unicorns")])
    browser = browser_for(sample_index)
    run = run_agent("How many legs does a unicorn have?", policy, browser, BUDGETS)
    assert run.stopped_by == "unanswerable" and browser.reason == "nothing about unicorns"


def test_each_command_is_reported_as_it_runs(sample_index):
    heard = []
    policy = ScriptedPolicy([("search", "Nile"), ("open", "99"), ("answer", "")])

    def on_step(command, argument, observation):  # noqa: ANN001, ANN202
        heard.append((command, argument, observation.ok))

    run = run_agent("q", policy, browser_for(sample_index), BUDGETS, on_step=on_step)
    assert heard == [("search", "Nile", True), ("open", "99", False), ("answer", "", True)]
    assert len(run.trace.steps) == 3
