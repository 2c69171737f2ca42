"""Reward models that `--best-of N` ranks sampled answers with, loaded from a `webqa train reward` folder.

Two kinds, told apart by the folder's training.json:
- `cross-encoder`: MiniLM reading (question, answer) and giving one logit;
- `lm`: the small LM with a one-logit head, reading the whole answer prompt (quotes and question) and the
  answer through its chat template.
Either way a higher score means a better answer; `probability` maps it to (0, 1) for combining with the
support check."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from webqa.errors import WebqaError
from webqa.prompts import load_prompt
from webqa.text import CITATION

KINDS = ("cross-encoder", "lm")
TRAINING_FILE = "training.json"


class RewardModel(Protocol):
    def score(self, prompt: Sequence[tuple[str, str]], answers: Sequence[str]) -> list[float]:
        """One score per answer to the same answer prompt ((role, text) messages); higher is better."""
        ...


def probability(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, score))))


def question_from_prompt(prompt: Sequence[tuple[str, str]]) -> str:
    """The question an answer prompt asks (see prompts/answer_user.txt): what follows the quotes."""
    template = load_prompt("answer_user")
    before, _, after = template.partition("{question}")
    opening = before.rpartition("{context}")[2]  # "\n\nQuestion: "
    closing = after.strip()  # "Answer with citations:"
    user = next((text for role, text in reversed(prompt) if role == "user"), "")
    _, found, rest = user.rpartition(opening.strip())
    if not found:
        return user.strip()[-500:]  # not our prompt: its end is where a question usually is
    return rest.split(closing)[0].strip() if closing else rest.strip()


def plain_answer(text: str) -> str:
    """An answer as the cross-encoder reads it: without its [n] markers."""
    return " ".join(CITATION.sub("", text).split())


class CrossEncoderReward:
    def __init__(self, model: Any) -> None:
        self.model = model

    def score(self, prompt: Sequence[tuple[str, str]], answers: Sequence[str]) -> list[float]:
        import torch

        question = question_from_prompt(prompt)
        pairs = [(question, plain_answer(answer)) for answer in answers]
        scores = self.model.predict(pairs, activation_fn=torch.nn.Identity(), show_progress_bar=False)
        return [float(s) for s in scores]


class LMReward:
    def __init__(self, model: Any, tokenizer: Any, max_length: int) -> None:
        self.model, self.tokenizer, self.max_length = model, tokenizer, max_length

    def score(self, prompt: Sequence[tuple[str, str]], answers: Sequence[str]) -> list[float]:
        import torch

        scores = []
        for answer in answers:
            messages = [{"role": role, "content": text} for role, text in [*prompt, ("assistant", answer)]]
            ids = self.tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"]
            # Keep the end: the answer is what is being judged.
            ids = ids[-self.max_length :]
            with torch.no_grad():
                logits = self.model(input_ids=torch.tensor([ids])).logits
            scores.append(float(logits[0, 0]))
        return scores


def load_reward_model(folder: Path) -> RewardModel:
    """The reward model in `folder`, or a clear error when it holds none."""
    folder = Path(folder).expanduser()
    record_path = folder / TRAINING_FILE
    if not record_path.is_file():
        raise WebqaError(
            f"No reward model at {folder} (no {TRAINING_FILE}). Train one with: "
            f"webqa train reward PREFS.jsonl --out {folder}"
        )
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise WebqaError(f"{record_path} is not valid JSON ({exc}).") from None
    kind = record.get("reward_kind") if record.get("kind") == "reward" else None
    if kind not in KINDS:
        raise WebqaError(f"{folder} holds a {record.get('kind', 'unknown')} model, not a reward model.")
    if kind == "cross-encoder":
        from sentence_transformers import CrossEncoder

        return CrossEncoderReward(CrossEncoder(str(folder), device="cpu", local_files_only=True))
    import transformers

    transformers.utils.logging.disable_progress_bar()
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(folder, local_files_only=True)
    model.eval()
    return LMReward(model, tokenizer, int(record.get("options", {}).get("max_length", 384)))


_LOADED: dict[Path, RewardModel] = {}
_LOADED_LOCK = threading.Lock()


def shared_reward_model(folder: Path) -> RewardModel:
    """One loaded reward model per folder per process (the browser chat's threads and a batch share it)."""
    key = Path(folder).expanduser().resolve()
    with _LOADED_LOCK:
        if key not in _LOADED:
            _LOADED[key] = load_reward_model(key)
        return _LOADED[key]
