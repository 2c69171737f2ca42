"""ALCE-style citation recall and precision on hand-checked answers."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.fakes import CountingEmbedder
from webqa.answer.support import OverlapSupport
from webqa.evaluation.citations import citation_scores, cited_sentences


class WordsChecker:
    """Supported exactly when every word of the claim (markers aside) appears in the evidence together."""

    threshold = 0.5

    def __init__(self) -> None:
        self.asked: list[tuple[str, tuple[str, ...]]] = []

    def support(self, claim: str, evidence: Sequence[str]) -> float:
        self.asked.append((claim, tuple(evidence)))
        words = set(claim.lower().rstrip(".").split())
        seen = set(" ".join(evidence).lower().replace(".", "").split())
        return float(words <= seen)


QUOTES = {
    1: "paris is the capital of france",
    2: "the seine flows through paris",
    3: "bananas are yellow",
}


def scores(answer: str, quotes: dict[int, str] = QUOTES):  # noqa: ANN201
    return citation_scores(answer, quotes, WordsChecker())


def test_a_sentence_its_one_citation_supports_is_recalled_and_precise():
    result = scores("Paris is the capital of France [1].")
    assert (result.recall, result.precision, result.citations, result.relevant) == (1.0, 1.0, 1, 1)


def test_a_sentence_without_a_citation_is_unsupported_and_adds_no_citation():
    result = scores("Paris is the capital of France [1]. The Seine flows through Paris.")
    assert result.sentences == 2 and result.supported == 1
    assert result.recall == 0.5
    assert result.citations == 1 and result.precision == 1.0


def test_an_answer_that_cites_nothing_has_precision_zero_like_alce():
    result = scores("Paris is the capital of France.")
    assert (result.recall, result.precision, result.citations) == (0.0, 0.0, 0)


def test_an_out_of_range_citation_leaves_the_sentence_unsupported_even_beside_a_good_one():
    assert scores("Paris is the capital of France [4].").recall == 0.0
    result = scores("Paris is the capital of France [1][4].")
    assert result.recall == 0.0
    assert result.citations == 2 and result.relevant == 0 and result.precision == 0.0


def test_a_redundant_citation_is_irrelevant_when_the_other_supports_the_sentence_alone():
    result = scores("Paris is the capital of France [1][3].")
    assert result.recall == 1.0
    assert result.citations == 2 and result.relevant == 1 and result.precision == 0.5


def test_two_citations_that_support_a_sentence_only_together_are_both_relevant():
    result = scores("The Seine flows through Paris the capital of France [1][2].")
    assert result.recall == 1.0 and result.precision == 1.0


def test_citing_one_quote_twice_counts_once_and_group_markers_are_read():
    assert scores("Paris is the capital of France [1][1].").citations == 1
    grouped = scores("The Seine flows through Paris the capital of France [1, 2].")
    assert grouped.citations == 2 and grouped.precision == 1.0


def test_a_cited_but_unsupported_sentence_makes_its_citations_irrelevant():
    result = scores("Bananas are the capital of France [3].")
    assert (result.recall, result.precision) == (0.0, 0.0)


def test_markers_after_the_full_stop_belong_to_the_sentence_before():
    assert cited_sentences("Paris is the capital. [1] The Seine flows. [2][3]") == [
        ("Paris is the capital.", [1]),
        ("The Seine flows.", [2, 3]),
    ]
    assert cited_sentences("[1]") == []
    assert scores("").recall is None


def test_the_real_support_checker_judges_extractive_sentences_as_supported():
    """With OverlapSupport (hashing vectors here) a sentence copied from its quote is supported, a sentence
    that cites the wrong quote is not."""
    checker = OverlapSupport(CountingEmbedder())
    quotes = {1: "Albert Einstein\nEinstein developed the theory of relativity.", 2: "Nile\nThe Nile flows north."}
    assert citation_scores("Einstein developed the theory of relativity [1].", quotes, checker).recall == 1.0
    wrong = citation_scores("Einstein developed the theory of relativity [2].", quotes, checker)
    assert wrong.recall == 0.0 and wrong.precision == 0.0


@pytest.mark.parametrize("answer", ["Paris is the capital of France [1]. [2]", "[1] Paris is the capital of France."])
def test_stray_markers_never_crash(answer: str):
    assert scores(answer).sentences == 1
