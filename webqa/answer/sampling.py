"""Two answers sampled from the same quotes, for a person to compare.

Nothing is dropped or re-cited here, unlike an abstractive answer: what the user compares, and what a
preference pair records, is exactly what the model wrote. Each sentence is still scored against the quotes
it cites, so the comparison shows which claims are backed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from webqa.answer.draft import answer_messages
from webqa.answer.support import SupportChecker
from webqa.text import CITATION, quote_text, sentence_spans
from webqa.types import Quote

if TYPE_CHECKING:
    from webqa.llm import LLM, Message


@dataclass(frozen=True)
class JudgedSentence:
    text: str  # as written, with its [n] markers
    cited: tuple[int, ...]  # the quote numbers it cites that exist
    score: float  # support by the quotes it cites; 0 when it cites none
    supported: bool


@dataclass(frozen=True)
class Sample:
    text: str
    sentences: tuple[JudgedSentence, ...]
    seed: int


@dataclass(frozen=True)
class Comparison:
    """Samples answering the same prompt; [n] in every sample is `quotes[n - 1]`."""

    question: str
    messages: list[Message]
    quotes: tuple[Quote, ...]
    samples: tuple[Sample, ...]

    @property
    def identical(self) -> bool:
        return len({" ".join(sample.text.split()) for sample in self.samples}) < 2


def sample_answers(
    question: str,
    quotes: Sequence[Quote],
    llm: LLM,
    support: SupportChecker,
    *,
    count: int = 2,
    temperature: float = 0.8,
    seed: int = 1,
) -> Comparison:
    """`count` answers written by the model at `temperature`, one seed each, so a comparison repeats."""
    messages = answer_messages(question, list(quotes))
    samples = []
    for i in range(count):
        text = "".join(llm.stream(messages, temperature=temperature, seed=seed + i)).strip()
        samples.append(Sample(text, judge_sentences(text, quotes, support), seed + i))
    return Comparison(question, messages, tuple(quotes), tuple(samples))


def judge_sentences(text: str, quotes: Sequence[Quote], support: SupportChecker) -> tuple[JudgedSentence, ...]:
    """Every sentence of `text` with the support of the quotes it cites (out-of-range numbers cite nothing)."""
    judged = []
    for start, end in sentence_spans(text):
        sentence = text[start:end].strip()
        cited = tuple(dict.fromkeys(n for n in map(int, CITATION.findall(sentence)) if 1 <= n <= len(quotes)))
        score = support.support(sentence, [quote_text(quotes[n - 1]) for n in cited]) if cited else 0.0
        judged.append(JudgedSentence(sentence, cited, round(score, 3), score >= support.threshold))
    return tuple(judged)
