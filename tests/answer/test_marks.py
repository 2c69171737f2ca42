"""How far each sentence of an answer is trusted, and how sampled sentences are judged."""

from __future__ import annotations

from webqa.answer.marks import marked_sample, marked_sentences
from webqa.answer.sampling import judge_sentences
from webqa.trace import Trace
from webqa.types import Answer, Citation, Quote

NILE = Quote("The Nile flows into the Mediterranean Sea.", "Nile", None, "nile", 0, 42)


class WordSupport:
    """Support = share of the claim's words found in the evidence (no embedder needed)."""

    threshold = 0.7

    def support(self, claim: str, evidence: list[str]) -> float:
        words = claim.lower().replace("[1]", "").replace("[2]", "").replace("[7]", "").strip(" .").split()
        found = " ".join(evidence).lower()
        return sum(word in found for word in words) / len(words) if words else 0.0


def test_extractive_sentences_are_quoted_and_an_uncited_verdict_is_uncertain():
    answer = Answer("Does the Nile reach the sea?", "Yes. The Nile flows into the Mediterranean Sea [1].",
                    "yes", citations=(Citation(1, NILE),))  # fmt: skip
    assert [(m.text, m.status) for m in marked_sentences(answer)] == [
        ("Yes.", "uncertain"),
        ("The Nile flows into the Mediterranean Sea [1].", "quoted"),
    ]


def test_written_sentences_keep_their_scores_and_dropped_ones_show_as_unsupported():
    sentences = [
        {"text": "The Nile flows into the sea [1].", "score": 0.95, "kept": True},
        {"text": "It is long [1].", "score": 0.72, "kept": True},
        {"text": "It is green [1].", "score": 0.2, "kept": False},
        {"text": "2.", "score": 0.0, "kept": False},  # list numbering, not a claim
    ]
    answer = Answer(
        "q", "The Nile flows into the sea [1]. It is long [1].", trace=Trace(notes={"sentences": sentences})
    )
    assert [m.status for m in marked_sentences(answer)] == ["supported", "uncertain", "unsupported"]


def test_an_abstention_is_one_marked_block():
    answer = Answer("q", "I could not find a reliable answer to this question.", abstained=True)
    assert [m.status for m in marked_sentences(answer)] == ["abstained"]


def test_sampled_sentences_are_judged_by_the_quotes_they_cite_and_out_of_range_cites_nothing():
    judged = judge_sentences(
        "The Nile flows into the Mediterranean Sea [1]. The Nile flows into the Mediterranean Sea [7]. "
        "It is made of cheese [1].",
        [NILE],
        WordSupport(),
    )
    assert [(j.cited, j.supported) for j in judged] == [((1,), True), ((), False), ((1,), False)]
    assert judged[1].score == 0.0  # [7] is no quote: nothing backs the sentence
    assert [m.status for m in marked_sample(judged)] == ["supported", "unsupported", "unsupported"]
