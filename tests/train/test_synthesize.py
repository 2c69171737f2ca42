"""Synthesized training data: from gold answers, never from the questions webqa reports on."""

from __future__ import annotations

import pytest

from webqa.cli import main
from webqa.errors import InputError
from webqa.evaluation.gold import Gold, GoldItem
from webqa.train.synthesize import Synthesized, _add_examples, trainable_items
from webqa.types import Quote


def _items(count: int) -> list[GoldItem]:
    return [GoldItem(f"q{i}", (f"Question {i}?",), (Gold(("x",)),)) for i in range(count)]


def test_squad_keeps_its_first_thousand_and_hotpotqa_its_odd_positions_for_the_reports():
    squad = trainable_items("squad", _items(1010), 0, None)
    assert [item.id for item in squad] == [f"q{i}" for i in range(1000, 1010)]
    hotpot = trainable_items("hotpotqa", _items(10), 1, 2)
    assert [item.id for item in hotpot] == ["q2", "q4"]  # even positions only, from the second of them


def test_sets_reported_as_unseen_are_refused(capsys):
    with pytest.raises(InputError, match="reported as unseen"):
        trainable_items("musique", _items(5), 0, None)
    assert main(["feedback", "synthesize", "inscit", "--out", "x"]) == 2
    assert "questions you report on must stay unseen" in capsys.readouterr().err


def test_a_start_beyond_the_trainable_questions_is_refused():
    with pytest.raises(InputError, match="has 5 questions to train on; --start 9 leaves none"):
        trainable_items("hotpotqa", _items(10), 9, None)


def _quote(text: str) -> Quote:
    return Quote(text, "Paris", None, "Paris", 0, len(text))


def test_the_quote_holding_the_gold_answer_is_the_edit_and_is_preferred_over_one_that_does_not():
    quotes = [_quote("Paris is a large city."), _quote("Paris is the capital of France."), _quote("It rains.")]
    result = Synthesized()
    _add_examples(result, "What is Paris the capital of?", quotes, ["France"])
    (example,) = result.sft
    assert example.messages[-1].content == "Paris is the capital of France [2]."
    assert "[2] Paris: Paris is the capital of France." in example.messages[1].content  # the runtime prompt
    (pair,) = result.pairs
    assert pair.chosen[0].content == "Paris is the capital of France [2]."
    assert pair.rejected[0].content == "Paris is a large city [1]."  # the best-ranked quote without the gold


def test_quotes_without_the_gold_answer_give_nothing():
    result = Synthesized()
    _add_examples(result, "What is Paris the capital of?", [_quote("Paris is a large city.")], ["France"])
    assert (result.sft, result.pairs, result.gold_not_quoted) == ([], [], 1)
