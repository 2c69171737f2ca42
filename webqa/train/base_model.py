"""The model training starts from: the embedded SmolLM2 GGUF by default, or any GGUF file or transformers
folder the user names. transformers dequantises a GGUF to float32 as it loads it (`gguf_file=`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webqa.errors import WebqaError

EMBEDDED = "embedded"


@dataclass(frozen=True)
class BaseWeights:
    name: str  # as the model card names it
    folder: Path
    gguf_file: str | None  # the GGUF in `folder` to load, or None for a transformers folder

    @property
    def gguf_path(self) -> Path | None:
        return None if self.gguf_file is None else self.folder / self.gguf_file


def find_base(spec: str) -> BaseWeights:
    """`embedded`, a .gguf file or a transformers model folder; refused with a hint when it is none of them."""
    if spec == EMBEDDED:
        from webqa.llm import embedded_model_path

        path = embedded_model_path()  # raises with the install line when the package is missing
        return BaseWeights(f"SmolLM2-135M-Instruct ({path.name}, the embedded model)", path.parent, path.name)
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return BaseWeights(str(path), path.parent, path.name)
    if path.is_dir() and (path / "config.json").is_file():
        return BaseWeights(str(path), path, None)
    raise WebqaError(
        f"No base model at {spec}: give 'embedded' (the SmolLM2 GGUF webqa ships), a .gguf file, or a "
        "transformers model folder (with config.json)."
    )


def load_tokenizer(base: BaseWeights) -> Any:
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(base.folder, gguf_file=base.gguf_file, local_files_only=True)
    if not getattr(tokenizer, "chat_template", None):
        raise WebqaError(f"The tokenizer of {base.name} has no chat template; training needs an instruct model.")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_causal_lm(base: BaseWeights) -> Any:
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()
    try:
        model = transformers.AutoModelForCausalLM.from_pretrained(
            base.folder, gguf_file=base.gguf_file, dtype=torch.float32, local_files_only=True
        )
    except (OSError, ValueError) as exc:
        raise WebqaError(f"Cannot load {base.name} as a causal language model: {exc}") from None
    return _dequantised(model)


def load_sequence_scorer(base: BaseWeights) -> Any:
    """The base model with a one-logit head on its last token (a reward model), the head freshly initialised."""
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()
    try:
        model = transformers.AutoModelForSequenceClassification.from_pretrained(
            base.folder, gguf_file=base.gguf_file, num_labels=1, dtype=torch.float32, local_files_only=True
        )
    except (OSError, ValueError) as exc:
        raise WebqaError(f"Cannot load {base.name} as a sequence scorer: {exc}") from None
    return _dequantised(model)


def _dequantised(model: Any) -> Any:
    """A model loaded from a GGUF holds plain float32 weights (transformers dequantises them), yet keeps a
    GGUF quantiser mark that makes the Trainer refuse it, and saves a quantization_config that would make
    the saved folder load as GGUF again: both removed."""
    if getattr(model, "hf_quantizer", None) is not None:
        model.hf_quantizer = None
        model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    return model
