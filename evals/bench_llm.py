"""The embedded model's pass, each way against the other in the same run: Q4_1 as packaged against its
Q8_0 copy (prompt decode, a 64-token reply), and answer options scored one at a time against side by side.

Run: make bench   (or: python -m evals.bench_llm [--repeats 6])

The prompt is the answer scorer's own shape (webqa.answer.scorer: its instruction, two numbered context
sentences, the question) with six candidates, so the figures are those of one question's model pass.
Medians of --repeats, each prompt decoded from an empty cache.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from webqa.answer.scorer import PROMPT
from webqa.config import Settings
from webqa.llm import kv_cache, load_llm
from webqa.llm.base import to_chat_dicts

CONTEXT = (
    "[1] The Mona Lisa is a half-length portrait painting by Italian artist Leonardo da Vinci. Considered an "
    "archetypal masterpiece of the Italian Renaissance, it has been described as the best known work of art.\n"
    "[2] Leonardo da Vinci was an Italian polymath of the High Renaissance who was active as a painter, "
    "draughtsman, engineer, scientist and architect."
)
MESSAGES = [("system", PROMPT), ("user", f"Context:\n{CONTEXT}\n\nQuestion: Who painted the Mona Lisa?")]
OPTIONS = [
    "Leonardo da Vinci",
    "Italian artist",
    "The Mona Lisa",
    "half-length portrait",
    "High Renaissance",
    "Italian polymath",
]


def measure(weights: str, repeats: int) -> dict[str, float]:
    """Through kv_cache's own entry point: with no options it only decodes the prompt; one option per call
    finds the prompt cached and scores that option alone, as a context with one sequence would."""
    llm = load_llm(Settings(embedded_llm_weights=weights, llm_max_tokens=64))
    shared = llm.model  # type: ignore[attr-defined]
    prompt = shared.prompt_tokens(to_chat_dicts(MESSAGES))
    options = [shared.tokenize(o) for o in OPTIONS]
    times: dict[str, list[float]] = {"prompt": [], "one_at_a_time": [], "side_by_side": [], "reply": []}

    def timed(key: str, work: Callable[[], list[float]]) -> list[float]:
        started = time.perf_counter()
        result = work()
        times[key].append(time.perf_counter() - started)
        return result

    for _ in range(repeats):
        with shared.lock:
            kv_cache.truncate(shared.llama, 0)
            timed("prompt", lambda: kv_cache.score_continuations(shared.llama, prompt, []))
            alone = timed(
                "one_at_a_time",
                lambda: [kv_cache.score_continuations(shared.llama, prompt, [o])[0] for o in options],
            )
            together = timed("side_by_side", lambda: kv_cache.score_continuations(shared.llama, prompt, options))
        assert together == alone, "side-by-side scores differ from one at a time"
        started = time.perf_counter()
        llm.complete([("user", "Write a short story about a cat.")])
        times["reply"].append(time.perf_counter() - started)
    return {"prompt_tokens": len(prompt), **{k: statistics.median(v) for k, v in times.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=6)
    args = parser.parse_args()
    q4, q8 = measure("packaged", args.repeats), measure("q8_0", args.repeats)
    print(
        f"\nThe embedded model's pass, median of {args.repeats} ({q8['prompt_tokens']}-token scorer prompt, 6 options)"
    )
    print(f"  {'measure':<40} {'Q4_1':>8} {'Q8_0':>8} {'ratio':>7}")
    for label, key in (("prompt decode, s", "prompt"), ("64-token reply, s", "reply")):
        print(f"  {label:<40} {q4[key]:8.3f} {q8[key]:8.3f} {q4[key] / q8[key]:6.2f}x")
    print(f"  {'':<40} {'one by one':>10} {'together':>9}")
    for name, figures in (("Q4_1", q4), ("Q8_0", q8)):
        a, b = figures["one_at_a_time"], figures["side_by_side"]
        print(f"  {'six options scored, ' + name + ', s':<40} {a:10.3f} {b:9.3f} {a / b:6.2f}x")
    before = q4["prompt"] + q4["one_at_a_time"]
    after = q8["prompt"] + q8["side_by_side"]
    print(
        f"  one question's model pass: Q4_1 one by one {before:.3f} s, Q8_0 side by side {after:.3f} s, "
        f"{before / after:.2f}x"
    )


if __name__ == "__main__":
    main()
