"""`webqa settings`: every setting, its current value and what it does."""

from __future__ import annotations

import json

import typer


def settings_command(
    as_json: bool = typer.Option(False, "--json", help="Print the settings as a JSON object."),
) -> None:
    """Show every setting with its value and description (set them as WEBQA_NAME or in webqa.toml)."""
    from webqa.config import Settings, load_settings

    settings = load_settings()
    values = settings.model_dump(mode="json")
    if as_json:
        typer.echo(json.dumps(values, indent=2))
        return
    for name, info in Settings.model_fields.items():
        typer.echo(f"WEBQA_{name.upper()} = {values[name]!r}")
        typer.echo(f"    {info.description}")
