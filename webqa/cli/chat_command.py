"""`webqa chat`: a conversation in the terminal, saved as it goes. Reads one message a line from stdin,
so it works interactively and with piped input alike."""

from __future__ import annotations

import io
import sys
import typing
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from webqa.cli import options
from webqa.cli.answer_commands import print_references, print_trace, write_now
from webqa.cli.browsed_pages import keep_browsed_pages
from webqa.errors import InputError

if TYPE_CHECKING:
    from webqa.conversation import Conversation, ConversationStore, Turn

QUIT = {"/quit", "/exit", "/q"}


def chat_command(
    resume: str = typer.Option(None, "--resume", "-r", help="Continue the saved conversation with this id."),
    list_conversations: bool = typer.Option(False, "--list", "-l", help="List saved conversations and exit."),
    delete: str = typer.Option(None, "--delete", help="Delete the saved conversation with this id and exit."),
    index: str = options.INDEX,
    backend: str = options.BACKEND,
    llm: str = options.LLM,
    policy: str = options.POLICY,
    mode: str = options.MODE,
    best_of: int = options.BEST_OF,
    reward: Path = options.REWARD,
    trace: bool = options.TRACE,
) -> None:
    """Talk with webqa: ask a question, then follow-ups ("When did he die?") that use the conversation so far.
    Answers cite their quotes. Type /quit or press Ctrl-D to end; the conversation is saved and can be resumed."""
    if resume and (list_conversations or delete):
        raise InputError("--resume continues a conversation; it cannot be combined with --list or --delete.")
    from webqa.conversation import Conversation, ConversationStore  # loads the browser stack: only when used

    settings = options.answering_settings(
        index=index, backend=backend, llm=llm, policy=policy, mode=mode, best_of=best_of, reward=reward
    )
    store = ConversationStore.from_settings(settings)
    store.check()  # an unusable store fails now, not after the first answer, whose turn it would lose
    if list_conversations:
        _print_list(store)
        return
    if delete:
        store.delete(delete)
        typer.echo(f"Deleted conversation {delete}.", err=True)
        return
    if resume:
        store.summary(resume)  # an unknown id fails here, before any model or index loads
    _read_as_text()
    first = None
    if not resume and not sys.stdin.isatty():
        # Piped input: its first question is read before anything loads, so empty input fails at once.
        first = _next_message(sys.stdin)
        if first is None:
            raise InputError(
                "No question on standard input (only blank lines). Pipe questions one a line, e.g. "
                "echo 'Who wrote Hamlet?' | webqa chat"
            )

    from webqa.assistant import Assistant

    assistant = Assistant(settings)
    if resume:
        conversation = Conversation.resume(assistant, store, resume)
        _print_resumed(conversation)
    else:
        conversation = Conversation(assistant, store=store)
        typer.echo(f"Conversation {conversation.id}. Ask a question; /quit or Ctrl-D ends it.", err=True)
    try:
        _repl(conversation, trace, first)
    finally:  # Ctrl-C included: every answered turn is already saved
        if conversation.turns:
            typer.echo(f"Saved. Resume with: webqa chat --resume {conversation.id}", err=True)
    keep_browsed_pages(settings)  # not after Ctrl-C: the pages are on disk, the next command indexes them


def _read_as_text() -> None:
    if isinstance(sys.stdin, io.TextIOWrapper):
        # Bytes that are not text in the locale's encoding would otherwise be read as lone surrogates,
        # which SQLite cannot store as UTF-8: saving the turn would fail. Show them as U+FFFD instead.
        sys.stdin.reconfigure(errors="replace")


def _next_message(lines: typing.TextIO) -> str | None:
    """The next line that says something (blank lines are skipped), or None at the end of the input."""
    for line in iter(lines.readline, ""):
        if line.strip():
            return line.strip()
    return None


def _repl(conversation: Conversation, trace: bool, first: str | None = None) -> None:
    interactive = sys.stdin.isatty()
    while True:
        if first is not None:
            text, first = first, None
        else:
            if interactive:
                typer.echo("> ", nl=False, err=True)  # on stderr: stdout holds only what webqa answers
            line = sys.stdin.readline()
            if not line:  # end of input
                break
            text = line.strip()
            if not text:
                continue
        if text.lower() in QUIT:
            break
        turn = conversation.ask(text, on_text=write_now)
        typer.echo("")
        _print_turn(turn, trace)


def _print_turn(turn: Turn, trace: bool) -> None:
    if turn.kind == "clarification":
        typer.echo("")
        return
    if turn.question != turn.user_text:
        typer.echo(f"(searched for: {turn.question})", err=True)
    if turn.answer.trace.reused_quotes:
        typer.echo("(answered from quotes found earlier in this conversation)", err=True)
    print_references(turn.answer)
    if trace:
        print_trace(turn.answer)
    typer.echo("")


def _print_resumed(conversation: Conversation) -> None:
    typer.echo(f"Resuming conversation {conversation.id} ({_turns(len(conversation.turns))}).", err=True)
    for turn in conversation.turns[-3:]:
        typer.echo(f"> {turn.user_text}\n{turn.answer.answer}\n", err=True)
    if conversation.pending is not None:
        typer.echo("(waiting for your reply to the question above)", err=True)


def _print_list(store: ConversationStore) -> None:
    summaries = store.list_conversations()
    if not summaries:
        typer.echo(f"No saved conversations in {store.path}.", err=True)
        return
    for summary in summaries:
        typer.echo(f"{summary.id}  {summary.updated_at}  {_turns(summary.turns):>8}  {summary.title[:70]}")


def _turns(count: int) -> str:
    return f"{count} turn{'' if count == 1 else 's'}"
