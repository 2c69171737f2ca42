import pytest

from tests.conftest import write_corpus
from webqa.browser.env import Browser
from webqa.browser.fetchers import LocalDocuments
from webqa.index import build_index, open_index
from webqa.search.local import LocalSearch
from webqa.types import Document

HOTPOT_STYLE = [
    Document(
        "Kiss and Tell (1945 film)",
        "Kiss and Tell (1945 film)",
        "Kiss and Tell is a 1945 American comedy film starring then 17-year-old Shirley Temple as Corliss Archer. "
        "In the film, two teenage girls cause their respective parents much concern.",
    ),
    Document(
        "Shirley Temple",
        "Shirley Temple",
        "Shirley Temple Black was an American actress, singer, dancer, businesswoman, and diplomat. "
        "As an adult, she was named United States ambassador to Ghana and to Czechoslovakia and also served as "
        "Chief of Protocol of the United States.",
    ),
    Document(
        "Meet Corliss Archer",
        "Meet Corliss Archer",
        "Meet Corliss Archer, a program from radio's Golden Age, ran from January 7, 1943 to September 30, 1956.",
    ),
    Document("Janet Waldo", "Janet Waldo", "Janet Marie Waldo was an American radio and voice actress."),
]


@pytest.fixture
def hotpot_index(tmp_path, settings, embedder):
    corpus = write_corpus(tmp_path / "hotpot.jsonl", HOTPOT_STYLE)
    build_index("hotpot", [str(corpus)], settings, embedder=embedder, progress=False)
    index = open_index("hotpot", settings, embedder=embedder)
    yield index
    index.close()


@pytest.fixture
def sample_index(corpus, settings, embedder):
    build_index("sample", [str(corpus)], settings, embedder=embedder, progress=False)
    index = open_index("sample", settings, embedder=embedder)
    yield index
    index.close()


def browser_for(index, budget: int = 20) -> Browser:
    return Browser(search_backend=LocalSearch(index), local=LocalDocuments(index), budget=budget)
