"""manifest.json: what shaped an index (format, model, chunking) and a content hash per document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

FORMAT_VERSION = 1
MANIFEST_FILE = "manifest.json"


class Chunking(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_chars: int
    overlap_chars: int
    title_in_embedding: bool = True
    # Which splitter cut the chunks at sentences (webqa.text.SENTENCE_SPLITTER); manifests written before it
    # was recorded were cut by the regex webqa used up to 0.x, so their chunks are rebuilt, not mixed.
    sentence_splitter: str = "regex/1"


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: int
    name: str
    embedding_model: str
    embedding_dimension: int
    # Absent in manifests written before backends existed, and in those of PyTorch and hashing builds
    # still: their vectors are what they always were (webqa.index.checks.built_backend).
    embedding_backend: str | None = None
    chunking: Chunking
    dense_index: str
    sparse_tokenizer: str = "unknown"  # absent in the earliest manifests: their BM25 is rebuilt
    sources: list[str]
    document_count: int
    chunk_count: int
    built_at: str
    build_seconds: float
    embedded_chunks: int
    reused_chunks: int
    webqa_version: str
    documents: dict[str, str]  # document id -> content hash

    def summary(self) -> dict[str, Any]:
        return self.model_dump(exclude={"documents"})


class ManifestError(Exception):
    """The manifest is missing or unreadable (the caller decides what that means)."""


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{MANIFEST_FILE} is missing") from None
    except (OSError, ValueError) as exc:
        raise ManifestError(f"{MANIFEST_FILE} is unreadable ({exc})") from None
    if not isinstance(raw, dict):
        raise ManifestError(f"{MANIFEST_FILE} is not a JSON object")
    version = raw.get("format_version")
    if version != FORMAT_VERSION:
        # Checked before full validation: an older format may have other fields.
        raise ManifestVersionError(version)
    try:
        return Manifest.model_validate(raw)
    except ValidationError as exc:
        raise ManifestError(
            f"{MANIFEST_FILE} does not match format {FORMAT_VERSION} ({exc.error_count()} problems)"
        ) from None


class ManifestVersionError(ManifestError):
    def __init__(self, version: object) -> None:
        super().__init__(f"format version {version!r}, this webqa reads {FORMAT_VERSION}")
        self.version = version


def write_manifest(folder: Path, manifest: Manifest) -> None:
    # exclude_none: a field that is None is one older manifests did not have (see embedding_backend).
    (folder / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=1, exclude_none=True), encoding="utf-8")
