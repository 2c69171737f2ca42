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
