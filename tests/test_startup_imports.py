"""What each command imports, in a fresh process: the query path never imports torch, and `webqa --help`
and `webqa index list` import none of the heavy libraries. (How fast that makes them is measured in
evals/bench_speed.py, not asserted here.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_corpus

REPO = Path(__file__).resolve().parents[1]
TORCH = ("torch", "transformers", "sentence_transformers")
HEAVY = (*TORCH, "numpy", "faiss", "bm25s", "onnxruntime", "httpx", "bs4", "llama_cpp", "rich")

_PROBE = """
import json, sys
from webqa.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def imported_by(args: list[str], env: dict[str, str]) -> set[str]:
    """Top-level packages imported by `webqa ARGS` in a fresh interpreter (which exits 0)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr[-2000:]
    return set(report["modules"])


@pytest.fixture
def hashing_env(tmp_path: Path) -> dict[str, str]:
    env = {
        "WEBQA_INDEX_DIR": str(tmp_path / "indexes"),
        "WEBQA_EMBEDDING_MODEL": "hashing:256",
        "WEBQA_DEFAULT_INDEX": "kb",
        "WEBQA_SHORT_ANSWER_SCORING": "heuristic",
    }
    corpus = write_corpus(tmp_path / "corpus.jsonl")
    imported_by(["index", "build", str(corpus), "--name", "kb", "-q"], env)
    return env


def test_help_and_index_list_import_no_heavy_library(hashing_env):
    assert imported_by(["--help"], hashing_env).isdisjoint(HEAVY)
    assert imported_by(["index", "list"], hashing_env).isdisjoint(HEAVY)
    assert imported_by(["index", "--help"], hashing_env).isdisjoint(HEAVY)


def test_search_and_ask_do_not_import_torch(hashing_env):
    assert imported_by(["index", "search", "kb", "Everest height"], hashing_env).isdisjoint(TORCH)
    assert imported_by(["search", "Everest height"], hashing_env).isdisjoint(TORCH)
    assert imported_by(["ask", "How high is Mount Everest?"], hashing_env).isdisjoint(TORCH)


@pytest.mark.slow
def test_the_real_model_s_query_path_does_not_import_torch(tmp_path):
    """MiniLM on the default onnx-int8 backend: the build may export (and import torch) once; the search
    and the answer after it, each a fresh process, run on onnxruntime alone."""
    env = {"WEBQA_INDEX_DIR": str(tmp_path / "indexes"), "WEBQA_DEFAULT_INDEX": "kb"}
    corpus = write_corpus(tmp_path / "corpus.jsonl")
    imported_by(["index", "build", str(corpus), "--name", "kb", "-q"], env)
    manifest = next((tmp_path / "indexes" / "kb").glob("build-*/manifest.json"))
    assert json.loads(manifest.read_text())["embedding_backend"] == "onnx-int8"
    searched = imported_by(["index", "search", "kb", "the highest mountain on Earth"], env)
    assert "onnxruntime" in searched and searched.isdisjoint(TORCH)
    asked = imported_by(["ask", "How high is Mount Everest?"], env)
    assert "llama_cpp" in asked and asked.isdisjoint(TORCH)  # the default answers score spans with the model
