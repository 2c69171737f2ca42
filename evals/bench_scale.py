"""Dense index kinds at a million chunks: flat (exact) against HNSW and IVF on the same vectors.

For each kind: FAISS build time, dense-only and hybrid query latency through webqa's Index.search (query
embedding excluded: queries are embedded once, beforehand, and timed on their own), and recall@10 of the
approximate results against flat's exact ones (|ANN top 10 & exact top 10| / 10, averaged), for dense
and for hybrid search. Then a sweep of the search-time parameters (HNSW efSearch, IVF nprobe) on the
same built indexes, and where hybrid search spends its time (FAISS, BM25, fusion, store lookups).

The corpus is bench_index's: HotpotQA's real chunks repeated under new ids with jittered vectors. The
small real index (~10 min to embed) and the repeated store and BM25 (minutes) are cached under --work.

Run: python -m evals.bench_scale [--chunks N] [--queries N] [--threads N]"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

from evals.bench_index import percentile, repeated_corpus, timed, write_corpus  # noqa: E402
from webqa.config import Settings  # noqa: E402
from webqa.evaluation.datasets import find_data_dir, hotpotqa  # noqa: E402
from webqa.index import build_index, open_index  # noqa: E402
from webqa.index.chunking import embedding_text  # noqa: E402
from webqa.index.dense import DenseIndex  # noqa: E402
from webqa.index.embedders import Embedder  # noqa: E402
from webqa.index.manifest import Manifest  # noqa: E402
from webqa.index.retrievers import HybridRetriever, _hits, reciprocal_rank_fusion  # noqa: E402
from webqa.index.search import Index  # noqa: E402
from webqa.index.sparse import SparseIndex  # noqa: E402
from webqa.index.store import DocumentStore, write_store  # noqa: E402

KINDS = ("flat", "hnsw", "ivf")
K = 10


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class PrecomputedEmbedder:
    """Answers with vectors embedded beforehand, so index timings leave the encoder out."""

    def __init__(self, real: Embedder, vectors: dict[str, np.ndarray]) -> None:
        self.name, self.backend, self.dimension = real.name, real.backend, real.dimension
        self.vectors = vectors

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


def real_index(work: Path) -> Index:
    """HotpotQA's pooled paragraphs with the default embedder; an unchanged rebuild is a no-op, so the
    folder under `work` is the cache."""
    dataset = hotpotqa.load(find_data_dir())
    assert dataset.documents is not None
    corpus = write_corpus(dataset.documents, work / "hotpotqa.jsonl")
    settings = Settings(index_dir=work / "indexes")
    build_index("hotpotqa", [str(corpus)], settings, progress=False)
    return open_index("hotpotqa", settings)


def repeated_parts(work: Path, small: Index, target_chunks: int) -> tuple[Path, Manifest, np.ndarray, SparseIndex]:
    """The store, BM25 and vectors of ~target_chunks repeated chunks, cached by size and the build of the
    small index they repeat (written to a temp folder, renamed when whole)."""
    folder = work / f"repeated-{target_chunks}"
    stamp = {"small_built_at": small.manifest.built_at, "target_chunks": target_chunks}
    stamp_file = folder / "made_from.json"
    if not (stamp_file.is_file() and json.loads(stamp_file.read_text()) == stamp):
        shutil.rmtree(folder, ignore_errors=True)
        partial = work / f"repeated-{target_chunks}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        documents, chunks, vectors = repeated_corpus(small, target_chunks)
        log(f"writing the store of {len(chunks):,} chunks")
        write_store(partial / "store.sqlite", documents, chunks)
        log("building BM25")
        SparseIndex.build([embedding_text(c) for c in chunks]).save(partial)
        np.save(partial / "embeddings.npy", vectors)
        (partial / "made_from.json").write_text(json.dumps(stamp))
        partial.rename(folder)
    vectors = np.load(folder / "embeddings.npy")
    sparse = SparseIndex.load(folder)
    store = DocumentStore(folder / "store.sqlite")
    counts = {"chunk_count": store.count_chunks(), "document_count": store.count_documents()}
    store.close()
    return folder, small.manifest.model_copy(update=counts), vectors, sparse


def latencies(run: Callable[[str], object], queries: list[str]) -> dict[str, float]:
    run(queries[0])  # warm-up
    ms = [timed(lambda q=q: run(q))[1] * 1000 for q in queries]
    return {"p50": percentile(ms, 50), "p95": percentile(ms, 95)}


def top_ids(index: Index, query: str, mode: str) -> list[tuple[str, int]]:
    return [(h.chunk.doc_id, h.chunk.start) for h in index.search(query, K, mode)]


def overlap_at_k(found: list[list], exact: list[list]) -> float:
    return statistics.fmean(len(set(f) & set(e)) / K for f, e in zip(found, exact, strict=True))


def measure(index: Index, dense: DenseIndex, queries: list[str], vectors: dict[str, np.ndarray], exact: dict) -> dict:
    """Latency and recall of one index kind with its current search parameters."""
    dense_rows = [[r for r, _ in dense.search(vectors[q], K)] for q in queries]
    hybrid_ids = [top_ids(index, q, "hybrid") for q in queries]
    return {
        "faiss_ms": latencies(lambda q: dense.search(vectors[q], K), queries),
        "dense_ms": latencies(lambda q: index.search(q, K, "dense"), queries),
        "hybrid_ms": latencies(lambda q: index.search(q, K, "hybrid"), queries),
        "dense_recall_at_10": overlap_at_k(dense_rows, exact["dense"]) if exact else 1.0,
        "hybrid_recall_at_10": overlap_at_k(hybrid_ids, exact["hybrid"]) if exact else 1.0,
        "_dense_rows": dense_rows,
        "_hybrid_ids": hybrid_ids,
    }


def hybrid_breakdown(index: Index, queries: list[str]) -> dict[str, dict[str, float]]:
    """Median ms of each step of HybridRetriever.search, called the way it calls them."""
    hybrid = index.retrievers["hybrid"]
    assert isinstance(hybrid, HybridRetriever)
    depth = max(4 * K, 50)
    steps: dict[str, list[float]] = {"faiss": [], "bm25": [], "fusion": [], "store": []}
    for query in queries:
        dense_ranking, s = timed(lambda q=query: hybrid.dense.rank(q, depth))
        steps["faiss"].append(s)
        sparse_ranking, s = timed(lambda q=query: hybrid.sparse.rank(q, depth))
        steps["bm25"].append(s)
        fused, s = timed(lambda d=dense_ranking, r=sparse_ranking: reciprocal_rank_fusion([d, r], hybrid.rrf_k))
        steps["fusion"].append(s)
        _, s = timed(lambda f=fused: _hits(index.store, f[:K], {}))
        steps["store"].append(s)
    return {step: {"p50": percentile(v, 50) * 1000, "p95": percentile(v, 95) * 1000} for step, v in steps.items()}


def set_search_parameter(dense: DenseIndex, value: int) -> None:
    index = dense.faiss_index
    if dense.kind == "hnsw":
        index.hnsw.efSearch = value
    else:
        index.nprobe = value


def search_parameter(dense: DenseIndex) -> int:
    return int(dense.faiss_index.hnsw.efSearch if dense.kind == "hnsw" else dense.faiss_index.nprobe)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2, help="FAISS threads for builds")
    parser.add_argument(
        "--query-threads",
        type=int,
        default=1,
        help="FAISS threads for queries: only flat splits one query; on a shared machine 2 made it ~4x slower",
    )
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--ef-search", type=int, nargs="*", default=[64, 512, 1024, 2048, 3072, 4096])
    parser.add_argument("--nprobe", type=int, nargs="*", default=[16, 32, 64, 128])
    parser.add_argument("--work", type=Path, default=Path("evals/out/bench_scale"))
    parser.add_argument("--out", type=Path, default=Path("evals/out/bench_scale.json"))
    args = parser.parse_args()

    import faiss

    faiss.omp_set_num_threads(args.threads)
    args.work.mkdir(parents=True, exist_ok=True)
    log("real index (cached after the first run)")
    small = real_index(args.work)
    queries = list(dict.fromkeys(i.questions[0] for i in hotpotqa.load(find_data_dir()).items))[: args.queries]
    real_embedder = small.embedder()
    real_embedder.embed(["warm-up"])
    embedded = {q: timed(lambda q=q: real_embedder.embed([q])[0]) for q in queries}
    vectors = {q: v for q, (v, _) in embedded.items()}
    embed_ms = [s * 1000 for _, s in embedded.values()]

    log(f"repeated corpus of ~{args.chunks:,} chunks (cached after the first run)")
    folder, manifest, chunk_vectors, sparse = repeated_parts(args.work, small, args.chunks)
    embedder = PrecomputedEmbedder(real_embedder, vectors)
    results: dict = {
        "chunks": manifest.chunk_count,
        "documents": manifest.document_count,
        "queries": len(queries),
        "faiss_threads": {"build": args.threads, "query": args.query_threads},
        "query_embedding_ms": {"p50": percentile(embed_ms, 50), "p95": percentile(embed_ms, 95)},
        "kinds": {},
        "sweep": {},
    }
    exact: dict = {}
    for kind in ["flat", *[k for k in args.kinds if k != "flat"]]:
        log(f"building {kind}")
        faiss.omp_set_num_threads(args.threads)
        dense, build_s = timed(lambda k=kind: DenseIndex.build(chunk_vectors, k))
        faiss.omp_set_num_threads(args.query_threads)
        settings = Settings(index_dir=args.work / "indexes", dense_index=kind)
        kind_manifest = manifest.model_copy(update={"dense_index": kind})
        store = DocumentStore(folder / "store.sqlite")
        index = Index(f"scale-{kind}", folder, kind_manifest, store, dense, sparse, settings, embedder)
        log(f"measuring {kind}")
        row = {"build_s": build_s, **measure(index, dense, queries, vectors, exact)}
        if kind == "flat":
            exact = {"dense": row["_dense_rows"], "hybrid": row["_hybrid_ids"]}
            results["hybrid_breakdown_ms"] = hybrid_breakdown(index, queries)
        else:
            row["search_parameter"] = search_parameter(dense)
            default = row["search_parameter"]
            sweep = {}
            for value in args.ef_search if kind == "hnsw" else args.nprobe:
                set_search_parameter(dense, value)
                log(f"  {kind} at {value}")
                sweep[value] = {k: v for k, v in measure(index, dense, queries, vectors, exact).items() if k[0] != "_"}
            set_search_parameter(dense, default)
            results["sweep"][kind] = sweep
        results["kinds"][kind] = {k: v for k, v in row.items() if k[0] != "_"}
        store.close()
        del index, dense

    small.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print_report(results)
    return 0


def print_report(r: dict) -> None:
    print(
        f"\nDense index kinds at {r['chunks']:,} chunks ({r['documents']:,} documents), {r['queries']} HotpotQA "
        f"questions, k={K}, FAISS threads {r['faiss_threads']}; query embedding (not in the figures below) "
        f"p50 {r['query_embedding_ms']['p50']:.1f} ms, p95 {r['query_embedding_ms']['p95']:.1f} ms"
    )
    flat = r["kinds"]["flat"]
    print(
        f"{'kind':<12}{'build s':>9}{'faiss p50':>11}{'dense p50':>11}{'dense p95':>11}{'hybrid p50':>12}"
        f"{'hybrid p95':>12}{'vs flat':>9}{'dense R@10':>12}{'hybrid R@10':>13}"
    )
    for kind, row in r["kinds"].items():
        label = f"{kind} ({row['search_parameter']})" if "search_parameter" in row else kind
        print_row(label, row, flat)
    for kind, sweep in r["sweep"].items():
        print(f"sweep of {'efSearch' if kind == 'hnsw' else 'nprobe'} for {kind}:")
        for value, row in sweep.items():
            print_row(f"  {value}", row, flat)
    print("hybrid search, step by step (flat), ms:")
    for step, value in r["hybrid_breakdown_ms"].items():
        print(f"  {step:<8} p50 {value['p50']:7.2f}   p95 {value['p95']:7.2f}")


def print_row(label: str, row: dict, flat: dict) -> None:
    build = f"{row['build_s']:9.1f}" if "build_s" in row else f"{'':9}"
    print(
        f"{label:<12}{build}{row['faiss_ms']['p50']:11.2f}{row['dense_ms']['p50']:11.2f}{row['dense_ms']['p95']:11.2f}"
        f"{row['hybrid_ms']['p50']:12.2f}{row['hybrid_ms']['p95']:12.2f}"
        f"{row['hybrid_ms']['p50'] / flat['hybrid_ms']['p50']:8.2f}x"
        f"{row['dense_recall_at_10']:12.3f}{row['hybrid_recall_at_10']:13.3f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
