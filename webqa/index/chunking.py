"""Split documents into sentence-aligned chunks whose text is an exact slice of the document."""

from __future__ import annotations

from webqa.text import cut_offset, sentence_spans
from webqa.types import Chunk, Document


def _split_long(text: str, span: tuple[int, int], max_chars: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than max_chars at whitespace (or hard, if it has none)."""
    start, end = span
    pieces = []
    while end - start > max_chars:
        cut = cut_offset(text, start, end, max_chars)
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
