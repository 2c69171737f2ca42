import pytest

from tests.answer.conftest import TEMPLE
from tests.fakes import CountingEmbedder
from webqa.answer.support import OverlapSupport
from webqa.index.embedders import load_embedder

EVIDENCE = [f"{TEMPLE.title}\n{TEMPLE.text}"]


def test_numbers_the_evidence_never_states_sink_the_score():
    checker = OverlapSupport(CountingEmbedder())
    assert checker.support("Shirley Temple was ambassador to Ghana in 1974.", EVIDENCE) <= 0.3**2
    assert checker.support("", EVIDENCE) == 0.0 and checker.support("Anything.", []) == 0.0


@pytest.mark.slow
@pytest.mark.parametrize(
    "claim, supported",
    [
        ("Shirley Temple served as Chief of Protocol of the United States [1].", True),
        ("Shirley Temple was Chief of Protocol.", True),
        ("She was an ambassador to Ghana.", True),
        ("Shirley Temple was the President of the United States.", False),
        ("She was an ambassador to France.", False),
        ("Corliss Archer was played by Janet Waldo.", False),
    ],
)
def test_the_default_checker_with_the_real_embedding_model(claim, supported):
    checker = OverlapSupport(load_embedder("minilm"))
    assert checker.supported(claim, EVIDENCE) is supported


def test_each_text_is_embedded_once_per_checker():
    embedder = CountingEmbedder()
    checker = OverlapSupport(embedder)
    claim = "Shirley Temple served as Chief of Protocol."
    first = checker.support(claim, EVIDENCE)
    assert checker.support(claim, EVIDENCE) == first
    assert checker.support(claim, [*EVIDENCE, "Another quote about Ghana."]) >= first
    assert sorted(embedder.texts) == sorted([claim, EVIDENCE[0], "Another quote about Ghana."])
