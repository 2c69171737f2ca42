"""`webqa ui`: the browser chat, a Streamlit app served on this machine."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import typer

from webqa.cli import options
from webqa.cli.ports import check_port_free
from webqa.errors import WebqaError

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"


def ui_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on (0.0.0.0 shares it on your network)."),
    port: int = typer.Option(8501, "--port", "-p", min=1, max=65535, help="Port to serve on."),
    index: str = options.INDEX,
    backend: str = options.BACKEND,
    llm: str = options.LLM,
    policy: str = options.POLICY,
    mode: str = options.MODE,
    best_of: int = options.BEST_OF,
    reward: Path = options.REWARD,
) -> None:
    """Open the browser chat: cited answers that stream in, clickable citations, the browsing trace of every
    answer, follow-up questions, and feedback (ratings, edits, comparisons) saved for training data."""
    chosen = {"index": index, "backend": backend, "llm": llm, "policy": policy, "mode": mode, "best_of": best_of,
              "reward": reward}  # fmt: skip
    # A bad option or model spec fails here, in one line, not inside the server.
    options.answering_settings(reach_server=False, **chosen)
    if importlib.util.find_spec("streamlit") is None:
        raise WebqaError("The browser chat needs Streamlit. Install it with: pip install 'webqa[ui]'")
    if not APP.is_file():
        raise WebqaError(
            f"The browser chat's app is not at {APP}: it ships with webqa's source. "
            "Clone the repository and install it with: pip install -e '.[ui]'"
        )
    check_port_free(host, port, taken_by="another webqa ui")
    environment = {**os.environ, **options.setting_environment(**chosen)}
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", host, "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",  # webqa sends nothing anywhere
        "--client.toolbarMode", "minimal",  # no "Deploy" button: this chat runs here, not in a cloud
        "--server.fileWatcherType", "none",  # serving, not developing: no polling of the source files
    ]  # fmt: skip
    typer.echo(f"webqa chat: http://{host}:{port} (Ctrl-C stops it)", err=True)
    sys.stderr.flush()
    # The server takes this process's place: Ctrl-C, a service manager's SIGTERM or a test's terminate()
    # reach Streamlit itself, and no orphaned server is left holding the port.
    os.execve(sys.executable, command, environment)
