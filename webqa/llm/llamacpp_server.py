"""llama-cpp-python's own OpenAI-compatible server, started with webqa's fix for CPUs with AMX.

    python -m webqa.llm.llamacpp_server --model PATH.gguf --host 127.0.0.1 --port 8000 [any of its options]

On a CPU with AMX, `python -m llama_cpp.server` (0.3.36) loads quantised weights into AMX buffers and dies
on the first request (an invalid opcode in libggml-cpu). This runs the very same server, with the same
arguments, after switching those buffers off the way webqa's own llama.cpp backend does. On other CPUs it
changes nothing. Needs llama-cpp-python's `server` extra: pip install 'webqa[llm-server]'.
"""

from __future__ import annotations

import sys

from webqa.llm.llamacpp import without_amx_buffers


def main() -> None:
    try:
        import llama_cpp
        from llama_cpp.server.__main__ import main as serve
    except ImportError:
        sys.exit("The llama.cpp server needs llama-cpp-python's server extra: pip install 'webqa[llm-server]'")
    # The model loads when the server starts and the patched defaults only matter then, but the server
    # may reload it (a settings change), so they stay patched for the life of the process.
    with without_amx_buffers(llama_cpp):
        serve()


if __name__ == "__main__":
    main()
