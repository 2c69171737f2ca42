"""Conversations saved in SQLite: every turn (what the user said, the standalone question, the answer
record with its trace) and every quote, so a conversation resumes with the evidence it had."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from webqa.config import Settings, user_data_file
from webqa.errors import WebqaError
from webqa.types import Quote

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    user_text TEXT NOT NULL,
    question TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('answer', 'clarification')),
    record TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (conversation_id, n)
);
CREATE TABLE IF NOT EXISTS quotes (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    turn INTEGER NOT NULL,
    quote TEXT NOT NULL,
    PRIMARY KEY (conversation_id, position)
);
"""


# Conversations with their turn counts; {where} is "" or a fixed condition (values are bound with ?).
_SUMMARY_SQL = (
    "SELECT c.id, c.title, c.created_at, c.updated_at, COUNT(t.n) FROM conversations c "
    "LEFT JOIN turns t ON t.conversation_id = c.id {where} GROUP BY c.id"
)
_PATH_HINT = " Set WEBQA_CONVERSATIONS_PATH to a writable SQLite file."


class ConversationNotFoundError(WebqaError):
    """No saved conversation with the id the user gave."""


@dataclass(frozen=True)
class SavedTurn:
    n: int
    user_text: str
    question: str  # the standalone question that was answered (or held for clarification)
    kind: str  # "answer" or "clarification"
    record: dict[str, Any]  # Answer.to_record() plus "trace"
    started_at: str
    finished_at: str


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    title: str  # the first thing the user asked
    created_at: str
    updated_at: str
    turns: int


@dataclass(frozen=True)
class SavedConversation:
    summary: ConversationSummary
    turns: list[SavedTurn]
    quotes: list[Quote]  # in the order the conversation collected them


def default_conversations_path(settings: Settings) -> Path:
    return user_data_file(settings.conversations_path, "conversations.sqlite")


class ConversationStore:
    """One SQLite file; a connection per operation, so threads (a UI server) can share the store."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def from_settings(cls, settings: Settings) -> ConversationStore:
        return cls(default_conversations_path(settings))

    def check(self) -> None:
        """Open the store, creating it when new: a path that cannot hold conversations (a folder, a path
        under a file, a file that is not one) fails here, before a turn is answered and then lost."""
        with self._db():
            pass

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        connection = self._open()
        with closing(connection), connection:  # one transaction: commit on success, roll back on error
            yield connection

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=10.0)
        except (OSError, sqlite3.Error) as exc:
            raise WebqaError(f"Cannot open the conversation store {self.path} ({exc}).{_PATH_HINT}") from None
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            _ensure_schema(connection, self.path)
        except sqlite3.Error as exc:  # not a database file, locked, read-only
            connection.close()
            raise WebqaError(f"Cannot use the conversation store {self.path} ({exc}).{_PATH_HINT}") from None
        return connection

    def save_turn(self, conversation_id: str, turn: SavedTurn, new_quotes: list[Quote]) -> None:
        """Record a turn and the quotes it added (creating the conversation on its first turn)."""
        with self._db() as db:
            db.execute(
                "INSERT OR IGNORE INTO conversations (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (conversation_id, turn.user_text[:200], turn.started_at, turn.finished_at),
            )
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (turn.finished_at, conversation_id))
            db.execute(
                "INSERT OR REPLACE INTO turns VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, turn.n, turn.user_text, turn.question, turn.kind,
                 json.dumps(turn.record, ensure_ascii=False), turn.started_at, turn.finished_at),
            )  # fmt: skip
            first = db.execute("SELECT COUNT(*) FROM quotes WHERE conversation_id = ?", (conversation_id,)).fetchone()
            db.executemany(
                "INSERT INTO quotes VALUES (?, ?, ?, ?)",
                [
                    (conversation_id, first[0] + i, turn.n, json.dumps(asdict(quote), ensure_ascii=False))
                    for i, quote in enumerate(new_quotes)
                ],
            )

    def list_conversations(self) -> list[ConversationSummary]:
        """Every saved conversation, most recently updated first."""
        with self._db() as db:
            rows = db.execute(_SUMMARY_SQL.format(where="") + " ORDER BY c.updated_at DESC, c.id").fetchall()
        return [ConversationSummary(*row) for row in rows]

    def load(self, conversation_id: str) -> SavedConversation:
        with self._db() as db:
            summary = self._summary(db, conversation_id)
            turns = [
                SavedTurn(n, user_text, question, kind, json.loads(record), started, finished)
                for n, user_text, question, kind, record, started, finished in db.execute(
                    "SELECT n, user_text, question, kind, record, started_at, finished_at FROM turns "
                    "WHERE conversation_id = ? ORDER BY n",
                    (conversation_id,),
                )
            ]
            quotes = [
                Quote(**json.loads(row[0]))
                for row in db.execute(
                    "SELECT quote FROM quotes WHERE conversation_id = ? ORDER BY position", (conversation_id,)
                )
            ]
        return SavedConversation(summary, turns, quotes)

    def summary(self, conversation_id: str) -> ConversationSummary:
        """The conversation's summary; ConversationNotFoundError when there is none with this id."""
        with self._db() as db:
            return self._summary(db, conversation_id)

    def delete(self, conversation_id: str) -> None:
        with self._db() as db:
            self._summary(db, conversation_id)  # a typo in the id is an error, not a silent no-op
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def _summary(self, db: sqlite3.Connection, conversation_id: str) -> ConversationSummary:
        row = db.execute(_SUMMARY_SQL.format(where="WHERE c.id = ?"), (conversation_id,)).fetchone()
        if row is None:
            raise ConversationNotFoundError(
                f"No saved conversation with id '{conversation_id}' in {self.path}. List them with: webqa chat --list"
            )
        return ConversationSummary(*row)


def _ensure_schema(db: sqlite3.Connection, path: Path) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:
        db.executescript(_SCHEMA)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    elif version != SCHEMA_VERSION:
        raise WebqaError(
            f"{path} holds conversations in format {version}; this webqa reads format {SCHEMA_VERSION}. "
            "Upgrade webqa, or set WEBQA_CONVERSATIONS_PATH to another file."
        )
