"""`webqa search` and `webqa open`: what the assistant would see, for debugging retrieval and reading."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

import typer

from webqa.cli import options
from webqa.errors import WebqaError

# The browser, index and search stacks load when a command runs, so `webqa --help` does not pay for them.
if TYPE_CHECKING:
    from webqa.browser.env import Observation
    from webqa.search.base import SearchResult


def search_command(
    query: str = typer.Argument(..., help="What to search for."),
    backend: str = options.BACKEND,
    k: int = typer.Option(None, "-k", min=1, help="How many results."),
    index: str = options.INDEX,
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Search with a backend and print the results page the assistant would see."""
    from webqa.browser.session import new_browser

    settings = options.settings_with(index=index, backend=backend, k=k)
    browser = new_browser(settings)
    if as_json:
        results = browser.search_backend.search(query, settings.search_k)
        typer.echo(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False))
        return
    _print(browser.run("search", query))


def open_command(
    target: str = typer.Argument(..., help="A URL, or a document id of the local index."),
    index: str = options.INDEX,
    find: str = typer.Option(None, "--find", help="Jump to the first occurrence of this text."),
    show_all: bool = typer.Option(False, "--all", help="Show every line instead of one window."),
    as_json: bool = typer.Option(False, "--json", help="Print the page (title, source, text, links) as JSON."),
) -> None:
    """Open a page or local document and print it as the assistant would see it."""
    from webqa.browser.session import new_browser
    from webqa.index.search import open_index

    settings = options.settings_with(index=index)
    if show_all:
        settings = settings.model_copy(update={"browser_window_lines": 1_000_000})
    # Opening needs no search backend; a document id needs the index, a URL does not.
    local = open_index(settings.default_index, settings) if "://" not in target else None
    browser = new_browser(settings, index=local, backend=_NoSearch())
    observation = browser.run("open", target)
    if observation.ok and find:
        observation = browser.run("find", find)
    if as_json and observation.ok and browser.page is not None:
        page = browser.page
        links = [asdict(link) for link in page.links]
        payload = {"title": page.title, "source": page.source, "doc_id": page.doc_id, "text": page.text, "links": links}
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    _print(observation)


class _NoSearch:
    name = "none"

    def search(self, query: str, k: int) -> list[SearchResult]:
        return []


def _print(observation: Observation) -> None:
    if not observation.ok:
        raise WebqaError(observation.error)
    # The status footer is for the model; a person only needs the page.
    typer.echo("\n".join(line for line in observation.text.splitlines() if not line.startswith("[Quotes:")))
