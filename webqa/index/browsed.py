"""The `browsed` index: the web pages kept on disk (setting keep_browsed), built by the incremental builder.

    indexes/browsed/pages.sqlite   every page the browser fetched (webqa.browser.archive)
    indexes/browsed/pages.jsonl    those pages as a corpus: the index's source, rewritten before each build
    indexes/browsed/build-.../     the index, like any other

A build embeds only pages that are new or whose text changed, so bringing the index up to date after each
command costs little once it holds the pages. `webqa index build --name browsed` rebuilds it by hand."""

from __future__ import annotations

import json
import os
from pathlib import Path

from webqa.browser.archive import browsed_archive
from webqa.config import Settings
from webqa.index.builder import BuildReport, build_index
from webqa.index.embedders import Embedder
from webqa.index.layout import index_root
from webqa.types import Document

CORPUS_FILE = "pages.jsonl"


def index_browsed_pages(settings: Settings, *, embedder: Embedder | None = None) -> BuildReport | None:
    """Bring settings.browsed_index up to date with the kept pages; None when no page has been kept yet."""
    documents = browsed_archive(settings).documents()
    if not documents:
        return None
    corpus = index_root(settings.index_dir, settings.browsed_index) / CORPUS_FILE
    _write_corpus(corpus, documents)
    return build_index(settings.browsed_index, [str(corpus)], settings, embedder=embedder, progress=False)


def _write_corpus(path: Path, documents: list[Document]) -> None:
    """Whole or not at all: a build never reads a half-written corpus."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    with partial.open("w", encoding="utf-8") as out:
        for document in documents:
            record = {"id": document.id, "title": document.title, "text": document.text, "url": document.url,
                      "metadata": document.metadata}  # fmt: skip
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(partial, path)
