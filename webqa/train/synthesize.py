"""Training data before any user has given feedback, from a benchmark's gold answers.

Each question is browsed exactly as `webqa ask` browses it, and its answer prompt is built from the same
top quotes the abstractive mode writes from. Where a quote holds the gold answer:
- the "edit" (an SFT example) is that quote's sentence with its citation, the answer a person correcting
  the model would have written;
- the comparison prefers it over the best-ranked quote that does not hold the gold answer (a relevant
  but wrong sentence, the mistake the model makes), each cited as the model cites.
Questions whose quotes miss the gold answer, and yes/no questions, give nothing.

The questions webqa reports on are never used: the first 1,000 SQuAD dev questions (the report split of
`webqa eval squad --limit 1000`), the HotpotQA dev questions at odd positions (evals/questions/
hotpotqa-report.jsonl), and all of MuSiQue and INSCIT (reported as unseen). A gold question file of one's
own (answered from an index one names) is used whole, unless it is one of the report files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from webqa.answer.draft import answer_messages, with_citation
from webqa.config import Settings
from webqa.errors import InputError
from webqa.evaluation.gold import GoldItem
from webqa.feedback.records import ChatMessage, PreferencePair, SFTExample
from webqa.metrics import answer_recall

# Dataset name -> the positions (0-based, in the loader's order) that may be trained on.
TRAINABLE: dict[str, Callable[[int], bool]] = {
    "squad": lambda position: position >= 1000,
    "hotpotqa": lambda position: position % 2 == 0,
}
_NOT_TRAINABLE = "musique and inscit are reported as unseen sets"


@dataclass
class Synthesized:
    sft: list[SFTExample] = field(default_factory=list)
    pairs: list[PreferencePair] = field(default_factory=list)
    asked: int = 0
    gold_not_quoted: int = 0  # questions none of whose top quotes holds the gold answer
    verdicts: int = 0  # yes/no questions: no sentence holds "yes"


def check_trainable(dataset: str) -> None:
    if Path(dataset).suffix == ".jsonl":
        if Path(dataset).name.endswith("-report.jsonl"):
            raise InputError(f"{dataset} is a report split; questions you report on must stay unseen by training.")
        return
    if dataset not in TRAINABLE:
        raise InputError(
            f"webqa does not synthesize training data from {dataset!r}: {_NOT_TRAINABLE}, and questions you "
            f"report on must stay unseen. Use one of: {', '.join(TRAINABLE)}."
        )


def trainable_items(dataset: str, items: list[GoldItem], start: int, limit: int | None) -> list[GoldItem]:
    """The items of a named benchmark that are no report question, from the `start`-th of them."""
    check_trainable(dataset)
    keep = TRAINABLE.get(dataset, lambda position: True)  # a question file of one's own: all of it
    allowed = [item for position, item in enumerate(items) if keep(position)]
    chosen = allowed[start : None if limit is None else start + limit]
    if not chosen:
        raise InputError(f"{dataset} has {len(allowed)} questions to train on; --start {start} leaves none.")
    return chosen


def synthesize(items: list[GoldItem], settings: Settings, on_item: Callable[[], None] | None = None) -> Synthesized:
    """SFT examples and preference pairs for `items`, browsed with `settings` (its default_index must be
    the benchmark's closed-corpus index)."""
    from webqa.assistant import Assistant

    assistant = Assistant(settings)
    result = Synthesized()
    for item in items:
        result.asked += 1
        golds = list(item.gold[0].answers)
        if any(gold.strip().lower() in ("yes", "no") for gold in golds):
            result.verdicts += 1
        else:
            question = item.questions[0]
            quotes = [s.quote for s in assistant.ranked_evidence(question)[: settings.answer_quotes]]
            _add_examples(result, question, quotes, golds)
        if on_item is not None:
            on_item()
    return result


def _add_examples(result: Synthesized, question: str, quotes: list, golds: list[str]) -> None:
    holding = [n for n, quote in enumerate(quotes, start=1) if answer_recall(quote.text, golds)]
    if not holding:
        result.gold_not_quoted += 1
        return
    prompt = [ChatMessage(role=role, content=text) for role, text in answer_messages(question, quotes)]  # type: ignore[arg-type]
    chosen = _cited(quotes, holding[0])
    result.sft.append(SFTExample(messages=[*prompt, chosen]))
    wrong = next((n for n in range(1, len(quotes) + 1) if n not in holding), None)
    if wrong is not None and quotes[wrong - 1].text.strip() != quotes[holding[0] - 1].text.strip():
        result.pairs.append(PreferencePair(prompt=prompt, chosen=[chosen], rejected=[_cited(quotes, wrong)]))


def _cited(quotes: list, n: int) -> ChatMessage:
    return ChatMessage(role="assistant", content=with_citation(" ".join(quotes[n - 1].text.split()), f"[{n}]"))


def output_paths(folder: Path) -> Iterator[Path]:
    yield folder / "sft.jsonl"
    yield folder / "preferences.jsonl"
