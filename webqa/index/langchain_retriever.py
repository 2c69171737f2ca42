"""A webqa index as a LangChain retriever, for LangChain users' own chains.

from webqa.config import load_settings
from webqa.index import open_index
from webqa.index.langchain_retriever import WebqaRetriever

retriever = WebqaRetriever(index=open_index("wikipedia-vital", load_settings()), k=5)
docs = retriever.invoke("Who painted the Mona Lisa?")
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from webqa.index.search import Index


class WebqaRetriever(BaseRetriever):
    """Hybrid (or dense/sparse) search over a webqa index; metadata carries the exact source span."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any  # a webqa.index.Index; typed loosely so pydantic does not try to validate it
    k: int = 4
    mode: str = "hybrid"

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        index: Index = self.index
        return [
            LCDocument(
                page_content=hit.chunk.text,
                metadata={
                    "doc_id": hit.chunk.doc_id,
                    "title": hit.chunk.title,
                    "url": hit.url,
                    "start": hit.chunk.start,
                    "end": hit.chunk.end,
                    "score": hit.score,
                    "rank": hit.rank,
                    "index": index.name,
                },
                id=f"{hit.chunk.doc_id}:{hit.chunk.start}-{hit.chunk.end}",
            )
            for hit in index.search(query, self.k, self.mode)
        ]
