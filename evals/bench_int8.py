"""The int8 encoder against PyTorch on HotpotQA: encoder throughput on a sample of chunks (interleaved
rounds, so a busy machine weighs on each alike), an int8 build's throughput against raw PyTorch encoding,
and recall@10 of the int8-built index against the PyTorch-built one (the fp32 ONNX export gives
PyTorch's vectors, so this is also int8 against fp32).

Run after evals.bench_speed (whose PyTorch-built eval-hotpotqa index it reads): python -m evals.bench_int8"""

import random
import shutil
import time
from pathlib import Path

from evals.bench_index import recall_at_k
from webqa.config import Settings
from webqa.evaluation.datasets import find_data_dir, hotpotqa
from webqa.evaluation.runner import build_dataset_index
from webqa.index import open_index
from webqa.index.chunking import embedding_text
from webqa.index.embedders import EmbedderOptions, load_embedder

W = Path("evals/out/bench_speed")
ds = hotpotqa.load(find_data_dir())
qs = ds.items[:500]
ref = open_index("eval-hotpotqa", Settings(index_dir=W / "indexes-torch", embedding_backend="torch"))
texts = [embedding_text(c) for c in ref.store.chunks(list(range(ref.manifest.chunk_count)))]
sample = random.Random(0).sample(texts, 400)
torch_e = load_embedder("minilm", EmbedderOptions(backend="torch"))
int8_e = load_embedder("minilm", EmbedderOptions(backend="onnx-int8"))
fp32_e = load_embedder("minilm", EmbedderOptions(backend="onnx"))
for e in (torch_e, int8_e, fp32_e):
    e.embed(sample[:8])
t = {}
for _round in range(2):  # interleaved, so the machine's load falls on each alike
    for name, e in (("torch", torch_e), ("onnx-int8", int8_e), ("onnx", fp32_e)):
        s = time.perf_counter()
        e.embed(sample)
        t.setdefault(name, []).append(time.perf_counter() - s)
best = {k: min(v) for k, v in t.items()}
print("encode 400 chunks, best of 2 (s):", {k: round(v, 1) for k, v in best.items()})
int8_ratio, fp32_ratio = best["torch"] / best["onnx-int8"], best["torch"] / best["onnx"]
print(f"int8 / torch encoder throughput: {int8_ratio:.2f}x; fp32 onnx / torch: {fp32_ratio:.2f}x", flush=True)
# A fresh folder: bench_speed's int8 indexes are up to date, and a build that embeds nothing measures nothing.
fresh = W / "indexes-int8-build"
shutil.rmtree(fresh, ignore_errors=True)
s8 = Settings(index_dir=fresh)
s = time.perf_counter()
build_dataset_index(ds, "eval-hotpotqa", s8, progress=False)
b = time.perf_counter() - s
ix8 = open_index("eval-hotpotqa", s8)
built_rate, raw_rate = ix8.manifest.chunk_count / b, 400 / best["torch"]
print(
    f"int8 build of {ix8.manifest.chunk_count} chunks: {b:.0f} s, {built_rate:.1f} chunks/s "
    f"(raw torch on the sample: {raw_rate:.1f} chunks/s) -> {built_rate / raw_rate:.2f}x",
    flush=True,
)
for mode in ("dense", "hybrid"):
    a, c = recall_at_k(ref, qs, mode), recall_at_k(ix8, qs, mode)
    print(f"recall@10 {mode}: torch-built {a:.3f}, int8-built {c:.3f} ({100 * (c - a):+.1f} points)", flush=True)
