"""Options several commands share, and the one way commands turn them into settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from webqa.registry import ANSWER_MODES, LLM_KINDS, POLICIES, SEARCH_BACKENDS

# Settings are imported where a command runs, not here: pydantic-settings alone costs a third of a second,
# which `webqa --help` should not pay.
if TYPE_CHECKING:
    from webqa.config import Settings

# Help and usage errors in click's plain text: rendering them with rich imports rich and markdown-it
# first, about a fifth of a second at every start of a command that prints help.
PLAIN_HELP = None

INDEX = typer.Option(None, "--index", help="Local index to use (default: WEBQA_DEFAULT_INDEX).")
# The names in help come from the registries (names only: nothing behind them is imported).
BACKEND = typer.Option(None, "--backend", "-b", help=f"Search backend: {SEARCH_BACKENDS.help()}.")
LLM = typer.Option(
    None,
    "--llm",
    help=f"Model spec KIND[:ARGUMENT], KIND one of {LLM_KINDS.help()}; e.g. llamacpp, llamacpp:PATH.gguf, "
    "openai:MODEL.",
)
POLICY = typer.Option(
    None, "--policy", help=f"{POLICIES.help()}: planned (no model judgement), llm (the model picks each action)."
)
MODE = typer.Option(
    None,
    "--mode",
    help=f"{ANSWER_MODES.help()}: extractive (answers are quoted sentences), abstractive (the model writes, checked).",
)
CONFIDENCE = typer.Option(
    None,
    "--abstain-below",
    min=0.0,
    max=1.0,
    help="Abstain when the answer's confidence is below this (default: the measured threshold; 0 never).",
)
TRACE = typer.Option(False, "--trace", help="Show every browser action and what it returned.")
BEST_OF = typer.Option(
    None, "--best-of", min=1, max=64, help="Abstractive mode: sample N answers and keep the best (see --reward)."
)
REWARD = typer.Option(None, "--reward", help="Reward model folder (webqa train reward) that ranks --best-of's samples.")

# Command option name -> the setting it overrides.
_SETTING_FOR = {
    "index": "default_index",
    "backend": "search_backend",
    "llm": "llm",
    "policy": "policy",
    "mode": "answer_mode",
    "k": "search_k",
    "abstain_below": "abstain_below_confidence",
    "best_of": "best_of",
    "reward": "reward_model",
    "serve_workers": "serve_workers",  # `webqa serve --workers`: threads; batch and eval --workers are processes
}


def settings_with(**options: object) -> Settings:
    """Settings from the environment and webqa.toml with the given command options on top, validated like
    any setting, so a bad --policy gets the same one-line message as a bad WEBQA_POLICY."""
    from webqa.config import load_settings

    overrides = {_SETTING_FOR[name]: value for name, value in options.items() if value is not None}
    return load_settings(**overrides)


def answering_settings(*, reach_server: bool = True, **options: object) -> Settings:
    """settings_with() for the commands that answer questions, plus the cheap checks of the model setting
    (and one request to a model server) before anything expensive loads."""
    from webqa.llm import check_llm, parse_spec

    settings = settings_with(**options)
    check_best_of(settings)
    if uses_model(settings):
        check_llm(settings, reach_server=reach_server)
    else:
        parse_spec(settings.llm)  # unused this time, but a typo in it is still worth a word now
    return settings


def check_best_of(settings: Settings) -> None:
    """--best-of samples written answers, and its reward model must be there: both said before any loading."""
    from webqa.errors import WebqaError

    if settings.best_of > 1 and settings.answer_mode != "abstractive":
        raise WebqaError("--best-of samples answers the model writes: use it with --mode abstractive.")
    if settings.reward_model is not None:
        from webqa.answer.reward import TRAINING_FILE

        if not (settings.reward_model.expanduser() / TRAINING_FILE).is_file():
            raise WebqaError(
                f"No reward model at {settings.reward_model}. Train one with: "
                f"webqa train reward PREFS.jsonl --out {settings.reward_model}"
            )


def uses_model(settings: Settings) -> bool:
    """Whether answering with these settings calls the language model at all."""
    return (
        settings.policy == "llm"
        or settings.answer_mode == "abstractive"
        or settings.short_answer_scoring == "llm"
        or settings.rewrite_with_llm
    )


def setting_environment(**options: object) -> dict[str, str]:
    """The given command options as WEBQA_* environment variables, for a child process that reads settings
    itself (the browser chat's server)."""
    return {f"WEBQA_{_SETTING_FOR[name].upper()}": str(value) for name, value in options.items() if value is not None}
