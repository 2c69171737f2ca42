"""`webqa feedback export|stats`: training data from what users said about answers in the browser chat."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from webqa.cli import options
from webqa.errors import InputError

feedback_app = typer.Typer(
    rich_markup_mode=options.PLAIN_HELP, help="Ratings, edited answers and comparisons collected by the browser chat."
)


@feedback_app.command("export")
def export_command(
    out: Path = typer.Argument(..., help="JSONL file to write (replaced whole, never half-written)."),
    format: str = typer.Option(
        ..., "--format", "-f", help="sft (chat messages) or preferences (prompt/chosen/rejected)."
    ),
    include_upvoted: bool = typer.Option(
        False, "--include-upvoted", help="sft: answers rated up count as examples too."
    ),
    edits: bool = typer.Option(
        True, "--edits/--no-edits", help="preferences: an edit is a pair (edited over original)."
    ),
    feedback: Path = typer.Option(None, "--feedback", help="Feedback file (default: WEBQA_FEEDBACK_PATH)."),
) -> None:
    """Write fine-tuning data: `sft` gives {"messages": [...]} lines from edited answers; `preferences` gives
    {"prompt", "chosen", "rejected"} lines (chat messages) from comparisons and edits."""
    from webqa.feedback import FORMATS, FeedbackStore, preference_pairs, sft_examples, write_jsonl

    if format not in FORMATS:
        raise InputError(f"Unknown format '{format}'. Use one of: {', '.join(FORMATS)}.")
    store = FeedbackStore(feedback) if feedback else FeedbackStore.from_settings(options.settings_with())
    contents = store.read()
    if contents.torn_last_line:
        typer.echo(f"warning: skipped the unfinished last line of {store.path}", err=True)
    if format == "sft":
        rows: list = sft_examples(contents.records, include_upvoted=include_upvoted)
    else:
        rows = preference_pairs(contents.records, include_edits=edits)
    count = write_jsonl(out, rows)
    typer.echo(f"Wrote {count} {format} example{'' if count == 1 else 's'} to {out} "
               f"(from {len(contents.records)} feedback records in {store.path}).", err=True)  # fmt: skip


@feedback_app.command("stats")
def stats_command(
    feedback: Path = typer.Option(None, "--feedback", help="Feedback file (default: WEBQA_FEEDBACK_PATH)."),
) -> None:
    """How much feedback there is, by kind."""
    from webqa.feedback import FeedbackStore, Rating

    store = FeedbackStore(feedback) if feedback else FeedbackStore.from_settings(options.settings_with())
    records = store.read().records
    kinds = Counter(r.rating if isinstance(r, Rating) else r.kind for r in records)
    typer.echo(f"{store.path}: {len(records)} records")
    for kind in ("up", "down", "edit", "comparison"):
        typer.echo(f"  {kind:<11}{kinds.get(kind, 0)}")


@feedback_app.command("synthesize")
def synthesize_command(
    dataset: str = typer.Argument(
        ..., help="squad or hotpotqa (never their report questions), or a .jsonl gold question file with --index."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for sft.jsonl and preferences.jsonl (replaced whole)."),
    start: int = typer.Option(0, "--start", min=0, help="Skip this many of the trainable questions."),
    limit: int = typer.Option(None, "--limit", "-n", min=1, help="Questions to browse (default: all trainable)."),
    data_dir: Path = typer.Option(None, "--data-dir", help="Folder holding the benchmark files (default: packaged)."),
    index: str = typer.Option(None, "--index", help="A question file's index (a benchmark uses its own)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Training data from a benchmark's gold answers, before any user has given feedback: for each question
    whose quotes hold the gold answer, that quote's cited sentence is the "edit" (an SFT example) and is
    preferred over a quote that does not hold it (a comparison). Browses each question as `webqa ask` does,
    on the benchmark's own index (built on first use)."""
    from tqdm import tqdm

    from webqa.evaluation.datasets import load_dataset
    from webqa.evaluation.runner import build_dataset_index
    from webqa.feedback import write_jsonl
    from webqa.train.synthesize import check_trainable, output_paths, synthesize, trainable_items

    check_trainable(dataset)  # before loading a set it will not use
    loaded = load_dataset(dataset, data_dir)
    items = trainable_items(dataset, loaded.items, start, limit)
    if loaded.documents is not None:  # a benchmark: its closed corpus, indexed on first use
        settings = options.settings_with(index=f"eval-{loaded.name}")
        build_dataset_index(loaded, settings.default_index, settings, progress=not quiet)
    else:
        settings = options.settings_with(index=index)
    with tqdm(total=len(items), desc="synthesize", unit="question", disable=quiet) as bar:
        result = synthesize(items, settings, on_item=bar.update)
    sft_path, preferences_path = output_paths(out)
    write_jsonl(sft_path, result.sft)
    write_jsonl(preferences_path, result.pairs)
    typer.echo(
        f"{result.asked} {dataset} questions: {len(result.sft)} SFT examples -> {sft_path}, {len(result.pairs)} "
        f"preference pairs -> {preferences_path} ({result.gold_not_quoted} had no quote holding the gold answer, "
        f"{result.verdicts} were yes/no questions).",
        err=True,
    )
