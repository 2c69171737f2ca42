"""`webqa serve` (an OpenAI-compatible chat API with citations) and `webqa mcp` (tools for agents)."""

from __future__ import annotations

import importlib.util
import ipaddress
from typing import TYPE_CHECKING

import typer

from webqa.cli import options
from webqa.cli.ports import check_port_free
from webqa.errors import WebqaError

if TYPE_CHECKING:
    from webqa.config import Settings

WORKERS = typer.Option(
    None, "--workers", "-w", min=1, help="Questions answered at once (threads sharing the models; default: cores, ≤4)."
)


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on (any but loopback needs WEBQA_API_KEY)."),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="Port to serve on."),
    index: str = options.INDEX,
    backend: str = options.BACKEND,
    llm: str = options.LLM,
    policy: str = options.POLICY,
    mode: str = options.MODE,
    workers: int = WORKERS,
    allow_without_key: bool = typer.Option(
        False, "--allow-without-key", help="Serve beyond loopback without WEBQA_API_KEY: anyone who reaches it may ask."
    ),
    sources_in_text: bool = typer.Option(
        False, "--sources-in-text", help="End each answer's text with its sources, for chat apps that show only text."
    ),
) -> None:
    """Serve cited answers over HTTP in OpenAI's chat-completions shape: POST /v1/chat/completions (streaming
    too), GET /v1/models, GET /health. Point Open WebUI or any OpenAI client at http://HOST:PORT/v1."""
    settings = options.answering_settings(
        index=index, backend=backend, llm=llm, policy=policy, mode=mode, serve_workers=workers
    )
    exposure = _exposure(host, settings, allow_without_key)
    if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
        raise WebqaError("`webqa serve` needs FastAPI and uvicorn. Install them with: pip install 'webqa[serve]'")
    check_port_free(host, port, taken_by="another webqa serve")
    import uvicorn

    from webqa.serve.app import ServerParts, create_app

    parts = ServerParts.from_settings(settings, host=host, sources_in_text=sources_in_text)
    typer.echo("webqa serve: loading the index and models…", err=True)
    parts.catalog.warm_up(with_model=options.uses_model(settings))
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"webqa serve: http://{shown}:{port}/v1 — models: {', '.join(parts.catalog.names())}", err=True)
    typer.echo(f"webqa serve: {exposure}; {parts.pool.workers} workers, Ctrl-C stops it", err=True)
    uvicorn.run(create_app(parts), host=host, port=port, log_level="info", timeout_graceful_shutdown=5)


def _exposure(host: str, settings: Settings, allow_without_key: bool) -> str:
    """Who may ask, said out loud; refuses to serve a network without a key unless told to."""
    if settings.api_key:
        return "every request needs the API key (Authorization: Bearer $WEBQA_API_KEY)"
    if _is_loopback(host):
        return "no API key (WEBQA_API_KEY unset): serving this machine only"
    if not allow_without_key:
        raise WebqaError(
            f"Serving on {host} without an API key would let anyone who reaches it use this server. Set "
            "WEBQA_API_KEY (clients then send it as their API key), or pass --allow-without-key."
        )
    return f"WARNING: no API key and serving on {host}: anyone who reaches this address may ask"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def mcp_command(
    index: str = options.INDEX,
    backend: str = options.BACKEND,
    llm: str = options.LLM,
    policy: str = options.POLICY,
    mode: str = options.MODE,
) -> None:
    """Serve webqa's tools to an agent over MCP (stdio): ask (a cited answer), search (results with snippets)
    and open_page (a page's text and links). Configure your MCP client to run `webqa mcp`."""
    settings = options.answering_settings(index=index, backend=backend, llm=llm, policy=policy, mode=mode)
    from webqa.serve.catalog import Catalog
    from webqa.serve.mcp_server import WebqaTools, build_mcp_server

    catalog = Catalog(settings)
    server = build_mcp_server(WebqaTools(catalog))
    # Loaded before the client's first call, which would otherwise wait on it; stdout is the protocol's,
    # so everything said goes to stderr.
    typer.echo("webqa mcp: loading the index and models…", err=True)
    catalog.warm_up(with_model=options.uses_model(settings))
    typer.echo("webqa mcp: serving the tools ask, search and open_page on stdio", err=True)
    server.run("stdio")
