"""The transformers backend on a tiny random model built on the spot: the plumbing end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.llm.conftest import ACTION_SCHEMA
from webqa.config import Settings
from webqa.llm import load_llm

pytestmark = pytest.mark.slow


def test_hf_backend_runs_a_local_transformers_model(tmp_path: Path, settings: Settings):
    """Plumbing only: a tiny random model built on the spot (no hub), so its words are noise."""
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("langchain_huggingface")
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    symbols = ["<unk>", "<|im_start|>", "<|im_end|>", "\n", *(chr(c) for c in range(32, 127))]
    tokenizer = Tokenizer(models.WordLevel(vocab={s: i for i, s in enumerate(symbols)}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split("", "isolated")  # one token per character
    tokenizer.decoder = decoders.Fuse()
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="<unk>", bos_token="<|im_start|>", eos_token="<|im_end|>"
    )
    fast.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    fast.save_pretrained(tmp_path)
    config = transformers.LlamaConfig(
        vocab_size=len(symbols),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=512,
        bos_token_id=1,
        eos_token_id=2,
    )
    transformers.set_seed(0)  # random weights, but the same ones every run (a first token of EOS would be empty)
    transformers.LlamaForCausalLM(config).save_pretrained(tmp_path)

    llm = load_llm(settings.model_copy(update={"llm_max_tokens": 8}), f"hf:{tmp_path}")
    messages = [("system", "Be brief."), ("user", "Hi")]
    reply = llm.complete(messages)
    assert isinstance(reply, str) and reply
    assert "".join(llm.stream(messages)) == reply  # greedy
    llm.complete_json(messages, ACTION_SCHEMA)  # runs; random weights cannot be expected to match the schema
    assert llm.count_tokens("hello") == 5  # the tokenizer's own count, not chars/4
    assert llm.score_options(messages, ["a", "b"]) is None
