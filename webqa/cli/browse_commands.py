"""`webqa search` and `webqa open`: what the assistant would see, for debugging retrieval and reading."""

from __future__ import annotations

import json
from dataclasses import asdict

import typer

from webqa.browser.session import new_browser
from webqa.config import load_settings
from webqa.errors import WebqaError


def search_command(
    query: str = typer.Argument(..., help="What to search for."),
    backend: str = typer.Option(None, "--backend", "-b", help="local, wikipedia, searxng, brave, tavily, duckduckgo."),
    k: int = typer.Option(None, "-k", min=1, help="How many results."),
    index: str = typer.Option(None, "--index", help="Index for the local backend (default: the default index)."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Search with a backend and print the results page the assistant would see."""
    settings = _settings(index, k)
    browser = new_browser(settings, backend=backend)
    if as_json:
        results = browser.search_backend.search(query, settings.search_k)
        typer.echo(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False))
        return
    observation = browser.run("search", query)
    _print(observation.text, observation.ok)


def open_command(
    target: str = typer.Argument(..., help="A URL, or a document id of the local index."),
    index: str = typer.Option(None, "--index", help="Index to open document ids from (default: the default index)."),
    find: str = typer.Option(None, "--find", help="Jump to the first occurrence of this text."),
    show_all: bool = typer.Option(False, "--all", help="Show every line instead of one window."),
    as_json: bool = typer.Option(False, "--json", help="Print the page (title, source, text, links) as JSON."),
) -> None:
    """Open a page or local document and print it as the assistant would see it."""
    settings = _settings(index, None)
    if show_all:
        settings = settings.model_copy(update={"browser_window_lines": 1_000_000})
    browser = new_browser(settings, backend=_NoSearch())  # opening needs no search backend
    if "://" not in target:
        from webqa.browser.fetchers import LocalDocuments
        from webqa.index.search import open_index

        browser.local = LocalDocuments(open_index(settings.default_index, settings), settings.browser_line_chars)
    observation = browser.run("open", target)
    if observation.ok and find:
        observation = browser.run("find", find)
    if as_json and browser.page is not None and observation.ok:
        page = browser.page
        links = [asdict(link) for link in page.links]
        payload = {"title": page.title, "source": page.source, "doc_id": page.doc_id, "text": page.text, "links": links}
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    _print(observation.text, observation.ok)


class _NoSearch:
    name = "none"

    def search(self, query: str, k: int) -> list:  # noqa: ANN401
        return []


def _settings(index: str | None, k: int | None):  # noqa: ANN202
    settings = load_settings()
    update: dict[str, object] = {}
    if index:
        update["default_index"] = index
    if k:
        update["search_k"] = k
    return settings.model_copy(update=update) if update else settings


def _print(text: str, ok: bool) -> None:
    # The status footer is for the model; a person only needs the page.
    body = "\n".join(line for line in text.splitlines() if not line.startswith("[Quotes:"))
    if not ok:
        raise WebqaError(
            body.split(": ", 1)[-1] if body.startswith(("Refused", "open failed", "search failed")) else body
        )
    typer.echo(body)
