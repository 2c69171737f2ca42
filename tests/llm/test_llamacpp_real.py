"""The real embedded SmolLM2-135M-Instruct through llama.cpp: a handful of end-to-end checks."""

from __future__ import annotations

import threading
import time
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict

from tests.llm.conftest import ACTION_SCHEMA
from webqa.config import Settings
from webqa.llm import LLM, load_llm
from webqa.llm.llamacpp import LlamaCppLLM

pytestmark = pytest.mark.slow

HELPFUL = ("system", "You are a helpful assistant.")
PARIS = [("user", "Context: The capital of France is Paris. Question: What is the capital of France? Answer:")]


class Action(BaseModel):
    """ACTION_SCHEMA as a validator."""

    model_config = ConfigDict(extra="forbid")
    command: Literal["search", "open", "answer"]
    argument: str


@pytest.fixture
def llm(settings: Settings) -> LLM:
    pytest.importorskip("llama_cpp")
    return load_llm(settings.model_copy(update={"llm_max_tokens": 96}))


def test_the_embedded_model_loads_once_from_the_wheel(llm: LLM, settings: Settings):
    assert isinstance(llm, LlamaCppLLM)
    assert llm.spec == "llamacpp" and llm.model.llama.n_ctx() == settings.llm_context_tokens
    # The packaged Q4_1 weights, run as their cached Q8_0 copy (webqa.llm.reencode).
    assert llm.chat_model.model_path.endswith("-q8_0-v1.gguf")  # type: ignore[attr-defined]
    assert "SmolLM2-135M-Instruct.Q4_1" in llm.chat_model.model_path  # type: ignore[attr-defined]
    assert load_llm(settings.model_copy(update={"llm_max_tokens": 96})) is llm
    other = load_llm(settings.model_copy(update={"llm_max_tokens": 32}))
    assert other is not llm and other.model is llm.model  # type: ignore[attr-defined]  # one Llama per model
    assert 1 <= llm.count_tokens("The capital of France is Paris.") <= 10
    assert llm.count_tokens("") == 0


def test_complete_and_stream_give_the_same_reply(llm: LLM):
    messages = [HELPFUL, ("user", "What is the capital of France?")]
    reply = llm.complete(messages)
    print(f"\nSmolLM2: {reply!r}")
    assert reply.strip()
    pieces = list(llm.stream(messages))
    assert len(pieces) > 1
    assert "".join(pieces) == reply  # greedy decoding with a fixed seed repeats itself


def test_langchain_users_get_the_same_model(llm: LLM):
    reply = llm.chat_model.invoke([("system", "You are a helpful assistant."), ("human", "Say hello.")])
    assert reply.content == llm.complete([HELPFUL, ("user", "Say hello.")])  # greedy: the same reply
    assert reply.usage_metadata and reply.usage_metadata["output_tokens"] > 0


def test_complete_json_always_matches_the_schema(llm: LLM):
    system = (
        "system",
        "You control a web browser. Reply with one JSON action: command is search, open or answer; "
        "argument is the search query, the link number or the answer.",
    )
    questions = [
        "Who wrote Hamlet?",
        "Open the first search result.",
        "What is 2 + 2?",
        "Where does the Nile flow into?",
        "The page says the capital of France is Paris. What is the capital of France?",
    ]
    for question in questions:
        reply = llm.complete_json([system, ("user", question)], ACTION_SCHEMA)
        Action.model_validate_json(reply)  # raises unless valid


def test_score_options_ranks_the_right_answer_first_and_repeats_itself(llm: LLM):
    options = ["Paris", "Berlin", "banana"]
    scores = llm.score_options(PARIS, options)
    assert scores is not None and len(scores) == 3
    print(f"\nscores: {dict(zip(options, scores, strict=True))}")
    assert scores[0] > scores[1] > scores[2]
    assert all(score < 0 for score in scores)
    llm.complete([HELPFUL, ("user", "Say hello.")])  # another prompt in the KV cache in between
    assert llm.score_options(PARIS, options) == scores


def test_options_scored_side_by_side_score_as_each_one_alone(llm: LLM):
    import llama_cpp

    from webqa.llm.kv_cache import SCORING_SEQUENCES

    context = "The Nile is a major north-flowing river in northeastern Africa. It flows into the Mediterranean Sea."
    messages = [HELPFUL, ("user", f"Context: {context}\nQuestion: Where does the Nile flow into? Answer:")]
    # Nine options: more than the free sequences, one longer than a side-by-side batch, one empty.
    options = [
        "the Mediterranean Sea",
        "the Red Sea",
        "",
        "Lake Victoria",
        "the Nile",
        "Africa",
        "a river",
        "northeastern Africa " * 12,
        "the Atlantic Ocean",
    ]
    together = llm.score_options(messages, options)
    alone = [(llm.score_options(messages, [option]) or [None])[0] for option in options]
    assert together == alone  # bit for bit: batched below llama.cpp's kernel switch
    assert together[2] == 0.0  # nothing to score
    assert together[0] > together[8]  # the Mediterranean, which the context names, over the Atlantic
    shared = llm.model  # type: ignore[attr-defined]
    assert llama_cpp.llama_n_seq_max(shared.llama.ctx) == SCORING_SEQUENCES
    memory = llama_cpp.llama_get_memory(shared.llama.ctx)
    assert [llama_cpp.llama_memory_seq_pos_max(memory, s) for s in range(1, SCORING_SEQUENCES)] == [-1] * 7


def test_options_beside_a_prompt_that_nearly_fills_the_context_are_still_scored(
    settings: Settings, no_loaded_llms: None
):
    pytest.importorskip("llama_cpp")
    llm = load_llm(settings.model_copy(update={"llm_context_tokens": 512}))
    options = ["the Mediterranean Sea", "the Red Sea", "Lake Victoria", "the Atlantic Ocean", "Africa"]
    longest = max(llm.count_tokens(o) for o in options)
    words = "The Nile flows north into the Mediterranean Sea and"
    for repeats in range(1, 200):  # the longest prompt that leaves room for the longest option
        text = f"{words} " * repeats + "so where does the Nile flow into? Answer:"
        prompt = llm.model.prompt_tokens([{"role": "user", "content": text}])  # type: ignore[attr-defined]
        if len(prompt) + longest > 512:
            break
        messages = [("user", text)]
    fits = llm.model.prompt_tokens([{"role": "user", "content": messages[0][1]}])  # type: ignore[attr-defined]
    assert 512 - 20 < len(fits) + longest <= 512  # room for any one option, not for all of them at once
    scores = llm.score_options(messages, options)
    assert scores is not None and scores == [(llm.score_options(messages, [o]) or [None])[0] for o in options]


def test_the_packaged_weights_are_a_setting_away(settings: Settings, no_loaded_llms: None):
    pytest.importorskip("llama_cpp")
    packaged = load_llm(settings.model_copy(update={"embedded_llm_weights": "packaged"}))
    assert packaged.chat_model.model_path.endswith("SmolLM2-135M-Instruct.Q4_1.gguf")  # type: ignore[attr-defined]
    q8 = load_llm(settings)
    scores = [llm.score_options(PARIS, ["Paris", "Berlin"]) for llm in (packaged, q8)]
    assert scores[0] is not None and scores[1] is not None
    assert scores[0] != scores[1]  # two models...
    assert all(abs(a - b) < 0.5 for a, b in zip(scores[0], scores[1], strict=True))  # ...that nearly agree


def test_replies_do_not_depend_on_what_ran_before(llm: LLM):
    """llama.cpp decodes a one-token batch with other kernels; the KV cache reuse must not show."""
    colour = [HELPFUL, ("user", "Name a colour.")]
    hello = [HELPFUL, ("user", "Say hello.")]
    first = llm.complete(colour)
    assert llm.complete(colour) == first  # the whole prompt is cached now
    llm.complete(hello)
    assert llm.complete(colour) == first  # only the system turn is cached
    conversation = [*colour, ("assistant", first), ("user", "Name another one.")]
    after_colour = llm.complete(conversation)  # the cache held this conversation's first turn
    llm.complete(hello)
    assert llm.complete(conversation) == after_colour


def test_threads_take_turns_with_the_shared_model(llm: LLM):
    messages = [HELPFUL, ("user", "Name a colour.")]
    expected = llm.complete(messages)
    replies: list[str] = []

    def ask() -> None:
        replies.append(llm.complete(messages))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert replies == [expected, expected]


def test_scoring_leaves_generation_untouched(llm: LLM):
    messages = [HELPFUL, *PARIS]
    before = llm.complete(messages)
    llm.score_options(messages, ["Paris", "Lyon"])
    assert llm.complete(messages) == before


def test_score_options_speed_for_ten_options(
    llm: LLM, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    context = (
        "The Nile is a major north-flowing river in northeastern Africa. It flows into the Mediterranean Sea. "
        "The Nile is among the longest rivers in the world. Its drainage basin covers eleven countries. "
    ) * 6
    messages = [HELPFUL, ("user", f"Context: {context}\nQuestion: Where does the Nile flow into? Answer:")]
    options = [
        "the Mediterranean Sea",
        "the Red Sea",
        "the Atlantic Ocean",
        "Lake Victoria",
        "the Indian Ocean",
        "the Black Sea",
        "eleven countries",
        "northeastern Africa",
        "the Persian Gulf",
        "the Caspian Sea",
    ]
    prompt_tokens = sum(llm.count_tokens(text) for _, text in messages) + 30  # + the chat template
    llm.complete([HELPFUL, ("user", "Hi")])  # a different prompt in the cache: the first call is cold
    llama = llm.model.llama  # type: ignore[attr-defined]
    decoded: list[int] = []  # prompt tokens llama.cpp is asked to decode, per call
    real_eval = llama.eval
    monkeypatch.setattr(llama, "eval", lambda tokens: (decoded.append(len(tokens)), real_eval(tokens))[1])
    started = time.perf_counter()
    scores = llm.score_options(messages, options)
    cold = time.perf_counter() - started
    cold_tokens = sum(decoded)
    decoded.clear()
    started = time.perf_counter()
    assert llm.score_options(messages, options) == scores
    warm = time.perf_counter() - started
    assert scores is not None
    with capsys.disabled():
        print(f"\nscore_options, 10 options, ~{prompt_tokens}-token prompt: {cold:.2f} s cold, {warm:.2f} s cached")
    # The second call finds the prompt in the cache: it decodes none of it again (timings would say the
    # same on a quiet machine, but not on a loaded one).
    assert cold_tokens > prompt_tokens // 2 and sum(decoded) == 0
    assert max(range(10), key=lambda i: scores[i]) == 0
