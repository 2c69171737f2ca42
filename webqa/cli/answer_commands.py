"""`webqa ask` and `webqa batch`: cited answers in the terminal and over question files."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import typer

from webqa.cli import options
from webqa.cli.browsed_pages import keep_browsed_pages
from webqa.cli.ray_option import RAY
from webqa.errors import InputError
from webqa.types import Answer


def ask_command(
    question: str = typer.Argument(..., help="The question."),
    index: str = options.INDEX,
    backend: str = options.BACKEND,
    llm: str = options.LLM,
    policy: str = options.POLICY,
    mode: str = options.MODE,
    abstain_below: float = options.CONFIDENCE,
    best_of: int = options.BEST_OF,
    reward: Path = options.REWARD,
    as_json: bool = typer.Option(False, "--json", help="Print the answer as one JSON object (batch format)."),
    trace: bool = options.TRACE,
) -> None:
    """Answer one question with numbered citations to the exact quotes it found."""
    if not question.strip():
        raise InputError('The question is empty. Ask something, e.g. webqa ask "Who wrote Hamlet?"')
    settings = options.answering_settings(
        index=index,
        backend=backend,
        llm=llm,
        policy=policy,
        mode=mode,
        abstain_below=abstain_below,
        best_of=best_of,
        reward=reward,
    )
    from webqa.assistant import Assistant

    assistant = Assistant(settings)
    if as_json:
        answer = assistant.ask(question)
        record = answer.to_record()
        if trace:
            record["trace"] = answer.trace.to_dict()
        typer.echo(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        answer = assistant.ask(question, on_text=write_now)
        typer.echo("")
        print_references(answer)
        if trace:
            print_trace(answer)
    keep_browsed_pages(settings)


def write_now(text: str) -> None:
    """Print a piece of a streamed answer as soon as it arrives."""
    sys.stdout.write(text)
    sys.stdout.flush()


def print_references(answer: Answer) -> None:
    """The short answer, then each citation with its page and exact quote; the action count on stderr."""
    if answer.short_answer and not answer.abstained:
        sure = f" (confidence {answer.confidence:.0%})" if answer.confidence is not None else ""
        typer.echo(f"\nShort answer: {answer.short_answer}{sure}")
    elif answer.confidence is not None and not answer.short_answer and not answer.abstained:
        typer.echo(f"\n(No short answer; confidence in the cited sentence {answer.confidence:.0%}.)")
    if answer.citations:
        typer.echo("\nReferences:")
    for citation in answer.citations:
        quote = citation.quote
        where = quote.url or f"doc:{quote.doc_id}"
        typer.echo(f"[{citation.n}] {quote.title} — {where} (characters {quote.start}-{quote.end})")
        typer.echo(f"    “{quote.text}”")
    dropped = answer.trace.dropped_sentences
    if dropped:
        typer.echo(f"\n({len(dropped)} sentence(s) the model wrote were dropped: their citations did not support them)")
    seconds = answer.timings.get("total_s", 0.0)
    typer.echo(f"\n{len(answer.actions)} browser actions, {seconds:.1f}s", err=True)


def print_trace(answer: Answer) -> None:
    """Every browser action and the first line of what it returned, on stderr."""
    typer.echo("\nTrace:", err=True)
    for number, step in enumerate(answer.trace.steps, start=1):
        status = "ok" if step.ok else "refused"
        first = step.observation.splitlines()[0] if step.observation else ""
        typer.echo(f"{number:>3}. {step.command}({step.argument[:70]!r}) {status}: {first[:90]}", err=True)
    samples = answer.trace.best_of
    if samples:
        typer.echo(f"\nBest of {len(samples)} (reward probability + share of supported sentences):", err=True)
    for sample in samples:
        score = "no supported sentence" if sample["score"] is None else f"score {sample['score']:.3f}"
        reward = "" if sample["reward"] is None else f", reward {sample['reward']:+.2f}"
        mark = " <- chosen" if sample["chosen"] else ""
        supported = f"supported {sample['supported_share']:.0%}"
        typer.echo(f"  seed {sample['seed']}: {score}{reward}, {supported}{mark}", err=True)
        typer.echo(f"    {sample['written'][:300]}", err=True)


def batch_command(
    questions: Path = typer.Argument(..., help="Question file: .jsonl, .csv (a `question` column) or .txt."),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Answers JSONL. An existing file is resumed (if it answers this file), not redone."
    ),
    index: str = options.INDEX,
    backend: str = options.BACKEND,
    llm: str = options.LLM,
    policy: str = options.POLICY,
    mode: str = options.MODE,
    abstain_below: float = options.CONFIDENCE,
    best_of: int = options.BEST_OF,
    reward: Path = options.REWARD,
    workers: int = typer.Option(
        None,
        "--workers",
        "-w",
        min=1,
        help="Worker processes, each loads the models once (default 1); with --ray, Ray actors (default: one per "
        "CPU of the cluster).",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    restart: bool = typer.Option(
        False, "--restart", help="Answer every question again, replacing what --out holds instead of resuming."
    ),
    ray: str = RAY,
) -> None:
    """Answer every question in a file: one output line per input line, in order, resumable after a crash.
    Exit code 0 when every line was answered, 3 when some lines hold errors."""
    from webqa.batch import run_batch
    from webqa.shared import answer_function

    settings = options.answering_settings(
        index=index,
        backend=backend,
        llm=llm,
        policy=policy,
        mode=mode,
        abstain_below=abstain_below,
        best_of=best_of,
        reward=reward,
    )
    # The answer function builds the assistant where it runs: in this process on the first question that
    # needs it (after the paths are checked), or once in each worker; a bad index or backend fails there.
    factory = functools.partial(answer_function, settings.model_dump(mode="json"))
    if ray is None:
        summary = run_batch(questions, out, factory, workers=workers or 1, progress=not quiet, restart=restart)
    else:
        from webqa.distributed.ray_batch import ray_answer_lines

        with ray_answer_lines(ray, workers) as lines:
            summary = run_batch(questions, out, factory, progress=not quiet, restart=restart, answer_lines=lines)
    keep_browsed_pages(settings)  # the pages every worker opened
    typer.echo(
        f"{summary.total} questions: {summary.answered} answered ({summary.abstained} abstained), "
        f"{summary.errors} errors, {summary.skipped_resumed} already done ({summary.resumed_errors} of them "
        f"errors); {summary.seconds:.1f}s -> {summary.out}",
        err=True,
    )
    # The exit code describes the whole answers file, so a resumed run still reports earlier failures.
    if summary.errors or summary.resumed_errors:
        raise typer.Exit(3)
