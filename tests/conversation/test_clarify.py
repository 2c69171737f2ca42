"""The clarification rules as pure functions: the ambiguity detector, picking a reading from a reply, bare
topics told from questions."""

import pytest

from webqa.conversation import find_ambiguity
from webqa.conversation.clarify import Reading, choose_reading
from webqa.search.base import SearchResult


def _result(title, snippet=""):
    return SearchResult(title=title, url=None, snippet=snippet, doc_id=title)


@pytest.mark.parametrize(
    "question, titles",
    [
        ("Who was Ed Wood?", ["Ed Wood", "Ed Wood (film)"]),  # the unqualified title is the main meaning
        ("How big is the planet Mercury?", ["Mercury (planet)", "Mercury (element)"]),  # the question says which
        ("How far is Mercury from the Sun?", ["Mercury (planet)", "Mercury (element)"]),  # its words fit one
        ("How hot is Venus?", ["Mercury (planet)", "Mercury (element)"]),  # the name is not in the question
        ("Who was Lothair II?", ["Lothair II", "Lothair I", "Lotharingia"]),
    ],
)
def test_the_ambiguity_detector_is_conservative(question, titles):
    snippets = {"Mercury (planet)": "Mercury is the closest planet to the Sun."}
    assert find_ambiguity(question, [_result(t, snippets.get(t, "")) for t in titles]) is None


def test_disambiguation_pages_are_not_readings():
    results = [
        _result("Mercury", "Mercury may refer to:"),
        _result("Mercury (planet)"),
        _result("Mercury (mythology)"),
    ]
    found = find_ambiguity("Tell me about Mercury", results)
    assert found is not None and [r.title for r in found.readings] == ["Mercury (planet)", "Mercury (mythology)"]


@pytest.mark.parametrize(
    "reply, chosen",
    [("1", "Mercury (planet)"), ("#2", "Mercury (element)"), ("the second one", "Mercury (element)"),
     ("the element", "Mercury (element)"), ("mercury (planet)", "Mercury (planet)"), ("the metal", "Mercury (element)"),
     ("7", None), ("something else", None)],
)  # fmt: skip
def test_choose_reading(reply, chosen):
    readings = [Reading("Mercury (planet)", snippet="A planet."), Reading("Mercury (element)", snippet="A metal.")]
    picked = choose_reading(readings, reply)
    assert (picked.title if picked else None) == chosen


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Legal immigration for same sex couples.", True),
        ("Photosynthesis", True),
        ("Who wrote Hamlet?", False),
        ("Tell me about Rome", False),
        ("Explain photosynthesis", False),
        ("I want to know about cats", False),
        ("Rome was founded in 753 BC, is that right", False),
    ],
)
def test_bare_topics_are_told_from_questions_and_requests(text, topic):
    from webqa.conversation.clarify import is_bare_topic

    assert is_bare_topic(text) is topic
