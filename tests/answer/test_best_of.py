"""Best-of-N: every sample checked like one abstractive answer; the reward model and the support check pick."""

from tests.answer.conftest import QUESTION
from tests.fakes import CountingEmbedder
from webqa.answer.best_of import best_of_answer
from webqa.answer.reward import plain_answer
from webqa.answer.support import OverlapSupport
from webqa.llm import ScriptedLLM

SUPPORTED = "She served as Chief of Protocol of the United States [1]."
ALSO_SUPPORTED = "Kiss and Tell starred Shirley Temple as Corliss Archer [2]."
INVENTED = "She was later elected President of France [1]."


class KeywordReward:
    """Scores an answer by whether it holds a word, and records what it was asked to judge."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.judged: list[list[str]] = []

    def score(self, prompt, answers):
        self.judged.append(list(answers))
        return [3.0 if self.word in plain_answer(answer) else -3.0 for answer in answers]


def _support():
    return OverlapSupport(CountingEmbedder(), threshold=0.5)


def test_the_reward_model_chooses_among_fully_supported_samples_and_the_trace_shows_all(scored):
    llm = ScriptedLLM(SUPPORTED, ALSO_SUPPORTED, SUPPORTED)
    reward = KeywordReward("Corliss")
    shown: list[str] = []
    draft = best_of_answer(
        QUESTION, scored, llm, _support(), reward, n=3, temperature=0.8, seed=7, on_text=shown.append
    )
    assert draft is not None
    assert "Corliss Archer" in draft.text and "".join(shown).strip() == draft.text
    samples = draft.notes["best_of"]
    assert [s["chosen"] for s in samples] == [True, False, False]
    assert samples[0]["seed"] == 8 and samples[0]["reward"] == 3.0  # the second sample, seed 7 + 1
    assert sorted(s["seed"] for s in samples) == [7, 8, 9]
    # each sample asked at the given temperature with its own seed
    assert [call.extra for call in llm.calls] == [{"temperature": 0.8, "seed": seed} for seed in (7, 8, 9)]
    # the reward model judged the kept sentences, numbered as the prompt numbers its quotes
    assert reward.judged == [[SUPPORTED, ALSO_SUPPORTED, SUPPORTED]]


def test_unsupported_sentences_cost_a_sample_the_win_even_when_the_reward_model_likes_it(scored):
    # Both samples keep the Chief-of-Protocol sentence; the first also invents a presidency, which is dropped
    # and halves its supported share, so the clean one wins although the reward model prefers the first.
    llm = ScriptedLLM(f"{SUPPORTED} {INVENTED}", SUPPORTED)
    reward = KeywordReward("nothing")
    draft = best_of_answer(QUESTION, scored, llm, _support(), reward, n=2, temperature=0.8, seed=0)
    assert draft is not None and "France" not in draft.text
    chosen = next(s for s in draft.notes["best_of"] if s["chosen"])
    assert chosen["seed"] == 1 and chosen["supported_share"] == 1.0
    other = next(s for s in draft.notes["best_of"] if not s["chosen"])
    assert other["supported_share"] == 0.5 and INVENTED in other["written"]


def test_without_a_reward_model_the_support_check_alone_decides(scored):
    llm = ScriptedLLM(INVENTED, SUPPORTED)
    draft = best_of_answer(QUESTION, scored, llm, _support(), None, n=2, temperature=0.8, seed=0)
    assert draft is not None and draft.text.startswith("She served as Chief of Protocol")
    assert [s["reward"] for s in draft.notes["best_of"]] == [None, None]


def test_no_sample_with_a_supported_sentence_gives_none_so_the_caller_falls_back(scored):
    llm = ScriptedLLM(INVENTED, "Bananas are blue [2].")
    reward = KeywordReward("France")
    assert best_of_answer(QUESTION, scored, llm, _support(), reward, n=2, temperature=0.8, seed=0) is None
    assert reward.judged == []  # nothing kept, nothing to judge


def test_ask_with_best_of_shows_every_sample_in_the_trace(hotpot_index, settings, capsys):
    from webqa.assistant import Assistant
    from webqa.cli.answer_commands import print_trace

    llm = ScriptedLLM(INVENTED, SUPPORTED, ALSO_SUPPORTED)
    update = {"answer_mode": "abstractive", "best_of": 3, "short_answer_scoring": "heuristic", "abstain_below": 0.0}
    chosen = settings.model_copy(update=update)
    answer = Assistant(chosen, index=hotpot_index, llm=llm).ask(QUESTION)
    samples = answer.trace.notes["best_of"]
    assert len(samples) == 3 and [s["seed"] for s in samples if s["chosen"]] == [1]  # seed 0 invented
    assert [c.extra for c in llm.calls if c.method == "stream"] == [{"temperature": 0.8, "seed": s} for s in (0, 1, 2)]
    assert not answer.abstained and "Chief of Protocol" in answer.answer
    print_trace(answer)
    err = capsys.readouterr().err
    assert "Best of 3" in err and "seed 1: score 1.500, supported 100% <- chosen" in err
    assert "seed 0: no supported sentence" in err
