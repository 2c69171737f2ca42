"""Sparse retrieval: BM25 (bm25s) over stemmed, stopword-free word tokens of the same chunks."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from webqa.text import TOKEN, stopwords

BM25_DIR = "bm25"
# Recorded in manifests: an index's BM25 must be queried with the tokenizer that built it.
TOKENIZER = "words/stopwords-en-plus/snowball-en/1"


@lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202 - PyStemmer has no type stubs
    import Stemmer

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """The Snowball stem of one lower-case word, as BM25 and the relevance overlap see it."""
    return str(_stemmer().stemWord(word))


def tokenize(text: str) -> list[str]:
    stop = stopwords()
    words = [w for w in TOKEN.findall(text.lower()) if w not in stop]
    return list(_stemmer().stemWords(words))


class SparseIndex:
    """BM25 scores of every chunk for a query; top-k by partial sort."""

    def __init__(self, bm25) -> None:  # noqa: ANN001
        self.bm25 = bm25

    @property
    def size(self) -> int:
        return int(self.bm25.scores["num_docs"])

    @classmethod
    def build(cls, texts: list[str]) -> SparseIndex:
        import bm25s

        bm25 = bm25s.BM25()
        # An empty token list is fine for bm25s; every chunk keeps its row even if it has no words.
        bm25.index([tokenize(t) for t in texts], show_progress=False)
        return cls(bm25)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        import numpy as np  # here, not at the top: listing indexes imports this module but never searches

        if self.size == 0 or k <= 0:
            return []
        token_ids = self.bm25.get_tokens_ids(tokenize(query))
        if not token_ids:
            return []
        scores = np.asarray(self.bm25.get_scores_from_ids(token_ids))
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(r), float(scores[r])) for r in top if scores[r] > 0]

    def save(self, folder: Path) -> None:
        self.bm25.save(str(folder / BM25_DIR), show_progress=False)

    @staticmethod
    def stored_size(folder: Path) -> int:
        """How many chunks a saved BM25 index holds, read from its parameters file alone."""
        params = json.loads((folder / BM25_DIR / "params.index.json").read_text(encoding="utf-8"))
        return int(params["num_docs"])

    @classmethod
    def load(cls, folder: Path) -> SparseIndex:
        import bm25s

        path = folder / BM25_DIR
        if not path.is_dir():
            raise FileNotFoundError(path)
        return cls(bm25s.BM25.load(str(path), mmap=False, show_progress=False, verbosity=0))
