"""One registry mechanism for every family a setting chooses from by name: search backends, language-model
kinds, embedders, policies, answer modes, benchmark datasets.

webqa's own implementations are registered below exactly as a plugin would register its own (simonw/llm
ships its OpenAI models as a default plugin): by name, with a "module:attribute" reference that is imported
only when something is created. So settings validation and `--help` can list every name without paying for
the libraries behind them (torch, faiss, httpx), and no family module imports all its members.

    SEARCH_BACKENDS.register("mysearch", "my_package.search:create")   # or the factory itself
    SEARCH_BACKENDS.names()                                             # [..., "mysearch", ...]
    SEARCH_BACKENDS.create("mysearch", context)                         # imports, then calls the factory
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from webqa.errors import WebqaError

T = TypeVar("T")


class UnknownNameError(WebqaError, ValueError):
    """A setting or option names something no one registered; the message lists what is. A ValueError too,
    so that a settings validator that meets one reports it as an invalid setting."""


class Registry(Generic[T]):
    """Names of one family, each with its entry: the object itself, or a "module:attribute" string that is
    imported on first use. Entries are usually factories (`create` calls them); a family whose members offer
    more than one function (an LLM kind loads and checks) registers a module and calls what it needs."""

    def __init__(self, family: str) -> None:
        self.family = family  # "search backend": how messages name a member
        self._entries: dict[str, T | str] = {}

    def register(self, name: str, entry: T | str, *, replace: bool = False) -> None:
        if name in self._entries and not replace:
            raise ValueError(f"A {self.family} named {name!r} is already registered.")
        self._entries[name] = entry

    def unregister(self, name: str) -> None:
        """Forget a name (a plugin turned off)."""
        self._entries.pop(name, None)

    @contextlib.contextmanager
    def temporarily(self, name: str, entry: T | str) -> Iterator[None]:
        """A member for the length of a `with` block (a test's fake), the previous one restored after it."""
        previous = self._entries.get(name)
        self.register(name, entry, replace=True)
        try:
            yield
        finally:
            if previous is None:
                self.unregister(name)
            else:
                self._entries[name] = previous

    def names(self) -> list[str]:
        """Every registered name, in the order registered (webqa's defaults first)."""
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def get(self, name: str) -> T:
        """The entry for `name`, imported if it was registered as a reference."""
        if name not in self._entries:
            raise self.unknown(name)
        entry = self._entries[name]
        if isinstance(entry, str):
            entry = _resolve(entry)
            self._entries[name] = entry
        return entry

    def create(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the factory registered as `name` with the context it needs."""
        factory: Callable[..., Any] = self.get(name)  # type: ignore[assignment]
        return factory(*args, **kwargs)

    def unknown(self, name: str) -> UnknownNameError:
        return UnknownNameError(f"Unknown {self.family} {name!r}. Available: {', '.join(self.names())}.")

    def check(self, name: str) -> str:
        """`name` if it is registered (a settings validator's test), else the error listing the names."""
        if name not in self._entries:
            raise self.unknown(name)
        return name

    def help(self) -> str:
        """The names as CLI help shows them: "a, b or c"."""
        names = self.names()
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _resolve(reference: str) -> Any:
    module_name, _, attribute = reference.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


# --- webqa's own members: the default plugin ------------------------------------------------------------
# Factories take the context their family creates members with (named in each family's module).

SEARCH_BACKENDS: Registry[Any] = Registry("search backend")
"""(SearchContext) -> SearchBackend. See webqa.search.base.SearchContext."""
SEARCH_BACKENDS.register("local", "webqa.search.local:create")
SEARCH_BACKENDS.register("brave", "webqa.search.brave:create")
SEARCH_BACKENDS.register("duckduckgo", "webqa.search.duckduckgo:create")
SEARCH_BACKENDS.register("searxng", "webqa.search.searxng:create")
SEARCH_BACKENDS.register("tavily", "webqa.search.tavily:create")
SEARCH_BACKENDS.register("wikipedia", "webqa.search.wikipedia:create")

LLM_KINDS: Registry[Any] = Registry("LLM kind")
"""Modules with load(settings, spec, argument) -> LLM and check(settings, spec, argument); optionally
check_server(...) and NEEDS_ARGUMENT (what must follow the colon). See webqa.llm."""
LLM_KINDS.register("llamacpp", "webqa.llm.llamacpp")
LLM_KINDS.register("hf", "webqa.llm.huggingface")
LLM_KINDS.register("openai", "webqa.llm.openai_compat")

EMBEDDERS: Registry[Any] = Registry("embedding model")
"""(argument after the colon, EmbedderOptions) -> Embedder. See webqa.index.embedders."""
EMBEDDERS.register("minilm", "webqa.index.embedders:load_minilm")
EMBEDDERS.register("sentence-transformers", "webqa.index.embedders:load_sentence_transformers")
EMBEDDERS.register("hashing", "webqa.index.embedders:load_hashing")

POLICIES: Registry[Any] = Registry("policy")
"""(PolicyContext) -> Policy. See webqa.agent.loop.PolicyContext."""
POLICIES.register("planned", "webqa.agent.planned:create")
POLICIES.register("llm", "webqa.agent.llm_policy:create")

ANSWER_MODES: Registry[Any] = Registry("answer mode")
"""() -> Answerer. See webqa.answer_modes.answer_turn, which runs them."""
ANSWER_MODES.register("extractive", "webqa.answer_modes:ExtractiveAnswerer")
ANSWER_MODES.register("abstractive", "webqa.answer_modes:AbstractiveAnswerer")

DATASETS: Registry[Any] = Registry("dataset")
"""Modules with load(data_dir) -> EvalSet and FILES (what a data folder must hold). See
webqa.evaluation.datasets."""
DATASETS.register("hotpotqa", "webqa.evaluation.datasets.hotpotqa")
DATASETS.register("squad", "webqa.evaluation.datasets.squad")
DATASETS.register("musique", "webqa.evaluation.datasets.musique")
DATASETS.register("inscit", "webqa.evaluation.datasets.inscit")
