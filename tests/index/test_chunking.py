from webqa.index.chunking import chunk_document, embedding_text, sentence_spans
from webqa.types import Document


def test_sentence_spans_keep_closing_quotes_and_skip_whitespace():
    text = 'He said "Stop." Then he left!  New paragraph?\n\nLast one'
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == ['He said "Stop."', "Then he left!", "New paragraph?", "Last one"]


def test_every_chunk_is_an_exact_slice_within_the_size_limit():
    sentence = "The quick brown fox jumps over the lazy dog number {}. "
    text = "".join(sentence.format(i) for i in range(60))
    doc = Document("d", "Title", text)
    chunks = chunk_document(doc, max_chars=300, overlap_chars=60)
    assert len(chunks) > 5
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert len(chunk.text) <= 300
        assert chunk.text.endswith(".")  # whole sentences only
        assert chunk.doc_id == "d" and chunk.title == "Title"


def test_chunks_cover_every_sentence_and_overlap_by_trailing_sentences():
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    chunks = chunk_document(Document("d", "", text), max_chars=200, overlap_chars=60)
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    for start, end in sentence_spans(text):
        assert set(range(start, end)) <= covered
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start < before.end  # overlap
        assert after.start > before.start  # progress


def test_a_sentence_longer_than_the_limit_is_cut_at_spaces():
    text = ("word " * 100).strip() + "."
    chunks = chunk_document(Document("d", "", text), max_chars=120, overlap_chars=0)
    assert len(chunks) >= 4
    assert all(len(c.text) <= 120 and c.text == text[c.start : c.end] for c in chunks)
    assert "".join(c.text.replace(" ", "") for c in chunks) == text.replace(" ", "")


def test_a_text_without_spaces_is_still_cut_to_the_limit():
    text = "x" * 450
    chunks = chunk_document(Document("d", "", text), max_chars=200, overlap_chars=0)
    assert [len(c.text) for c in chunks] == [200, 200, 50]


def test_embedding_text_adds_the_title_unless_the_text_starts_with_it():
    doc = Document("d", "Nile", "It flows north. The Nile is long.")
    (chunk,) = chunk_document(doc, 1000, 100)
    assert embedding_text(chunk) == "Nile\nIt flows north. The Nile is long."
    doc2 = Document("d", "Nile", "Nile is a river.")
    (chunk2,) = chunk_document(doc2, 1000, 100)
    assert embedding_text(chunk2) == "Nile is a river."
