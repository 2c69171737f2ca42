"""Shared fixtures: no network but 127.0.0.1, a clean environment, small corpora, fake embedders."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from tests.fakes import CountingEmbedder  # noqa: E402
from webqa.config import Settings  # noqa: E402
from webqa.index import build_index, open_index  # noqa: E402
from webqa.types import Document  # noqa: E402

LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection or name lookup beyond this machine fails the test loudly."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]  # type: ignore[index]
            if host not in LOCAL_HOSTS:
                raise AssertionError(f"test tried to reach the network: {address}")
        return real_connect(self, address)  # type: ignore[arg-type]

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if isinstance(host, bytes):
            host = host.decode()
        if host not in LOCAL_HOSTS and not _is_ip_literal(str(host)):
            raise AssertionError(f"test tried to resolve a network name: {host}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _is_ip_literal(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests see no WEBQA_* variables or webqa.toml of the developer's own."""
    for key in list(os.environ):
        if key.startswith("WEBQA_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def fresh_shared_assistants() -> Iterator[None]:
    """No shared assistant from an earlier test, and none left for a later one."""
    from webqa.shared import forget_shared_assistants

    forget_shared_assistants()
    yield
    forget_shared_assistants()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The confidence was fitted on the real embedder's scores, which the hashing embedder's are not:
    # tests of what answers say never abstain on confidence; those of abstention set a threshold.
    return Settings(index_dir=tmp_path / "indexes", embedding_model="hashing:256", abstain_below_confidence=0.0)


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


SAMPLE_DOCUMENTS = [
    Document(
        "lothair",
        "Lothair II",
        "Lothair II was the king of Lotharingia from 855 until his death. He was the second son of "
        "Emperor Lothair I and Ermengarde of Tours. He died in Piacenza on 8 August 869.",
        "https://example.org/lothair",
    ),
    Document(
        "einstein",
        "Albert Einstein",
        "Albert Einstein was a German-born theoretical physicist. He developed the theory of relativity. "
        "He received the 1921 Nobel Prize in Physics for his services to theoretical physics.",
        "https://example.org/einstein",
    ),
    Document(
        "nile",
        "Nile",
        "The Nile is a major north-flowing river in northeastern Africa. It flows into the Mediterranean "
        "Sea. The Nile is among the longest rivers in the world.",
    ),
    Document(
        "photosynthesis",
        "Photosynthesis",
        "Photosynthesis is a process used by plants to convert light energy into chemical energy. "
        "Chlorophyll absorbs sunlight, and the plant releases oxygen as a by-product.",
    ),
    Document(
        "everest",
        "Mount Everest",
        "Mount Everest is Earth's highest mountain above sea level, located in the Himalayas on the "
        "border between Nepal and China. Its summit is 8,849 metres high.",
    ),
]


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


MERCURY = [  # one name, two readings: what a clarifying question is for
    Document(
        "mercury-planet",
        "Mercury (planet)",
        "Mercury is the smallest planet in the Solar System and the closest to the Sun. "
        "A year on Mercury lasts 88 days.",
    ),
    Document(
        "mercury-element",
        "Mercury (element)",
        "Mercury is a chemical element with the symbol Hg. It is a heavy, silvery metal that is liquid at room "
        "temperature.",
    ),
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


def write_corpus(path: Path, documents: list[Document] | None = None) -> Path:
    documents = SAMPLE_DOCUMENTS if documents is None else documents
    lines = [
        json.dumps({"id": d.id, "title": d.title, "text": d.text, "url": d.url, "metadata": d.metadata})
        for d in documents
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus.jsonl")


@pytest.fixture
def cli_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[[list[Document]], Path]:
    """Call with documents to get what `webqa` commands run on in process: the default index "kb" built from
    them with the hashing embedder, and short answers scored without a model. Returns the test's folder."""

    def make(documents: list[Document]) -> Path:
        from webqa.cli import main  # the whole command stack: only for the tests that use it

        monkeypatch.setenv("WEBQA_INDEX_DIR", str(tmp_path / "indexes"))
        monkeypatch.setenv("WEBQA_EMBEDDING_MODEL", "hashing:256")
        monkeypatch.setenv("WEBQA_DEFAULT_INDEX", "kb")
        monkeypatch.setenv("WEBQA_SHORT_ANSWER_SCORING", "heuristic")  # extractive answers then need no model
        monkeypatch.setenv("WEBQA_ABSTAIN_BELOW_CONFIDENCE", "0")  # see the `settings` fixture
        corpus = write_corpus(tmp_path / "cli-corpus.jsonl", documents)
        assert main(["index", "build", str(corpus), "--name", "kb", "-q"]) == 0
        capsys.readouterr()  # the build's output is not the test's
        return tmp_path

    return make


@pytest.fixture
def chat_env(cli_env: Callable[[list[Document]], Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """What `webqa chat` and the browser chat run on in process: cli_env over SAMPLE_DOCUMENTS + MERCURY,
    with the conversation and feedback stores in the test's folder."""
    # The hashing embedder scores paraphrases low: lower bars than the real model needs.
    monkeypatch.setenv("WEBQA_ABSTAIN_BELOW", "0.1")
    monkeypatch.setenv("WEBQA_REUSE_QUOTES_ABOVE", "0.45")
    folder = cli_env(SAMPLE_DOCUMENTS + MERCURY)
    monkeypatch.setenv("WEBQA_CONVERSATIONS_PATH", str(folder / "conversations.sqlite"))
    monkeypatch.setenv("WEBQA_FEEDBACK_PATH", str(folder / "feedback.jsonl"))
    return folder


from tests.http_server import web  # noqa: E402,F401 - a fixture shared by every test module


@pytest.fixture(scope="session")
def vital_index_dir() -> Path:
    """The default index (the bundled Wikipedia summaries) built with the real MiniLM, for the few tests
    with the real models. Kept in test-artifacts/ (git-ignored): a later run re-embeds nothing."""
    repo = Path(__file__).resolve().parents[1]
    folder = repo / "test-artifacts" / "indexes"
    folder.mkdir(parents=True, exist_ok=True)
    corpus = repo / "webqa" / "data" / "wikipedia-vital.jsonl.gz"
    (folder / "wikipedia-vital.toml").write_text(f"sources = [{json.dumps(str(corpus))}]\n", encoding="utf-8")
    saved = {key: os.environ.pop(key) for key in list(os.environ) if key.startswith("WEBQA_")}
    try:
        build_index("wikipedia-vital", [str(corpus)], Settings(index_dir=folder), progress=False)
    finally:
        os.environ.update(saved)
    return folder


@pytest.fixture
def kb(tmp_path, settings, embedder):
    """An index of the sample, HotpotQA-style and Mercury documents (hashing embedder): the conversation and
    trace tests answer from it."""
    corpus = write_corpus(tmp_path / "kb.jsonl", SAMPLE_DOCUMENTS + HOTPOT_STYLE + MERCURY)
    build_index("kb", [str(corpus)], settings, embedder=embedder, progress=False)
    index = open_index("kb", settings, embedder=embedder)
    yield index
    index.close()
