"""The local backend's snippets; its search contract is in test_contract.py."""

from __future__ import annotations

from webqa.search.local import SNIPPET_CHARS, _snippet


def test_short_text_is_its_own_snippet_on_one_line():
    assert _snippet(" Lothair II\n was king. ") == "Lothair II was king."


def test_long_text_is_cut_at_a_word_boundary():
    snippet = _snippet("word " * 100)
    assert snippet.endswith("word …") and len(snippet) <= SNIPPET_CHARS + 2


def test_a_word_longer_than_a_snippet_is_cut_inside():
    assert _snippet("x" * 1000 + " tail") == "x" * SNIPPET_CHARS + " …"
