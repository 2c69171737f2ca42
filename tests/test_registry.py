"""The one registry mechanism: register, create by name, list names; and the settings, CLI help and
assistant that read it."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import write_corpus
from webqa.config import load_settings
from webqa.errors import WebqaError
from webqa.registry import (
    ANSWER_MODES,
    DATASETS,
    EMBEDDERS,
    LLM_KINDS,
    POLICIES,
    SEARCH_BACKENDS,
    Registry,
    UnknownNameError,
)
from webqa.search.base import SearchContext, SearchResult


def test_register_create_and_list():
    things: Registry = Registry("thing")
    things.register("pair", lambda a, b=0: (a, b))
    things.register("echo", "tests.registry_member:make")
    assert things.names() == ["pair", "echo"] and "pair" in things and "other" not in things
    assert things.create("pair", 1, b=2) == (1, 2)
    assert things.create("echo", "x", k=3) == (("x",), {"k": 3})
    with pytest.raises(ValueError, match="already registered"):
        things.register("pair", len)
    things.register("pair", len, replace=True)
    assert things.create("pair", "abc") == 3


def test_a_reference_is_imported_only_when_its_member_is_created():
    sys.modules.pop("tests.registry_member", None)
    things: Registry = Registry("thing")
    things.register("lazy", "tests.registry_member:make")
    assert things.names() == ["lazy"] and "tests.registry_member" not in sys.modules
    things.create("lazy")
    assert "tests.registry_member" in sys.modules


def test_an_unknown_name_lists_the_known_ones():
    things: Registry = Registry("thing")
    things.register("a", len)
    things.register("b", len)
    with pytest.raises(UnknownNameError, match=r"Unknown thing 'c'\. Available: a, b\.") as raised:
        things.create("c")
    assert isinstance(raised.value, WebqaError) and isinstance(raised.value, ValueError)
    assert things.help() == "a or b"


def test_temporarily_restores_what_was_there():
    things: Registry = Registry("thing")
    things.register("a", len)
    with things.temporarily("a", str), things.temporarily("b", repr):
        assert things.get("a") is str and things.names() == ["a", "b"]
    assert things.get("a") is len and things.names() == ["a"]


def test_every_family_lists_webqa_s_own_members():
    assert SEARCH_BACKENDS.names() == ["local", "brave", "duckduckgo", "searxng", "tavily", "wikipedia"]
    assert LLM_KINDS.names() == ["llamacpp", "hf", "openai"]
    assert EMBEDDERS.names() == ["minilm", "sentence-transformers", "hashing"]
    assert POLICIES.names() == ["planned", "llm"]
    assert ANSWER_MODES.names() == ["extractive", "abstractive"]
    assert DATASETS.names() == ["hotpotqa", "squad", "musique", "inscit"]


def test_every_built_in_reference_resolves():
    for family in (SEARCH_BACKENDS, LLM_KINDS, EMBEDDERS, POLICIES, ANSWER_MODES, DATASETS):
        for name in family.names():
            assert family.get(name) is not None, (family.family, name)


class FixedSearch:
    """A search backend a plugin might add: one fixed result, and the context it was made with."""

    name = "fixed"

    def __init__(self, context: SearchContext) -> None:
        self.context = context

    def search(self, query: str, k: int) -> list[SearchResult]:
        return [SearchResult("Fixed", "https://example.org/fixed", f"about {query}")][:k]


def test_a_backend_registered_from_a_test_is_a_valid_setting_and_is_used(tmp_path, monkeypatch):
    with pytest.raises(WebqaError, match=r"search_backend: .*Unknown search backend 'fixed'\. Available: local, "):
        load_settings(search_backend="fixed")
    with SEARCH_BACKENDS.temporarily("fixed", FixedSearch):
        settings = load_settings(search_backend="fixed", index_dir=tmp_path / "indexes")
        from webqa.assistant import Assistant

        assistant = Assistant(settings)
        assert assistant.index is None  # only the local backend opens the index
        assert assistant.search_backend.search("Nile", 3)[0].snippet == "about Nile"
    with pytest.raises(WebqaError, match="Unknown search backend 'fixed'"):
        load_settings(search_backend="fixed")


def test_the_local_backend_opens_the_index_through_its_context(tmp_path):
    from webqa.index import build_index

    settings = load_settings(index_dir=tmp_path / "indexes", embedding_model="hashing:64", default_index="kb")
    build_index("kb", [str(write_corpus(tmp_path / "corpus.jsonl"))], settings)
    context = SearchContext(settings)
    backend = SEARCH_BACKENDS.create("local", context)
    assert backend.name == "local" and context.index is not None and backend.index is context.index
    assert SEARCH_BACKENDS.create("local", SearchContext(settings, context.index)).index is context.index


def test_policies_and_answer_modes_are_validated_against_their_registries():
    with pytest.raises(WebqaError, match=r"policy: Input should be 'planned' or 'llm'"):
        load_settings(policy="magic")
    with POLICIES.temporarily("magic", "tests.registry_member:make"):
        assert load_settings(policy="magic").policy == "magic"
        with pytest.raises(WebqaError, match=r"policy: Input should be 'planned', 'llm' or 'magic'"):
            load_settings(policy="other")
    with pytest.raises(WebqaError, match=r"answer_mode: Input should be 'extractive' or 'abstractive'"):
        load_settings(answer_mode="poetic")


def test_the_cli_help_lists_the_registered_names(capsys):
    from webqa.cli import main

    main(["ask", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"Search backend: {SEARCH_BACKENDS.help()}." in help_text
    for names in (POLICIES.help(), ANSWER_MODES.help(), LLM_KINDS.help()):
        assert names in help_text
