"""Split documents into sentence-aligned chunks whose text is an exact slice of the document."""

from __future__ import annotations

import re

from webqa.types import Chunk, Document

# A sentence ends at . ! ? (plus closing quotes/brackets) followed by whitespace, or at a blank line.
_SENTENCE_END = re.compile(r"""(?<=[.!?])["'”’)\]]*\s+|\n\s*\n""")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of `text`, without surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        _append_stripped(text, position, match.start() + _closing_len(match.group()), spans)
        position = match.end()
    _append_stripped(text, position, len(text), spans)
    return spans


def _closing_len(separator: str) -> int:
    # Keep closing quotes and brackets with the sentence they close.
    return len(separator) - len(separator.lstrip("\"'”’)]"))


def _append_stripped(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def _split_long(text: str, span: tuple[int, int], max_chars: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than max_chars at whitespace (or hard, if it has none)."""
    start, end = span
    pieces = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + 1, start + max_chars)
        if cut <= start:
            cut = start + max_chars
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


def chunk_document(document: Document, max_chars: int, overlap_chars: int) -> list[Chunk]:
    """Pack whole sentences into chunks of at most max_chars, repeating up to overlap_chars of
    trailing sentences at the start of the next chunk so no fact is split from its context."""
    text = document.text
    spans = [piece for span in sentence_spans(text) for piece in _split_long(text, span, max_chars)]
    chunks: list[Chunk] = []
    first = 0
    while first < len(spans):
        start = spans[first][0]
        last = first
        while last + 1 < len(spans) and spans[last + 1][1] - start <= max_chars:
            last += 1
        end = spans[last][1]
        chunks.append(Chunk(document.id, start, end, text[start:end], document.title))
        if last + 1 >= len(spans):
            break
        next_first = last + 1
        while next_first - 1 > first and end - spans[next_first - 1][0] <= overlap_chars:
            next_first -= 1
        first = next_first
    return chunks


def embedding_text(chunk: Chunk) -> str:
    """What the embedder and BM25 see: the title gives a chunk the context its sentences often lack."""
    if chunk.title and not chunk.text.startswith(chunk.title):
        return f"{chunk.title}\n{chunk.text}"
    return chunk.text
