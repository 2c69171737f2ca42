"""A transformers model from a local folder, through langchain-huggingface (never the hub)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm.base import LLM, Message


class HuggingFaceLLM(LLM):
    """A local transformers causal LM; counts tokens with its own tokenizer."""

    def __init__(self, spec: str, chat_model: BaseChatModel, tokenizer: Any) -> None:
        super().__init__(spec, chat_model)
        self.tokenizer = tokenizer

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def stream(self, messages: list[Message], **options: Any) -> Iterator[str]:
        """A per-call temperature and seed (best-of-N, comparisons): the pipeline reads generation options
        only from `pipeline_kwargs`, and samples from torch's global generator, seeded here."""
        temperature, seed = options.pop("temperature", None), options.pop("seed", None)
        if temperature is not None:
            import torch

            if seed is not None:
                torch.manual_seed(seed)
            options["pipeline_kwargs"] = (
                {"do_sample": True, "temperature": temperature, "top_p": None, "top_k": None}
                if temperature > 0
                else {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
            )
        yield from super().stream(messages, **options)


NEEDS_ARGUMENT = "a model folder"  # what an LLM spec must give after the colon


def check(settings: Settings, spec: str, folder: str) -> Path:
    """The model folder `hf:MODEL_DIR` names, checked without loading it."""
    path = Path(folder).expanduser()
    if not (path / "config.json").is_file():
        raise WebqaError(
            f"No transformers model folder at {path} (no config.json). Download one first, e.g. "
            "`hf download HuggingFaceTB/SmolLM2-135M-Instruct --local-dir DIR`, then set WEBQA_LLM=hf:DIR."
        )
    return path


def load(settings: Settings, spec: str, folder: str) -> LLM:
    """`hf:MODEL_DIR`: a folder with config.json, weights and a tokenizer with a chat template."""
    path = check(settings, spec, folder)
    try:
        import transformers
        from langchain_huggingface import ChatHuggingFace, HuggingFacePipeline
    except ImportError:
        raise WebqaError(
            "hf:MODEL_DIR needs transformers and langchain-huggingface: pip install 'webqa[bench]'"
        ) from None

    # Its "Loading weights" bar would interleave with webqa's own progress on stderr.
    transformers.utils.logging.disable_progress_bar()
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = transformers.AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise WebqaError(f"Cannot load a causal language model from {path}: {exc}") from None
    if not getattr(tokenizer, "chat_template", None):
        raise WebqaError(f"The tokenizer in {path} has no chat template; webqa needs an instruct (chat) model.")
    # Greedy decoding also unsets the model's default sampling knobs, or transformers warns they are ignored.
    sampling: dict[str, Any] = (
        {"do_sample": True, "temperature": settings.llm_temperature}
        if settings.llm_temperature > 0
        else {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
    )
    generator = transformers.pipeline(
        "text-generation",
        model=model,
        tokenizer=tokenizer,
        max_new_tokens=settings.llm_max_tokens,
        return_full_text=False,
        **sampling,
    )
    with warnings.catch_warnings():
        # ChatHuggingFace imports langchain-community just to rule out its HuggingFaceHub class.
        warnings.filterwarnings("ignore", message=".*langchain-community. is being sunset", category=DeprecationWarning)
        chat_model = ChatHuggingFace(
            llm=HuggingFacePipeline(pipeline=generator, model_id=str(path)), tokenizer=tokenizer, model_id=str(path)
        )
    return HuggingFaceLLM(spec, chat_model, tokenizer)
