"""The baseline every report sets webqa beside: naive RAG as a LangChain user would build it.

Dense top-k chunks from the same index (same embedder), stuffed into one prompt for the same chat model,
within a context budget (the embedded model has 4,096 tokens; whole passages overflow it). It is asked to
cite the numbered passages it uses; markers that name a passage become citations, so the citation metrics
judge it like webqa. It never abstains, and its short answer is its whole reply (it has no other)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from webqa.config import Settings
from webqa.questions import QuestionItem
from webqa.text import CITATION
from webqa.types import Answer, Citation, Quote, page_sha256

if TYPE_CHECKING:
    from langchain_core.documents import Document as LCDocument

    from webqa.index.search import Index
    from webqa.llm import LLM

SYSTEM = "Answer the question using only the numbered context passages. Cite the passages you use like [1]. Be brief."
SAFETY_TOKENS = 64  # the chat template's own tokens, which count_tokens does not see


class NaiveRAG:
    def __init__(self, index: Index, llm: LLM, settings: Settings, k: int = 3) -> None:
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder

        from webqa.index.langchain_retriever import WebqaRetriever

        self.llm = llm
        self.retriever = WebqaRetriever(index=index, k=k, mode="dense")
        prompt = ChatPromptTemplate.from_messages(
            [
                ("system", SYSTEM),
                MessagesPlaceholder("history"),
                ("user", "Context:\n{context}\n\nQuestion: {question}\nAnswer:"),
            ]
        )
        self.chain = prompt | llm.chat_model | StrOutputParser()
        self.budget = settings.llm_context_tokens - settings.llm_max_tokens - SAFETY_TOKENS

    def ask(self, question: str, history: Sequence[tuple[str, str]] = ()) -> tuple[Answer, list[str]]:
        """The reply, and the ids of the documents it was given. `history`: earlier (role, text) messages;
        a follow-up is retrieved with the user's earlier turns before it, the naive way."""
        started = time.perf_counter()
        earlier = [text for role, text in history if role == "user"]
        docs = self.retriever.invoke(" ".join([*earlier[-2:], question]))
        retrieved = time.perf_counter()
        used = self._within_budget(docs, question, history)
        context = "\n\n".join(f"[{n}] {d.metadata['title']}: {d.page_content}" for n, d in enumerate(used, 1))
        text = self.chain.invoke({"context": context, "question": question, "history": list(history)}).strip()
        finished = time.perf_counter()
        answer = Answer(
            question=question,
            answer=text,
            short_answer=text,
            citations=_citations(text, used, self.retriever.index),
            timings={
                "total_s": round(finished - started, 3),
                "search_s": round(retrieved - started, 3),
                "answer_s": round(finished - retrieved, 3),
            },
        )
        return answer, [d.metadata["doc_id"] for d in used]

    def _within_budget(
        self, docs: list[LCDocument], question: str, history: Sequence[tuple[str, str]]
    ) -> list[LCDocument]:
        """The best-ranked chunks that fit in the context beside the prompt, history and reply."""
        spent = self.llm.count_tokens(SYSTEM + question) + sum(self.llm.count_tokens(t) for _, t in history)
        used: list[LCDocument] = []
        for doc in docs:
            cost = self.llm.count_tokens(f"[{len(used) + 1}] {doc.metadata['title']}: {doc.page_content}")
            if spent + cost > self.budget:
                break
            used.append(doc)
            spent += cost
        return used


def _citations(text: str, docs: list[LCDocument], index: Index) -> tuple[Citation, ...]:
    numbers = dict.fromkeys(int(n) for n in CITATION.findall(text))
    return tuple(Citation(n, _chunk_quote(docs[n - 1], index)) for n in numbers if 1 <= n <= len(docs))


def _chunk_quote(doc: LCDocument, index: Index) -> Quote:
    """A cited chunk as a quote of its document, with the document's hash as webqa's own quotes record it."""
    meta = doc.metadata
    document = index.get_document(meta["doc_id"])
    digest = page_sha256(document.text) if document is not None else None
    return Quote(doc.page_content, meta["title"], meta["url"], meta["doc_id"], meta["start"], meta["end"], digest)


def baseline_answer_function(settings_data: dict[str, Any], k: int) -> Any:
    """A batch answer function (picklable through functools.partial, like webqa's own): the baseline over
    settings.default_index with settings.llm. A multi-turn line is one conversation with its history."""
    from webqa.index.search import open_index
    from webqa.llm import load_llm

    settings = Settings(**settings_data)
    rag = NaiveRAG(open_index(settings.default_index, settings), load_llm(settings), settings, k)

    def answer(item: QuestionItem) -> dict[str, Any]:
        if not item.turns:
            assert item.question is not None
            reply, retrieved = rag.ask(item.question)
            return {**reply.to_record(item.id), "retrieved": retrieved}
        history: list[tuple[str, str]] = []
        records = []
        for n, turn in enumerate(item.turns, start=1):
            reply, retrieved = rag.ask(turn, history)
            records.append({**reply.to_record(f"{item.id}#{n}"), "retrieved": retrieved})
            history += [("user", turn), ("assistant", reply.answer)]
        last = records[-1]
        return {
            **{key: last[key] for key in ("answer", "short_answer", "abstained", "citations", "actions")},
            "question": item.turns[0],
            "timings": {"total_s": round(sum(r["timings"]["total_s"] for r in records), 3)},
            "turns": records,
        }

    return answer
