"""Read index sources into Documents: corpus JSONL (.jsonl/.jsonl.gz), folders of .txt/.md/.html
files, and text files listing URLs. Bad records name their file and line.

A URL list is a `.urls` file, or a .txt/.list file (or one without a suffix) most of whose lines, not
counting blank lines and # comments, look like URLs. Every line of a URL list must be an http(s) URL: one
that is not (a typo such as `htp://`) is a bad record naming its line, never a reason to index the list
itself as a text document."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from webqa.config import Settings
from webqa.errors import FetchError, InputError
from webqa.types import Document
from webqa.web.html import extract

DOCUMENT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
SOURCE_HELP = (
    "Give a corpus .jsonl/.jsonl.gz file, a folder of .txt/.md/.html files, or a text file of URLs (.urls or .txt)."
)
_URL_LIKE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:/+|www\.)\S*$", re.IGNORECASE)


class CorpusRecord(BaseModel):
    """One line of a corpus JSONL file (format in DESIGN.md)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    title: str = ""
    text: str
    url: str | None = None
    metadata: dict[str, Any] = {}

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


@dataclass
class SourceReport:
    documents: list[Document] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one message per skipped record


class _Problems:
    """Raise on the first bad record, or collect them all when the user asked to skip bad records."""

    def __init__(self, skip_bad: bool, report: SourceReport) -> None:
        self.skip_bad = skip_bad
        self.report = report

    def bad(self, message: str) -> None:
        if not self.skip_bad:
            raise InputError(f"{message} (use --skip-bad to skip bad records and continue)")
        self.report.skipped.append(message)


def check_sources_exist(sources: list[str]) -> None:
    """A missing source is the user's mistake: say so before any expensive step (a model, a cluster)."""
    for source in sources:
        if not Path(source).exists():
            raise InputError(f"Source not found: {source}. {SOURCE_HELP}")


def read_sources(sources: list[str], settings: Settings, skip_bad: bool = False) -> SourceReport:
    report = SourceReport()
    problems = _Problems(skip_bad, report)
    seen: dict[str, str] = {}
    check_sources_exist(sources)
    for source in sources:
        path = Path(source)
        for document, where in _read_one(path, settings, problems):
            if not document.text.strip():
                problems.bad(f"{where}: document '{document.id}' has no text")
                continue
            if document.id in seen:
                problems.bad(f"{where}: duplicate document id '{document.id}' (first seen at {seen[document.id]})")
                continue
            seen[document.id] = where
            report.documents.append(document)
    if not report.documents:
        raise InputError(f"No documents found in {', '.join(sources)}. {SOURCE_HELP}")
    return report


def _read_one(path: Path, settings: Settings, problems: _Problems) -> Iterator[tuple[Document, str]]:
    name = path.name.lower()
    if path.is_dir():
        yield from _read_folder(path)
    elif name.endswith((".jsonl", ".jsonl.gz")):
        yield from _read_jsonl(path, problems)
    elif _is_url_list(path):
        yield from _read_url_list(path, settings, problems)
    elif path.suffix.lower() in DOCUMENT_SUFFIXES:
        yield _read_file(path, path.name), str(path)
    else:
        raise InputError(f"Cannot index {path}: unsupported file type. {SOURCE_HELP}")


def _read_jsonl(path: Path, problems: _Problems) -> Iterator[tuple[Document, str]]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                record = _parse_record(line, where, problems)
                if record is not None:
                    yield Document(record.id, record.title, record.text, record.url, record.metadata), where
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read {path}: {exc}. Is it a UTF-8 JSONL file (gzipped if .gz)?") from None


def _parse_record(line: str, where: str, problems: _Problems) -> CorpusRecord | None:
    try:
        return CorpusRecord.model_validate_json(line)
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            problems.bad(f"{where}: not valid JSON")
        else:
            field_name = ".".join(str(p) for p in first["loc"]) or "record"
            problems.bad(f'{where}: {field_name}: {first["msg"]} (expected {{"id", "title", "text", ...}})')
        return None


def _read_folder(folder: Path) -> Iterator[tuple[Document, str]]:
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES):
        doc_id = f"{folder.name}/{path.relative_to(folder).as_posix()}"
        yield _read_file(path, doc_id), str(path)


def _read_file(path: Path, doc_id: str) -> Document:
    raw = path.read_bytes()
    url = path.resolve().as_uri()
    if path.suffix.lower() in (".html", ".htm"):
        page = extract(raw, base_url=url)
        # Links are kept so the browser can follow them from one local page to another.
        links = [{"start": link.start, "end": link.end, "href": link.href} for link in page.links]
        metadata: dict[str, Any] = {"links": links} if links else {}
        if page.hidden_chars:  # only then: unchanged pages keep their content hash
            metadata["hidden_chars"] = page.hidden_chars
        return Document(doc_id, page.title or path.stem, page.text, url, metadata)
    text = _decode(raw)
    title = path.stem.replace("_", " ").replace("-", " ")
    if path.suffix.lower() in (".md", ".markdown"):
        for line in text.splitlines():
            if line.startswith("# "):
                title = line[2:].strip()
                break
    return Document(doc_id, title, text, url)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _url_lines(path: Path) -> list[tuple[int, str]]:
    lines = _decode(path.read_bytes()).splitlines()
    return [(n, s.strip()) for n, s in enumerate(lines, 1) if s.strip() and not s.strip().startswith("#")]


def _is_url_list(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".urls":
        return True
    if suffix not in ("", ".txt", ".list"):
        return False
    entries = _url_lines(path)
    looks_like_urls = sum(1 for _, line in entries if _URL_LIKE.match(line))
    return bool(entries) and looks_like_urls * 2 > len(entries)


def _http_url(line: str) -> bool:
    try:
        parts = urlsplit(line)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in line)
    except ValueError:  # e.g. an unbalanced [ in the host
        return False


def _read_url_list(path: Path, settings: Settings, problems: _Problems) -> Iterator[tuple[Document, str]]:
    """Each URL fetched and read the way the browser reads it (same guard, limits and extraction)."""
    from webqa.browser.fetchers import WebPages

    pages = WebPages(settings)
    why = "" if path.suffix.lower() == ".urls" else f"; {path.name} is read as a URL list because most lines are URLs"
    for number, url in _url_lines(path):
        where = f"{path}:{number}"
        if not _http_url(url):
            problems.bad(f"{where}: {url[:80]!r} is not an http(s) URL{why}")
            continue
        try:
            page = pages.get(url)
        except FetchError as exc:
            problems.bad(f"{where}: {exc}")
            continue
        metadata = {"hidden_chars": page.hidden_chars} if page.hidden_chars else {}
        yield Document(url, page.title or url, page.text, page.url, metadata), where
