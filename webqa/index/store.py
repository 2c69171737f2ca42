"""The document store: full documents and chunk spans in SQLite, so pages can be opened later by id."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from webqa.types import Chunk, Document

_SCHEMA = """
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    url TEXT,
    metadata TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY,   -- the chunk's row in the dense and sparse indexes
    doc_id TEXT NOT NULL REFERENCES documents(id),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL
);
CREATE INDEX chunks_by_doc ON chunks(doc_id);
CREATE INDEX documents_by_url ON documents(url);
"""


class DocumentStore:
    """Read access to one built index's documents and chunks."""

    def __init__(self, path: Path) -> None:
        # Read-only URI: opening an index for search must never modify or create it.
        self.path = path
        self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)

    def close(self) -> None:
        self._db.close()

    def count_documents(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def count_chunks(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def get_document(self, doc_id: str) -> Document | None:
        row = self._db.execute(
            "SELECT id, title, text, url, metadata FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        return _document(row) if row else None

    def find_by_url(self, url: str) -> Document | None:
        row = self._db.execute(
            "SELECT id, title, text, url, metadata FROM documents WHERE url = ? LIMIT 1", (url,)
        ).fetchone()
        return _document(row) if row else None

    def iter_documents(self) -> Iterator[Document]:
        for row in self._db.execute("SELECT id, title, text, url, metadata FROM documents ORDER BY id"):
            yield _document(row)

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        """Chunks for index rows, in the order asked."""
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        found = {
            row: Chunk(doc_id, start, end, text[start:end], title)
            for row, doc_id, start, end, text, title in self._db.execute(
                f"SELECT c.row, c.doc_id, c.start, c.end, d.text, d.title FROM chunks c "
                f"JOIN documents d ON d.id = c.doc_id WHERE c.row IN ({marks})",
                [int(r) for r in rows],
            )
        }
        return [found[int(r)] for r in rows]

    def urls(self, doc_ids: Iterable[str]) -> dict[str, str | None]:
        ids = list(set(doc_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return dict(self._db.execute(f"SELECT id, url FROM documents WHERE id IN ({marks})", ids).fetchall())

    def chunk_layout(self) -> dict[str, list[tuple[int, int, int]]]:
        """document id -> its chunks as (row, start, end), in row order."""
        layout: dict[str, list[tuple[int, int, int]]] = {}
        for row, doc_id, start, end in self._db.execute("SELECT row, doc_id, start, end FROM chunks ORDER BY row"):
            layout.setdefault(doc_id, []).append((row, start, end))
        return layout


def _document(row: tuple) -> Document:
    doc_id, title, text, url, metadata = row
    return Document(doc_id, title, text, url, json.loads(metadata))


def write_store(path: Path, documents: Iterable[tuple[Document, str]], chunks: Iterable[Chunk]) -> None:
    """Write a new store file: documents with their content hashes, then chunks in row order."""
    db = sqlite3.connect(path)
    try:
        db.executescript(_SCHEMA)
        db.executemany(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)",
            ((d.id, d.title, d.text, d.url, json.dumps(d.metadata, ensure_ascii=False), h) for d, h in documents),
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?)",
            ((row, c.doc_id, c.start, c.end) for row, c in enumerate(chunks)),
        )
        db.commit()
    finally:
        db.close()
