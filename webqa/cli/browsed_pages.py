"""After ask, chat and batch: the web pages they opened join the browsed index (setting keep_browsed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from webqa.errors import WebqaError

if TYPE_CHECKING:
    from webqa.config import Settings


def keep_browsed_pages(settings: Settings) -> None:
    """Index the kept pages, with a line on stderr. A failure here is a warning, not the command's: its
    answers are already out, and the pages stay on disk for the next command to index."""
    if not settings.keep_browsed:
        return
    from webqa.index.browsed import index_browsed_pages

    try:
        report = index_browsed_pages(settings)
    except WebqaError as exc:
        typer.echo(
            f"warning: the browsed pages were not indexed this time ({exc}); they are kept for the next.", err=True
        )
        return
    if report is not None:
        typer.echo(
            f"browsed pages: index '{report.name}' holds {report.documents} ({report.added} new, "
            f"{report.changed} changed); ask with --index {report.name}",
            err=True,
        )
