"""Answer quality and speed on HotpotQA (500 dev questions, their pooled paragraphs as the corpus) for
webqa's policies and answer modes, beside a naive-RAG baseline built with LangChain (same embedder and
model, top-3 chunks stuffed into one prompt), all in one run.

    python -m evals.hotpotqa_qa --limit 100 --configs planned-extractive,planned-abstractive,naive-rag
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from evals import hotpotqa  # noqa: E402
from webqa.answer.support import OverlapSupport  # noqa: E402
from webqa.assistant import Assistant  # noqa: E402
from webqa.config import Settings  # noqa: E402
from webqa.index import build_index, open_index  # noqa: E402
from webqa.index.chunking import sentence_spans  # noqa: E402
from webqa.metrics import answer_recall, exact_match, percentiles, token_f1  # noqa: E402

CONFIGS = {
    "planned-extractive": {"policy": "planned", "answer_mode": "extractive"},
    "planned-extractive-heuristic": {
        "policy": "planned",
        "answer_mode": "extractive",
        "short_answer_scoring": "heuristic",
    },
    "planned-abstractive": {"policy": "planned", "answer_mode": "abstractive"},
    "llm-extractive": {"policy": "llm", "answer_mode": "extractive"},
    "llm-abstractive": {"policy": "llm", "answer_mode": "abstractive"},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=100, help="questions per configuration")
    parser.add_argument("--configs", default="planned-extractive,planned-abstractive,naive-rag")
    parser.add_argument("--out", type=Path, default=Path("evals/out/hotpotqa"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    documents, questions = hotpotqa.load()
    questions = questions[: args.limit]
    settings = Settings(index_dir=Path("evals/out/indexes"), default_index="hotpotqa")
    corpus = hotpotqa.write_corpus(documents, args.out / "corpus.jsonl")
    report = build_index("hotpotqa", [str(corpus)], settings, progress=True)
    print(f"index: {report.documents} documents, {report.chunks} chunks", file=sys.stderr)
    index = open_index("hotpotqa", settings)

    summaries = {}
    for name in args.configs.split(","):
        started = time.perf_counter()
        if name == "naive-rag":
            rows = run_naive_rag(index, settings, questions)
        else:
            rows = run_webqa(Assistant(settings.model_copy(update=CONFIGS[name]), index=index), questions)
        with open(args.out / f"{name}.jsonl", "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        summaries[name] = summarise(rows, index)
        summaries[name]["wall_s"] = round(time.perf_counter() - started, 1)
        print(f"{name}: {json.dumps(summaries[name])}", file=sys.stderr)
    (args.out / "summary.json").write_text(json.dumps(summaries, indent=2))
    print_table(summaries, len(questions))
    return 0


def run_webqa(assistant: Assistant, questions: list[hotpotqa.Question]) -> list[dict[str, Any]]:
    rows = []
    for q in questions:
        answer = assistant.ask(q.question)
        record = answer.to_record(q.id)
        record["gold"] = q.answers
        record["gold_titles"] = q.supporting_titles
        record["notes"] = answer.trace.get("answer", {})
        rows.append(record)
    return rows


def run_naive_rag(index: Any, settings: Settings, questions: list[hotpotqa.Question]) -> list[dict[str, Any]]:
    """What a LangChain user would build: retrieve top-3 chunks, stuff them into one prompt, generate."""
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnablePassthrough

    from webqa.index.langchain_retriever import WebqaRetriever
    from webqa.llm import load_llm

    llm = load_llm(settings)
    retriever = WebqaRetriever(index=index, k=3, mode="dense")
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "Answer the question using only the context. Be brief."),
            ("user", "Context:\n{context}\n\nQuestion: {question}\nAnswer:"),
        ]
    )

    def stuff(docs: list) -> str:
        return "\n\n".join(f"{d.metadata['title']}: {d.page_content}" for d in docs)

    chain = {"context": retriever | stuff, "question": RunnablePassthrough()} | prompt | llm.chat_model
    chain = chain | StrOutputParser()
    rows = []
    for q in questions:
        started = time.perf_counter()
        docs = retriever.invoke(q.question)
        text = chain.invoke(q.question)
        rows.append(
            {
                "id": q.id,
                "question": q.question,
                "answer": text.strip(),
                "short_answer": text.strip(),
                "abstained": False,
                "citations": [],
                "retrieved": [d.metadata["doc_id"] for d in docs],
                "timings": {"total_s": round(time.perf_counter() - started, 3)},
                "gold": q.answers,
                "gold_titles": q.supporting_titles,
                "notes": {},
            }
        )
    return rows


def summarise(rows: list[dict[str, Any]], index: Any) -> dict[str, Any]:
    checker = OverlapSupport(index.embedder())
    answered = [r for r in rows if not r["abstained"]]
    cited_sentences = supported = 0
    for row in answered:
        quotes = {c["n"]: f"{c['title']}\n{c['quote']}" for c in row["citations"]}
        for start, end in sentence_spans(row["answer"]):
            sentence = row["answer"][start:end]
            cited = [quotes[n] for n in quotes if f"[{n}]" in sentence]
            if cited:
                cited_sentences += 1
                supported += checker.supported(sentence, cited)
    kept = sum(len(r["notes"].get("support_scores", [])) - len(r["notes"].get("dropped_sentences", [])) for r in rows)
    written = sum(len(r["notes"].get("support_scores", [])) for r in rows)
    latencies = [r["timings"]["total_s"] for r in rows]
    p50, p95 = percentiles(latencies, 50, 95)
    gold_cited = []
    for row in rows:
        cited = {c["doc_id"] for c in row["citations"]} or set(row.get("retrieved", []))
        gold_cited.append(len(cited & set(row["gold_titles"])) / len(row["gold_titles"]))
    return {
        "questions": len(rows),
        "answer_recall": round(statistics.fmean(answer_recall(r["answer"], r["gold"]) for r in rows), 3),
        "short_em": round(statistics.fmean(exact_match(r["short_answer"], r["gold"]) for r in rows), 3),
        "short_f1": round(statistics.fmean(token_f1(r["short_answer"], r["gold"]) for r in rows), 3),
        "gold_paragraphs_cited": round(statistics.fmean(gold_cited), 3),
        "cited_sentences_supported": round(supported / cited_sentences, 3) if cited_sentences else None,
        "model_sentences_kept": round(kept / written, 3) if written else None,
        "abstention_rate": round(1 - len(answered) / len(rows), 3),
        "actions_per_question": round(statistics.fmean(len(r["actions"]) for r in rows), 1)
        if rows[0].get("actions")
        else 0,
        "latency_p50_s": round(p50, 2),
        "latency_p95_s": round(p95, 2),
    }


def print_table(summaries: dict[str, dict[str, Any]], n: int) -> None:
    keys = [
        "answer_recall",
        "short_em",
        "short_f1",
        "gold_paragraphs_cited",
        "cited_sentences_supported",
        "model_sentences_kept",
        "abstention_rate",
        "actions_per_question",
        "latency_p50_s",
        "latency_p95_s",
    ]
    print(f"\nHotpotQA, first {n} questions (naive-rag: 'gold_paragraphs_cited' = gold among its 3 retrieved)")
    print("| config | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for name, summary in summaries.items():
        print(f"| {name} | " + " | ".join(str(summary.get(k)) for k in keys) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
