"""Best-of-N answers (WebGPT's best model was best-of-64 against its reward model): N answers sampled from
the same quotes, each checked sentence by sentence as the abstractive mode checks one, then ranked by

    score = P(better | reward model) + share of the sentences written that their citations support

so a sample needs both to win: what the reward model prefers, and claims the quotes back. Only the
sentences the check kept are shown (and judged by the reward model), exactly as for a single answer;
samples with none kept cannot win. The trace lists every sample with its scores."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from webqa.answer.abstractive import SentenceChecker, check_text, checked_draft
from webqa.answer.draft import Draft, ScoredQuotes, answer_messages
from webqa.answer.reward import RewardModel, probability
from webqa.answer.support import SupportChecker

if TYPE_CHECKING:
    from webqa.llm import LLM


@dataclass(frozen=True)
class Sample:
    seed: int
    written: str  # what the model wrote
    checker: SentenceChecker
    reward: float | None  # the reward model's score of the kept sentences; None: none kept, or no reward model

    @property
    def supported_share(self) -> float:
        return len(self.checker.kept) / len(self.checker.sentences) if self.checker.sentences else 0.0

    @property
    def score(self) -> float:
        return combined_score(self.reward, self.supported_share, bool(self.checker.kept))


def combined_score(reward: float | None, supported_share: float, kept_any: bool) -> float:
    """How best-of ranks a sample: P(better) by the reward model (0.5 without one) plus the share of its
    sentences the support check kept; a sample with none kept never wins."""
    if not kept_any:
        return float("-inf")
    return (0.5 if reward is None else probability(reward)) + supported_share


def sample_checked(
    question: str, scored: ScoredQuotes, llm: LLM, support: SupportChecker, n: int, temperature: float, seed: int
) -> list[tuple[int, str, SentenceChecker]]:
    """N answers at `temperature`, seeds seed..seed+n-1 (so a run repeats), each checked."""
    messages = answer_messages(question, [quote for quote, _ in scored])
    samples = []
    for i in range(n):
        written = "".join(llm.stream(messages, temperature=temperature, seed=seed + i)).strip()
        samples.append((seed + i, written, check_text(written, scored, support)))
    return samples


def rank_samples(
    question: str, scored: ScoredQuotes, checked: list[tuple[int, str, SentenceChecker]], reward: RewardModel | None
) -> list[Sample]:
    """The samples with their reward, best first (ties keep seed order)."""
    messages = answer_messages(question, [quote for quote, _ in scored])
    judged = [i for i, (_, _, checker) in enumerate(checked) if checker.kept]
    rewards: dict[int, float] = {}
    if reward is not None and judged:
        values = reward.score(messages, [" ".join(checked[i][2].kept_as_cited) for i in judged])
        rewards = dict(zip(judged, values, strict=True))
    samples = [Sample(seed, written, checker, rewards.get(i)) for i, (seed, written, checker) in enumerate(checked)]
    return sorted(samples, key=lambda s: -s.score)


def best_of_answer(
    question: str,
    scored: ScoredQuotes,
    llm: LLM,
    support: SupportChecker,
    reward: RewardModel | None,
    *,
    n: int,
    temperature: float,
    seed: int,
    on_text: Callable[[str], None] | None = None,
    short_answer_scorer: LLM | None = None,
) -> Draft | None:
    """The best of `n` checked samples, or None when no sample kept a sentence (the caller falls back)."""
    samples = sample_checked(question, scored, llm, support, n, temperature, seed)
    ranked = rank_samples(question, scored, samples, reward)
    draft = checked_draft(question, scored, ranked[0].checker, short_answer_scorer)
    if draft is None:
        return None
    if on_text is not None:  # samples are judged whole, so the winner streams as one piece
        on_text(draft.text + " ")
    return replace(draft, notes={**draft.notes, "best_of": [_trace(s, s is ranked[0]) for s in ranked]})


def _trace(sample: Sample, chosen: bool) -> dict[str, Any]:
    return {
        "seed": sample.seed,
        "written": sample.written,
        "kept": " ".join(sample.checker.kept),
        "supported_share": round(sample.supported_share, 3),
        "reward": None if sample.reward is None else round(sample.reward, 4),
        "score": None if sample.score == float("-inf") else round(sample.score, 4),
        "chosen": chosen,
    }
