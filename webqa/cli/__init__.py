"""The `webqa` command. The only place that turns webqa's errors into messages and exit codes."""

from __future__ import annotations

import sys

import typer

from webqa.cli import options
from webqa.cli.answer_commands import ask_command, batch_command
from webqa.cli.browse_commands import open_command, search_command
from webqa.cli.chat_command import chat_command
from webqa.cli.eval_commands import eval_app
from webqa.cli.feedback_command import feedback_app
from webqa.cli.index_commands import index_app
from webqa.cli.ray_option import expand_bare_ray
from webqa.cli.serve_commands import mcp_command, serve_command
from webqa.cli.settings_command import settings_command
from webqa.cli.train_commands import train_app
from webqa.cli.ui_command import ui_command
from webqa.cli.verify_command import verify_command
from webqa.errors import WebqaError

app = typer.Typer(
    rich_markup_mode=options.PLAIN_HELP,
    name="webqa",
    help="Cited answers from search, pages and quotes. Offline by default.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")
app.add_typer(feedback_app, name="feedback")
app.add_typer(train_app, name="train")
app.command("ask")(ask_command)
app.command("batch")(batch_command)
app.command("chat")(chat_command)
app.command("ui")(ui_command)
app.command("serve")(serve_command)
app.command("mcp")(mcp_command)
app.command("settings")(settings_command)
app.command("search")(search_command)
app.command("open")(open_command)
app.command("verify")(verify_command)


def main(argv: list[str] | None = None) -> int:
    """Entry point: user mistakes print one line on stderr and exit non-zero, never a traceback."""
    try:
        # Standalone mode: typer (with the click it bundles) reports usage mistakes itself, one message and
        # exit code 2, then exits; webqa's own errors pass through to be reported here.
        app(args=expand_bare_ray(sys.argv[1:] if argv is None else argv), prog_name="webqa")
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    except WebqaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


def run() -> None:
    sys.exit(main())
