from langchain_core.retrievers import BaseRetriever

from webqa.index import build_index, open_index
from webqa.index.langchain_retriever import WebqaRetriever


def test_index_as_a_langchain_retriever(corpus, settings, embedder):
    build_index("kb", [str(corpus)], settings, embedder=embedder, progress=False)
    retriever = WebqaRetriever(index=open_index("kb", settings, embedder=embedder), k=2)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("Einstein theory of relativity")
    assert len(docs) == 2
    top = docs[0]
    assert top.metadata["doc_id"] == "einstein" and top.metadata["url"] == "https://example.org/einstein"
    assert top.page_content.startswith("Albert Einstein was")
    assert top.metadata["end"] - top.metadata["start"] == len(top.page_content)
