"""`webqa train sft|reward`: learn from the exported feedback, on this machine's CPU."""

from __future__ import annotations

from pathlib import Path

import typer

train_app = typer.Typer(
    help="Fine-tune the answer model on edited answers (sft) and train a reward model on comparisons (reward), "
    "from the files `webqa feedback export` (or `webqa feedback synthesize`) writes.",
    no_args_is_help=True,
)

OUT = typer.Option(..., "--out", "-o", help="Model folder to write (written whole, or not at all).")
OVERWRITE = typer.Option(False, "--overwrite", help="Replace --out if it exists.")
HELD_BACK_HELP = "Share of the data kept for evaluation."
MAX_STEPS = typer.Option(-1, "--max-steps", help="Stop after this many optimiser steps (default: --epochs).")
EPOCHS = typer.Option(1.0, "--epochs", min=0.01, help="Passes over the training share.")
QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar.")


@train_app.command("sft")
def sft_command(
    data: Path = typer.Argument(..., help="SFT JSONL ({'messages': [...]} lines, from `webqa feedback export`)."),
    out: Path = OUT,
    base: str = typer.Option(
        "embedded", "--base", help="Model to start from: embedded (the SmolLM2 GGUF), a .gguf file, or a folder."
    ),
    held_back: float = typer.Option(0.1, "--held-back", min=0.01, max=0.9, help=HELD_BACK_HELP),
    epochs: float = EPOCHS,
    max_steps: int = MAX_STEPS,
    lora_rank: int = typer.Option(8, "--lora-rank", min=1, help="Rank of the LoRA adapters."),
    max_length: int = typer.Option(384, "--max-length", min=32, help="Longest example in tokens; longer are left out."),
    learning_rate: float = typer.Option(2e-4, "--learning-rate", min=0.0),
    batch_size: int = typer.Option(4, "--batch-size", min=1, help="Examples per optimiser step."),
    gguf: bool = typer.Option(True, "--gguf/--no-gguf", help="Also write OUT/model.gguf (from a GGUF base)."),
    overwrite: bool = OVERWRITE,
    quiet: bool = QUIET,
) -> None:
    """LoRA fine-tuning with TRL and peft, on the CPU. The merged model loads with --llm hf:OUT, and from a
    GGUF base also with --llm llamacpp:OUT/model.gguf; OUT/README.md is its model card."""
    from webqa.train.sft import SFTOptions, train_sft

    chosen = SFTOptions(
        base=base, epochs=epochs, max_steps=max_steps, lora_rank=lora_rank, max_length=max_length,
        learning_rate=learning_rate, batch_size=batch_size, gguf=gguf, progress=not quiet, held_back=held_back,
    )  # fmt: skip
    record = train_sft(data, out, chosen, overwrite=overwrite)
    examples = record["examples"]
    typer.echo(
        f"Trained {record['steps']} steps on {examples['train']} examples in {record['train_seconds']:.0f}s "
        f"(peak memory {record['peak_memory_mb']:.0f} MB); held-back loss {record['eval_loss_before']:.3f} -> "
        f"{record['eval_loss_after']:.3f} on {examples['held_back']} examples"
        + (f"; {examples['too_long']} left out as longer than {max_length} tokens" if examples["too_long"] else "")
        + f". Model: {out} (card: {out / 'README.md'})",
        err=True,
    )


@train_app.command("reward")
def reward_command(
    data: Path = typer.Argument(..., help="Preference JSONL ({'prompt', 'chosen', 'rejected'} lines)."),
    out: Path = OUT,
    kind: str = typer.Option(
        "cross-encoder", "--kind", help="cross-encoder (MiniLM on question and answer) or lm (the small LM)."
    ),
    base: str = typer.Option(
        "embedded", "--base", help="Model to start from: embedded (the packaged one) or a model folder."
    ),
    held_back: float = typer.Option(0.2, "--held-back", min=0.01, max=0.9, help=HELD_BACK_HELP),
    epochs: float = typer.Option(0.0, "--epochs", min=0.0, help="Passes over the pairs (0: 2 cross-encoder, 1 lm)."),
    max_steps: int = MAX_STEPS,
    batch_size: int = typer.Option(8, "--batch-size", min=1, help="Pairs per optimiser step."),
    learning_rate: float = typer.Option(0.0, "--learning-rate", min=0.0, help="0: the kind's default."),
    overwrite: bool = OVERWRITE,
    quiet: bool = QUIET,
) -> None:
    """A reward model from preference pairs; reports its pairwise accuracy on held-back pairs before and after
    training. Use it with --best-of N --reward OUT."""
    from webqa.errors import InputError
    from webqa.train.reward import DEFAULT_LEARNING_RATE, RewardOptions, train_reward

    if kind not in DEFAULT_LEARNING_RATE:
        raise InputError(f"Unknown reward model kind {kind!r}. Use one of: {', '.join(DEFAULT_LEARNING_RATE)}.")
    chosen = RewardOptions(
        kind=kind, base=base, epochs=epochs, max_steps=max_steps, batch_size=batch_size, progress=not quiet,
        held_back=held_back, learning_rate=learning_rate,
    )  # fmt: skip
    record = train_reward(data, out, chosen, overwrite=overwrite)
    pairs = record["pairs"]
    typer.echo(
        f"Trained {record['steps']} steps on {pairs['train']} pairs in {record['train_seconds']:.0f}s; pairwise "
        f"accuracy on {pairs['held_back']} held-back pairs {record['held_back_accuracy_before']:.3f} -> "
        f"{record['held_back_accuracy_after']:.3f}. Model: {out} (card: {out / 'README.md'})",
        err=True,
    )
