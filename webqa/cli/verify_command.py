"""`webqa verify ANSWERS.jsonl`: is every cited quote still on its page?"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from webqa.cli import options


def verify_command(
    answers: Path = typer.Argument(
        ..., help="Answers file: from `webqa batch`, `webqa ask --json`, or an eval run's answers.jsonl."
    ),
    index: str = options.INDEX,
    as_json: bool = typer.Option(False, "--json", help="Print every citation's result and the counts as JSON."),
) -> None:
    """Re-open every cited page (local documents from --index, web pages through the guarded fetcher) and
    say whether each quote is unchanged, moved (with its new offsets) or gone. Exit code 1 when any is gone."""
    from webqa.verify import PageOpener, verify

    opener = PageOpener(options.settings_with(index=index))
    try:
        result = verify(answers, opener)
    finally:
        opener.close()
    if as_json:
        document = {"citations": [c.to_json() for c in result.checks], "counts": result.counts()}
        typer.echo(json.dumps({**document, "answers": result.answers}, indent=2, ensure_ascii=False))
    else:
        for item in result.checks:
            cited = item.cited
            where = f"line {cited.line}" + (f" turn {cited.turn}" if cited.turn else "")
            detail = f"{cited.start}-{cited.end}"
            if item.status == "moved":
                detail += f" -> {item.start}-{item.end}"
            elif item.status == "gone":
                detail += f" ({item.reason})"
            elif item.page_changed:
                detail += " (the page changed elsewhere)"
            typer.echo(f"{item.status:<9}  {where} [{cited.n}] {cited.source} {detail}")
        typer.echo(result.summary())
    if result.any_gone:
        raise typer.Exit(1)
