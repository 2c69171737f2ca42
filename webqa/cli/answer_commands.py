"""`webqa ask` and `webqa batch`: cited answers in the terminal and over question files."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import typer

from webqa.config import Settings, load_settings
from webqa.types import Answer

POLICY_HELP = "planned (no model judgement) or llm (the model picks each browser action)."
MODE_HELP = "extractive (answers are quoted sentences) or abstractive (the model writes, every sentence checked)."


def settings_from_options(index: str | None, llm: str | None, policy: str | None, mode: str | None) -> Settings:
    """Settings with the command's options applied over the environment and webqa.toml."""
    settings = load_settings()
    update = {"default_index": index, "llm": llm, "policy": policy, "answer_mode": mode}
    update = {key: value for key, value in update.items() if value}
    # Re-validate so a bad --policy or --mode gets the same clear message as a bad setting.
    return load_settings(**{**settings.model_dump(), **update}) if update else settings


def ask_command(
    question: str = typer.Argument(..., help="The question."),
    index: str = typer.Option(None, "--index", help="Local index to search (default: the default index)."),
    backend: str = typer.Option(None, "--backend", "-b", help="Search backend (default: local)."),
    llm: str = typer.Option(None, "--llm", help="Model spec, e.g. llamacpp, llamacpp:PATH.gguf, openai:MODEL."),
    policy: str = typer.Option(None, "--policy", help=POLICY_HELP),
    mode: str = typer.Option(None, "--mode", help=MODE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as one JSON object (batch format)."),
    trace: bool = typer.Option(False, "--trace", help="Show every browser action and what it returned."),
) -> None:
    """Answer one question with numbered citations to the exact quotes it found."""
    from webqa.assistant import Assistant

    settings = settings_from_options(index, llm, policy, mode)
    assistant = Assistant(settings, backend=backend)
    if as_json:
        answer = assistant.ask(question)
        record = answer.to_record()
        if trace:
            record["trace"] = answer.trace
        typer.echo(json.dumps(record, indent=2, ensure_ascii=False))
        return
    answer = assistant.ask(question, on_text=write_now)
    typer.echo("")
    print_references(answer)
    if trace:
        print_trace(answer)


def write_now(text: str) -> None:
    """Print a piece of a streamed answer as soon as it arrives."""
    sys.stdout.write(text)
    sys.stdout.flush()


def print_references(answer: Answer) -> None:
    """The short answer, then each citation with its page and exact quote; the action count on stderr."""
    if answer.short_answer and not answer.abstained:
        typer.echo(f"\nShort answer: {answer.short_answer}")
    if answer.citations:
        typer.echo("\nReferences:")
    for citation in answer.citations:
        quote = citation.quote
        where = quote.url or f"doc:{quote.doc_id}"
        typer.echo(f"[{citation.n}] {quote.title} — {where} (characters {quote.start}-{quote.end})")
        typer.echo(f"    “{quote.text}”")
    dropped = answer.trace.get("answer", {}).get("dropped_sentences") or []
    if dropped:
        typer.echo(f"\n({len(dropped)} sentence(s) the model wrote were dropped: their citations did not support them)")
    seconds = answer.timings.get("total_s", 0.0)
    typer.echo(f"\n{len(answer.actions)} browser actions, {seconds:.1f}s", err=True)


def print_trace(answer: Answer) -> None:
    """Every browser action and the first line of what it returned, on stderr."""
    typer.echo("\nTrace:", err=True)
    for number, step in enumerate(answer.trace.get("steps", []), start=1):
        status = "ok" if step["ok"] else "refused"
        first = step["observation"].splitlines()[0] if step["observation"] else ""
        typer.echo(f"{number:>3}. {step['command']}({step['argument'][:70]!r}) {status}: {first[:90]}", err=True)


def batch_command(
    questions: Path = typer.Argument(..., help="Question file: .jsonl, .csv (a `question` column) or .txt."),
    out: Path = typer.Option(..., "--out", "-o", help="Answers JSONL. An existing file is resumed, not redone."),
    index: str = typer.Option(None, "--index", help="Local index to search (default: the default index)."),
    backend: str = typer.Option(None, "--backend", "-b", help="Search backend (default: local)."),
    llm: str = typer.Option(None, "--llm", help="Model spec, e.g. llamacpp, llamacpp:PATH.gguf, openai:MODEL."),
    policy: str = typer.Option(None, "--policy", help=POLICY_HELP),
    mode: str = typer.Option(None, "--mode", help=MODE_HELP),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Worker processes (each loads the models once)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Answer every question in a file: one output line per input line, in order, resumable after a crash.
    Exit code 0 when every line was answered, 3 when some lines hold errors."""
    from webqa.assistant import Assistant, answer_function
    from webqa.batch import run_batch

    settings = settings_from_options(index, llm, policy, mode)
    Assistant(settings, backend=backend)  # fail now, in one line, if the index or settings are unusable
    factory = functools.partial(answer_function, settings.model_dump(mode="json"), backend)
    summary = run_batch(questions, out, factory, workers=workers, progress=not quiet)
    typer.echo(
        f"{summary.total} questions: {summary.answered} answered ({summary.abstained} abstained), "
        f"{summary.errors} errors, {summary.skipped_resumed} already done; {summary.seconds:.1f}s -> {summary.out}",
        err=True,
    )
    # The exit code describes the whole answers file, so a resumed run still reports earlier failures.
    if summary.errors or _error_lines(out):
        raise typer.Exit(3)


def _error_lines(out: Path) -> int:
    with open(out, encoding="utf-8") as lines:
        return sum(1 for line in lines if json.loads(line).get("error"))
