"""`webqa chat`: a conversation in the terminal, saved as it goes. Reads one message a line from stdin,
so it works interactively and with piped input alike."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from webqa.cli.answer_commands import (
    MODE_HELP,
    POLICY_HELP,
    print_references,
    print_trace,
    settings_from_options,
    write_now,
)

if TYPE_CHECKING:
    from webqa.conversation import Conversation, ConversationStore, Turn

QUIT = {"/quit", "/exit", "/q"}


def chat_command(
    resume: str = typer.Option(None, "--resume", "-r", help="Continue the saved conversation with this id."),
    list_conversations: bool = typer.Option(False, "--list", "-l", help="List saved conversations and exit."),
    delete: str = typer.Option(None, "--delete", help="Delete the saved conversation with this id and exit."),
    index: str = typer.Option(None, "--index", help="Local index to search (default: the default index)."),
    backend: str = typer.Option(None, "--backend", "-b", help="Search backend (default: local)."),
    llm: str = typer.Option(None, "--llm", help="Model spec, e.g. llamacpp, llamacpp:PATH.gguf, openai:MODEL."),
    policy: str = typer.Option(None, "--policy", help=POLICY_HELP),
    mode: str = typer.Option(None, "--mode", help=MODE_HELP),
    trace: bool = typer.Option(False, "--trace", help="Show every browser action and what it returned."),
) -> None:
    """Talk with webqa: ask a question, then follow-ups ("When did he die?") that use the conversation so far.
    Answers cite their quotes. Type /quit or press Ctrl-D to end; the conversation is saved and can be resumed."""
    from webqa.conversation import Conversation, ConversationStore  # loads the browser stack: only when used

    settings = settings_from_options(index, llm, policy, mode)
    store = ConversationStore.from_settings(settings)
    if list_conversations:
        _print_list(store)
        return
    if delete:
        store.delete(delete)
        typer.echo(f"Deleted conversation {delete}.", err=True)
        return
    if resume:
        store.summary(resume)  # an unknown id fails here, before any model or index loads

    from webqa.assistant import Assistant

    assistant = Assistant(settings, backend=backend)
    if resume:
        conversation = Conversation.resume(assistant, store, resume)
        _print_resumed(conversation)
    else:
        conversation = Conversation(assistant, store=store)
        typer.echo(f"Conversation {conversation.id}. Ask a question; /quit or Ctrl-D ends it.", err=True)
    _repl(conversation, trace)
    if conversation.turns:
        typer.echo(f"Saved. Resume with: webqa chat --resume {conversation.id}", err=True)


def _repl(conversation: Conversation, trace: bool) -> None:
    interactive = sys.stdin.isatty()
    while True:
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
    if turn.answer.trace.get("reused_quotes"):
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
