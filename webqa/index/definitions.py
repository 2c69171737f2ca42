"""Index definitions (indexes/NAME.toml) and where a build's sources come from."""

from __future__ import annotations

from pathlib import Path

import tomllib
from pydantic import BaseModel, ConfigDict, ValidationError

from webqa.config import Settings
from webqa.errors import InputError
from webqa.index.layout import current_build, index_root
from webqa.index.manifest import ManifestError, read_manifest


class IndexDefinition(BaseModel):
    """What to build an index from, so `webqa index build --name NAME` needs no arguments."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    sources: list[str]


def definition_path(name: str, settings: Settings) -> Path:
    return settings.index_dir / f"{name}.toml"


def read_definition(path: Path) -> IndexDefinition:
    try:
        definition = IndexDefinition.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise InputError(f"Cannot read index definition {path}: {exc}") from None
    # Source paths in a definition are relative to the definition file.
    return definition.model_copy(update={"sources": [str((path.parent / s).resolve()) for s in definition.sources]})


def resolve_sources(name: str, sources: list[str], settings: Settings) -> list[str]:
    """The sources given; else the definition file's; else the ones the current build used."""
    if sources:
        return sources
    path = definition_path(name, settings)
    if path.is_file():
        return read_definition(path).sources
    folder = current_build(index_root(settings.index_dir, name))
    if folder is not None:
        try:
            return read_manifest(folder).sources
        except ManifestError:
            pass
    raise InputError(
        f"No sources for index '{name}'. Give them: webqa index build SOURCE... --name {name} "
        f"(or write {path} with a `sources = [...]` list)."
    )
