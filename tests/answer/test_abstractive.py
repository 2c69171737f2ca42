from tests.answer.conftest import KISS, QUESTION, TEMPLE
from tests.fakes import CountingEmbedder
from webqa.answer.abstractive import abstractive_answer
from webqa.answer.support import OverlapSupport
from webqa.llm import ScriptedLLM


def test_supported_sentences_stream_out_and_unsupported_ones_are_dropped(scored):
    llm = ScriptedLLM()
    llm.enqueue(
        "Shirley Temple played Corliss Archer in Kiss and Tell [2]. "
        "She also served as Chief of Protocol of the United States [1]. "
        "She was later elected President of France [1]."
    )
    shown: list[str] = []
    draft = abstractive_answer(QUESTION, scored, llm, OverlapSupport(CountingEmbedder(), threshold=0.5), shown.append)
    assert draft is not None and not draft.abstained
    assert draft.text == (
        "Shirley Temple played Corliss Archer in Kiss and Tell [1]. "
        "She also served as Chief of Protocol of the United States [2]."
    )
    assert "".join(shown).strip() == draft.text  # only checked sentences were ever shown
    assert [(c.n, c.quote) for c in draft.citations] == [(1, KISS), (2, TEMPLE)]  # renumbered by first use
    assert draft.notes["dropped_sentences"] == ["She was later elected President of France [1]."]
    _, messages, _ = llm.calls[0]
    assert "[1] Shirley Temple: As an adult" in messages[-1][1] and QUESTION in messages[-1][1]


def test_an_uncited_supported_sentence_gets_the_quote_that_supports_it(scored):
    llm = ScriptedLLM()
    llm.enqueue("She served as Chief of Protocol of the United States.")
    draft = abstractive_answer(QUESTION, scored, llm, OverlapSupport(CountingEmbedder(), threshold=0.5))
    assert draft is not None and draft.text.endswith("[1].") and draft.citations[0].quote == TEMPLE


def test_nothing_supported_returns_none_so_the_caller_falls_back(scored):
    llm = ScriptedLLM()
    llm.enqueue("The moon is made of cheese [1]. Bananas are blue [2].")
    assert abstractive_answer(QUESTION, scored, llm, OverlapSupport(CountingEmbedder(), threshold=0.5)) is None


def test_a_sentence_that_needs_two_quotes_cites_both(scored):
    llm = ScriptedLLM("Kiss and Tell starred Shirley Temple, who served as Chief of Protocol of the United States.")
    draft = abstractive_answer(QUESTION, scored, llm, OverlapSupport(CountingEmbedder(), threshold=0.5))
    assert draft is not None and draft.text.endswith("[1][2].")
    assert {c.quote for c in draft.citations} == {KISS, TEMPLE}
