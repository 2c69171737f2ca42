"""`webqa train sft`: LoRA fine-tuning of the answer model on SFT examples, with TRL and peft, on the CPU.

The loss is on the reply only (TRL's prompt-completion form), examples longer than the context given are
left out rather than cut (a cut would drop the very reply being taught), and a held-back share gives the
eval loss before and after. The LoRA weights are merged into the base, so the result is a plain
transformers folder (`--llm hf:OUT`) and, from a GGUF base, also `OUT/model.gguf` (`--llm llamacpp:...`)."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webqa.feedback.records import SFTExample
from webqa.train.base_model import EMBEDDED, find_base, load_causal_lm, load_tokenizer
from webqa.train.card import training_record, write_card
from webqa.train.data import MIN_SFT_EXAMPLES, hold_back, read_training_file, require_enough
from webqa.train.gguf_export import export_gguf
from webqa.train.output import check_output, model_folder

GGUF_FILE = "model.gguf"


@dataclass(frozen=True)
class SFTOptions:
    base: str = EMBEDDED
    held_back: float = 0.1
    epochs: float = 1.0
    max_steps: int = -1  # > 0: stop after this many optimiser steps (a quick run)
    lora_rank: int = 8
    lora_targets: tuple[str, ...] = ("q_proj", "v_proj")
    max_length: int = 384
    learning_rate: float = 2e-4
    batch_size: int = 4  # examples per optimiser step (accumulated one at a time: no padding on the CPU)
    seed: int = 0
    gguf: bool = True
    progress: bool = True


def train_sft(data: Path, out: Path, options: SFTOptions, overwrite: bool = False) -> dict[str, Any]:
    """Train, then write the model folder whole; returns what the model card records."""
    rows = read_training_file(data, SFTExample, "sft")
    require_enough(rows, MIN_SFT_EXAMPLES, data, "SFT examples")
    check_output(out, overwrite)
    base = find_base(options.base)
    tokenizer = load_tokenizer(base)
    fitting = [row for row in rows if _length(tokenizer, row) <= options.max_length]
    require_enough(fitting, MIN_SFT_EXAMPLES, data, f"SFT examples of at most {options.max_length} tokens")
    split = hold_back(fitting, options.held_back)

    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    model = load_causal_lm(base)
    with tempfile.TemporaryDirectory(prefix="webqa-sft-") as scratch:
        config = SFTConfig(
            output_dir=scratch,
            max_length=options.max_length,
            num_train_epochs=options.epochs,
            max_steps=options.max_steps,
            per_device_train_batch_size=1,
            per_device_eval_batch_size=1,
            gradient_accumulation_steps=options.batch_size,
            learning_rate=options.learning_rate,
            lr_scheduler_type="linear",
            warmup_steps=0,
            logging_steps=1,
            eval_strategy="no",
            save_strategy="no",
            report_to="none",
            use_cpu=True,
            seed=options.seed,
            disable_tqdm=not options.progress,
            dataloader_num_workers=0,
            completion_only_loss=True,
        )
        lora = LoraConfig(
            r=options.lora_rank,
            lora_alpha=2 * options.lora_rank,
            lora_dropout=0.05,
            target_modules=list(options.lora_targets),
            task_type="CAUSAL_LM",
        )
        trainer = SFTTrainer(
            model=model,
            args=config,
            train_dataset=Dataset.from_list([_prompt_completion(row) for row in split.train]),
            eval_dataset=Dataset.from_list([_prompt_completion(row) for row in split.held_back]),
            processing_class=tokenizer,
            peft_config=lora,
        )
        eval_before = trainer.evaluate()["eval_loss"]
        started = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - started
        eval_after = trainer.evaluate()["eval_loss"]
        history = [
            {"step": entry["step"], "loss": entry["loss"]} for entry in trainer.state.log_history if "loss" in entry
        ]
        steps = trainer.state.global_step
    adapted: Any = trainer.model  # a peft model once LoRA is attached
    merged = adapted.merge_and_unload()
    examples = {"train": len(split.train), "held_back": len(split.held_back), "too_long": len(rows) - len(fitting)}
    record = training_record(
        "sft", base.name, data, options, steps, seconds, history, examples=examples,
        eval_loss_before=round(eval_before, 4), eval_loss_after=round(eval_after, 4),
    )  # fmt: skip
    usage = [f"webqa ask --mode abstractive --llm hf:{out} 'QUESTION'"]
    with model_folder(out, overwrite) as folder:
        merged.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        if options.gguf and base.gguf_path is not None:
            changed = _changed_weights(merged, options.lora_targets)
            replaced = export_gguf(base.gguf_path, changed, folder / GGUF_FILE)
            record["gguf"] = {"file": GGUF_FILE, "replaced_tensors": replaced}
            usage.append(f"webqa ask --mode abstractive --llm llamacpp:{out}/{GGUF_FILE} 'QUESTION'")
        write_card(folder, record, f"webqa answer model, fine-tuned from {base.name}", usage)
    return record


def _prompt_completion(row: SFTExample) -> dict[str, list[dict[str, str]]]:
    messages = [message.model_dump() for message in row.messages]
    return {"prompt": messages[:-1], "completion": messages[-1:]}


def _length(tokenizer: Any, row: SFTExample) -> int:
    messages = [message.model_dump() for message in row.messages]
    return len(tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"])


def _changed_weights(model: Any, targets: tuple[str, ...]) -> dict[str, Any]:
    """The merged weights of the projections LoRA trained, as numpy arrays named as transformers names them."""
    return {
        name: tensor.detach().cpu().numpy()
        for name, tensor in model.state_dict().items()
        if name.endswith(".weight") and name.split(".")[-2] in targets
    }
