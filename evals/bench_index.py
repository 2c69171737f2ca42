"""Index benchmark on the pooled HotpotQA paragraphs: build speed against raw encoding and LangChain,
unchanged-rebuild cost, recall@10 of gold supporting paragraphs, query latency at 5k and 100k chunks, and
builds with the ONNX backends (fp32, int8) against raw PyTorch encoding, with their recall.

Run: make bench   (or: python -m evals.bench_index [--questions N] [--big-chunks N])
Every figure is a ratio against a baseline measured in this same run; absolute seconds are context."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

from webqa.config import Settings  # noqa: E402
from webqa.evaluation.datasets import find_data_dir, hotpotqa  # noqa: E402
from webqa.evaluation.datasets.base import corpus_jsonl  # noqa: E402
from webqa.evaluation.gold import GoldItem  # noqa: E402
from webqa.index import build_index, open_index  # noqa: E402
from webqa.index.chunking import embedding_text  # noqa: E402
from webqa.index.dense import DenseIndex  # noqa: E402
from webqa.index.embedders import (  # noqa: E402
    EmbedderOptions,
    SentenceTransformerEmbedder,
    load_embedder,
    minilm_path,
)
from webqa.index.manifest import Chunking  # noqa: E402
from webqa.index.search import Index  # noqa: E402
from webqa.index.sparse import SparseIndex  # noqa: E402
from webqa.index.store import DocumentStore, write_store  # noqa: E402
from webqa.types import Chunk, Document  # noqa: E402


def write_corpus(documents: list[Document], path: Path) -> Path:
    path.write_text(corpus_jsonl(documents), encoding="utf-8")
    return path


def timed(fn):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def recall_at_k(index: Index, questions: list[GoldItem], mode: str, k: int = 10) -> float:
    scores = []
    for q in questions:
        found = {h.chunk.doc_id for h in index.search(q.questions[0], k, mode)}
        supporting = set(q.gold[0].supporting)
        scores.append(len(found & supporting) / len(supporting))
    return statistics.fmean(scores)


def latencies_ms(index: Index, queries: list[str], mode: str = "hybrid", k: int = 10) -> list[float]:
    index.search(queries[0], k, mode)  # warm-up: first call pays for lazy loading
    out = []
    for query in queries:
        _, seconds = timed(lambda q=query: index.search(q, k, mode))
        out.append(seconds * 1000)
    return out


def bench_build(work: Path, documents: list[Document], embedder: SentenceTransformerEmbedder) -> dict:
    corpus = write_corpus(documents, work / "hotpotqa.jsonl")
    settings = Settings(index_dir=work / "indexes", embedding_model="minilm", embedding_backend="torch")

    report, build_s = timed(lambda: build_index("hotpotqa", [str(corpus)], settings, embedder=embedder, progress=False))
    index = open_index("hotpotqa", settings, embedder=embedder)
    texts = [embedding_text(c) for c in index.store.chunks(list(range(report.chunks)))]

    _, raw_s = timed(
        lambda: embedder.model.encode(
            texts, batch_size=embedder.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
    )
    langchain_s = bench_langchain(texts, embedder.batch_size)
    rebuild, rebuild_s = timed(
        lambda: build_index("hotpotqa", [str(corpus)], settings, embedder=embedder, progress=False)
    )
    assert rebuild.embedded_chunks == 0, "an unchanged rebuild must not embed"
    # One edited document: the build cannot be skipped, but only that document is embedded again.
    edited = [*documents[:-1], Document(documents[-1].id, documents[-1].title, documents[-1].text + " Edited.")]
    write_corpus(edited, corpus)
    one, one_changed_s = timed(
        lambda: build_index("hotpotqa", [str(corpus)], settings, embedder=embedder, progress=False)
    )
    assert one.changed == 1 and one.embedded_chunks <= 2
    write_corpus(documents, corpus)
    build_index("hotpotqa", [str(corpus)], settings, embedder=embedder, progress=False)
    index.close()
    index = open_index("hotpotqa", settings, embedder=embedder)  # the rebuilds replaced the build it read
    return {
        "documents": report.documents,
        "chunks": report.chunks,
        "build_s": build_s,
        "raw_encode_s": raw_s,
        "langchain_faiss_s": langchain_s,
        "build_chunks_per_s": report.chunks / build_s,
        "raw_chunks_per_s": report.chunks / raw_s,
        "build_vs_raw": raw_s / build_s,
        "build_vs_langchain": langchain_s / build_s if langchain_s else None,
        "unchanged_rebuild_s": rebuild_s,
        "unchanged_rebuild_vs_full": rebuild_s / build_s,
        "one_changed_rebuild_s": one_changed_s,
        "one_changed_rebuild_vs_full": one_changed_s / build_s,
        "index": index,
    }


def bench_langchain(texts: list[str], batch_size: int) -> float | None:
    """LangChain's FAISS.from_documents with the same model and texts (model load not timed)."""
    try:
        from langchain_community.vectorstores import FAISS
        from langchain_core.documents import Document as LCDocument
        from langchain_huggingface import HuggingFaceEmbeddings
    except ImportError:
        print(
            "langchain-community / langchain-huggingface not installed: skipping that baseline",
            file=sys.stderr,
        )
        return None
    embeddings = HuggingFaceEmbeddings(
        model_name=minilm_path(),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True, "batch_size": batch_size},
    )
    docs = [LCDocument(page_content=t) for t in texts]
    _, seconds = timed(lambda: FAISS.from_documents(docs, embeddings))
    return seconds


def bench_backends(work: Path, documents: list[Document], questions: list[GoldItem], raw_s: float) -> dict:
    """Build the same corpus with each ONNX backend (the export made or found in the cache first, so its
    one-time cost is not counted as build time) and compare throughput with raw PyTorch encoding and
    recall@10 with the PyTorch-built index."""
    corpus = write_corpus(documents, work / "hotpotqa-backends.jsonl")
    results: dict[str, dict[str, float]] = {}
    for backend in ("onnx", "onnx-int8"):
        settings = Settings(index_dir=work / "indexes", embedding_model="minilm", embedding_backend=backend)
        load_embedder("minilm", EmbedderOptions.from_settings(settings)).embed(["warm-up"])
        name = f"hotpotqa-{backend}"
        report, build_s = timed(lambda s=settings, n=name: build_index(n, [str(corpus)], s, progress=False))
        index = open_index(name, settings)
        results[backend] = {
            "build_s": build_s,
            "build_chunks_per_s": report.chunks / build_s,
            "build_vs_raw_torch": raw_s / build_s,
            "recall_dense": recall_at_k(index, questions, "dense"),
            "recall_hybrid": recall_at_k(index, questions, "hybrid"),
        }
        index.close()
    return results


def repeated_corpus(small: Index, target_chunks: int) -> tuple[list[tuple[Document, str]], list[Chunk], np.ndarray]:
    """~target_chunks chunks for latency: the real chunks repeated under new ids, their vectors jittered
    so the copies are not exact duplicates. Search cost depends on size, not on what the text says.
    Returns (documents with empty hashes, chunks in row order, their unit vectors)."""
    rng = np.random.default_rng(0)
    base_docs = list(small.store.iter_documents())
    base_vectors = np.load(small.folder / "embeddings.npy")
    layout = small.store.chunk_layout()
    documents, chunks, vector_rows = [], [], []
    copy = 0
    while len(chunks) < target_chunks:
        for doc in base_docs:
            new = Document(f"{doc.id}#{copy}", doc.title, doc.text)
            documents.append((new, ""))
            for row, start, end in layout[doc.id]:
                chunks.append(Chunk(new.id, start, end, doc.text[start:end], doc.title))
                vector_rows.append(row)
        copy += 1
    vectors = np.empty((len(vector_rows), base_vectors.shape[1]), dtype=np.float32)
    # In slices: at a million rows, float64 noise for all of them at once would be ~3 GB.
    for begin in range(0, len(vector_rows), 100_000):
        rows = vector_rows[begin : begin + 100_000]
        block = base_vectors[rows] + rng.normal(0, 0.02, (len(rows), base_vectors.shape[1]))
        vectors[begin : begin + len(rows)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return documents, chunks, vectors


def big_index(work: Path, small: Index, target_chunks: int, settings: Settings) -> Index:
    """An index of ~target_chunks chunks made by repeated_corpus, with the settings' dense index kind."""
    documents, chunks, vectors = repeated_corpus(small, target_chunks)
    folder = work / "big"
    folder.mkdir()
    write_store(folder / "store.sqlite", documents, chunks)
    dense = DenseIndex.build(vectors, settings.dense_index)
    sparse = SparseIndex.build([embedding_text(c) for c in chunks])
    manifest = small.manifest.model_copy(update={"chunk_count": len(chunks), "document_count": len(documents)})
    return Index(
        "big",
        folder,
        manifest,
        DocumentStore(folder / "store.sqlite"),
        dense,
        sparse,
        settings,
        small.embedder(),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--big-chunks", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("evals/out/bench_index.json"))
    args = parser.parse_args()

    dataset = hotpotqa.load(find_data_dir())
    assert dataset.documents is not None
    documents, questions = dataset.documents, dataset.items[: args.questions]
    embedder = load_embedder("minilm", EmbedderOptions(backend="torch"))  # today's path: the baseline
    assert isinstance(embedder, SentenceTransformerEmbedder)
    chunking = Chunking(max_chars=Settings().chunk_chars, overlap_chars=Settings().chunk_overlap_chars)
    print(
        f"HotpotQA: {len(documents)} unique paragraphs, {len(questions)} questions; chunking {chunking}",
        file=sys.stderr,
    )

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        build = bench_build(work, documents, embedder)
        index: Index = build.pop("index")

        recall = {mode: recall_at_k(index, questions, mode) for mode in ("dense", "sparse", "hybrid")}
        backends = bench_backends(work, documents, questions, build["raw_encode_s"])
        sweep: list[tuple[str, dict[str, object]]] = [(f"hybrid_rrf_k{k}", {"rrf_k": k}) for k in (10, 30)]
        sweep += [(f"hybrid_weighted_{w}", {"fusion": "weighted", "dense_weight": w}) for w in (0.3, 0.5, 0.7)]
        for label, update in sweep:
            variant = open_index("hotpotqa", index.settings.model_copy(update=update), embedder=embedder)
            recall[label] = recall_at_k(variant, questions, "hybrid")

        queries = [q.questions[0] for q in questions]
        small_ms = latencies_ms(index, queries)
        big = big_index(work, index, args.big_chunks, index.settings)
        big_ms = latencies_ms(big, queries)
        embed_ms = [timed(lambda q=q: embedder.embed([q]))[1] * 1000 for q in queries]

        results = {
            **build,
            "recall_at_10": recall,
            "backends": backends,
            "latency_ms": {
                f"hybrid_{build['chunks']}_chunks": {
                    "p50": percentile(small_ms, 50),
                    "p95": percentile(small_ms, 95),
                },
                f"hybrid_{big.manifest.chunk_count}_chunks": {
                    "p50": percentile(big_ms, 50),
                    "p95": percentile(big_ms, 95),
                },
                "query_embedding_only": {"p50": percentile(embed_ms, 50), "p95": percentile(embed_ms, 95)},
            },
        }
        big.close()
        index.close()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print_report(results)
    return 0


def print_report(r: dict) -> None:
    print(f"\nIndex benchmark: {r['documents']} HotpotQA paragraphs -> {r['chunks']} chunks (all-MiniLM-L6-v2, CPU)")
    print(f"  build                 {r['build_s']:7.1f} s  {r['build_chunks_per_s']:6.1f} chunks/s")
    print(f"  raw ST encode         {r['raw_encode_s']:7.1f} s  {r['raw_chunks_per_s']:6.1f} chunks/s")
    print(f"  build / raw encode throughput      {r['build_vs_raw']:.2f}x   (target >= 0.90)")
    if r["build_vs_langchain"]:
        print(f"  LangChain FAISS.from_documents     {r['langchain_faiss_s']:.1f} s")
        print(f"  build / LangChain throughput       {r['build_vs_langchain']:.2f}x")
    print(
        f"  unchanged rebuild / full build     {r['unchanged_rebuild_vs_full']:.3f}   (target <= 0.05)"
        f"   ({r['unchanged_rebuild_s']:.2f} s)"
    )
    print(
        f"  one-document-changed rebuild / full build  {r['one_changed_rebuild_vs_full']:.3f}"
        f"   ({r['one_changed_rebuild_s']:.2f} s)"
    )
    for backend, b in r["backends"].items():
        print(
            f"  build with {backend:<9}      {b['build_s']:7.1f} s  {b['build_chunks_per_s']:6.1f} chunks/s  "
            f"{b['build_vs_raw_torch']:.2f}x raw PyTorch encoding   (target for onnx-int8 >= 2.0)"
        )
        dense_gap = 100 * (b["recall_dense"] - r["recall_at_10"]["dense"])
        hybrid_gap = 100 * (b["recall_hybrid"] - r["recall_at_10"]["hybrid"])
        print(
            f"    recall@10 dense {b['recall_dense']:.3f} ({dense_gap:+.1f} points vs PyTorch), "
            f"hybrid {b['recall_hybrid']:.3f} ({hybrid_gap:+.1f})"
        )
    if {"onnx", "onnx-int8"} <= r["backends"].keys():
        fp32, int8 = r["backends"]["onnx"], r["backends"]["onnx-int8"]
        print(
            f"  int8 vs fp32 recall@10: dense {100 * (int8['recall_dense'] - fp32['recall_dense']):+.1f} points, "
            f"hybrid {100 * (int8['recall_hybrid'] - fp32['recall_hybrid']):+.1f}   (target: within 1 point)"
        )
    print("  recall@10 of gold supporting paragraphs:")
    for mode, value in r["recall_at_10"].items():
        print(f"    {mode:<22} {value:.3f}")
    print("  query latency (embedding + search), ms:")
    for label, value in r["latency_ms"].items():
        print(f"    {label:<28} p50 {value['p50']:6.1f}   p95 {value['p95']:6.1f}")


if __name__ == "__main__":
    raise SystemExit(main())
