import time
from dataclasses import replace
from unittest.mock import patch

import numpy as np

from webqa.answer import evidence
from webqa.answer.evidence import Sentence
from webqa.answer.features import FEATURES, candidates_and_features
from webqa.answer.parts import combine_parts
from webqa.answer.reader import _clause_with, read_answer
from webqa.answer.relevance import Relevance
from webqa.answer.scorer import STAGE_TWO, Weights, packaged_weights, rank_candidates, stage_one_sureness
from webqa.browser.page import make_page
from webqa.index.embedders import HashingEmbedder
from webqa.llm import ScriptedLLM
from webqa.types import Quote

LOTHAIR = (
    "Lothair II was the king of Lotharingia from 855 until his death. "
    "He was the second son of Emperor Lothair I and Ermengarde of Tours. "
    "He died in Piacenza on 8 August 869."
)


def _ranked(question: str, pages) -> list[Sentence]:
    return evidence.rank(question, evidence.collect(pages), Relevance(HashingEmbedder(256)))


def test_the_answer_is_the_cited_sentence_that_holds_the_short_answer():
    page = make_page("Lothair II", LOTHAIR, doc_id="lothair")
    draft = read_answer("Where did Lothair II die?", _ranked("Where did Lothair II die?", [page]), None, 0.0)
    assert not draft.abstained and draft.short_answer
    first = draft.citations[0].quote
    assert draft.short_answer in first.text and LOTHAIR[first.start : first.end] == first.text
    assert draft.text.startswith(first.text.rstrip(".")) and "[1]" in draft.text
    assert 0.0 <= draft.confidence <= 1.0


def test_who_was_x_is_answered_from_the_first_sentence_of_x_s_page():
    page = make_page("Lothair II", LOTHAIR, doc_id="lothair")
    draft = read_answer("Who was Lothair II?", _ranked("Who was Lothair II?", [page]), None, 0.0)
    assert draft.citations[0].quote.start == 0 and "king of Lotharingia" in draft.text


def test_weak_evidence_is_an_abstention_that_shows_what_was_found():
    page = make_page("Lothair II", LOTHAIR, doc_id="lothair")
    ranked = _ranked("Where did Lothair II die?", [page])
    draft = read_answer("Where did Lothair II die?", ranked, None, abstain_below=0.99)
    assert draft.abstained and draft.short_answer == "" and draft.confidence == 0.0
    assert draft.citations and draft.citations[0].quote in [s.quote for s in ranked]
    assert "best evidence relevance" in draft.notes["abstained_because"]


def test_no_evidence_is_an_abstention_that_says_so():
    draft = read_answer("Where did Lothair II die?", [], None, abstain_below=0.35)
    assert draft.abstained and draft.citations == () and "found no relevant evidence" in draft.text


def test_a_when_question_without_a_date_in_the_evidence_is_not_answered_with_something_else():
    page = make_page("Leonardo da Vinci", "Leonardo da Vinci was an Italian polymath of the High Renaissance.")
    draft = read_answer(
        "When did Leonardo da Vinci die?", _ranked("When did Leonardo da Vinci die?", [page]), None, 0.0
    )
    assert draft.abstained and "holds no date" in draft.notes["abstained_because"]


def test_a_yes_no_verdict_stands_in_the_sentence_that_grounds_it():
    page = make_page("Lothair II", LOTHAIR, doc_id="lothair")
    question = "Was Lothair II the king of Lotharingia?"
    llm = ScriptedLLM().enqueue_scores([-0.1, -3.0])
    draft = read_answer(question, _ranked(question, [page]), llm, 0.0)
    assert draft.short_answer == "yes" and draft.text.startswith("Yes: ") and draft.text.endswith("[1].")


def test_a_long_sentence_is_cut_to_the_clauses_around_the_answer_and_stays_an_exact_span():
    text = (
        "The river, which rises in the highlands of the south and flows for many hundreds of kilometres "
        "through forests, plains, marshes and several large lakes before it reaches the coast, "
        "empties into the Mediterranean Sea near the city of Alexandria, where its delta spreads wide, "
        "and its waters have fed farmers for thousands of years."
    )
    page = make_page("River", text, doc_id="river")
    question = "Into which sea does the river empty?"
    draft = read_answer(question, _ranked(question, [page]), None, 0.0)
    quote = draft.citations[0].quote
    assert text[quote.start : quote.end] == quote.text and len(quote.text) < len(text)
    assert len(draft.text.split()) <= 50


def test_the_model_s_log_probability_reorders_the_best_candidates():
    quote = Quote("Paris and Lyon are large cities of France.", "France", None, "f", 0, 42)
    sentences = [Sentence(quote, 0.9, 0, 0.5)]
    weights = Weights(np.zeros(len(FEATURES)), np.array([0.0, 5.0]), 6, {})
    plain = rank_candidates("Which city?", sentences, None, weights)
    options = [s.candidate.text for s in plain.scored[:6]]
    favourite = options[-1]
    llm = ScriptedLLM().enqueue_scores([-0.1 if o == favourite else -5.0 for o in options])
    reranked = rank_candidates("Which city?", sentences, llm, weights)
    assert reranked.by == "features+llm" and reranked.scored[0].candidate.text == favourite


def test_where_stage_one_is_sure_the_model_is_not_asked_and_the_probabilities_keep_their_scale():
    quote = Quote("Paris and Lyon are large cities of France.", "France", None, "f", 0, 42)
    sentences = [Sentence(quote, 0.9, 0, 0.5)]
    stage_one = np.zeros(len(FEATURES))
    stage_one[FEATURES.index("all_capitalised")] = 3.0
    sure = Weights(stage_one, np.array([1.0, 5.0]), 6, {}, skip_model_above=0.0)  # any sureness is enough
    llm = ScriptedLLM()  # no scores queued: a call would rank by features alone, and is recorded
    ranking = rank_candidates("Which city?", sentences, llm, sure)
    assert ranking.by == "features, sure" and not llm.calls and ranking.model_s == 0.0
    top = [s for s in ranking.scored if s.probability > 0]
    assert len(top) == 6 and abs(sum(s.probability for s in top) - 1.0) < 1e-9
    # The best's probability is stage one's sureness among the six (stage two weighs stage one by 1 here).
    assert abs(top[0].probability - stage_one_sureness(np.array([s.score for s in top]), sure.stage_two)) < 1e-9
    assert all(s.llm_mean is None for s in ranking.scored)
    unsure = Weights(stage_one, np.array([1.0, 5.0]), 6, {})  # the default: always ask
    llm = ScriptedLLM().enqueue_scores([-1.0] * 6)
    assert rank_candidates("Which city?", sentences, llm, unsure).by == "features+llm" and len(llm.calls) == 1


class _SlowScorer(ScriptedLLM):
    def score_options(self, messages, options):
        time.sleep(0.02)
        return [-1.0] * len(options)


def test_the_model_s_time_is_carried_by_the_answer_and_summed_over_two_parts(monkeypatch):
    from webqa.answer import scorer

    always_ask = replace(scorer.packaged_weights(), skip_model_above=1.0)  # however sure stage one is
    monkeypatch.setattr(scorer, "packaged_weights", lambda: always_ask)
    page = make_page("Lothair II", LOTHAIR, doc_id="lothair")
    question = "Where did Lothair II die?"
    draft = read_answer(question, _ranked(question, [page]), _SlowScorer(), 0.0)
    assert draft.model_s >= 0.02 and "model_s" not in draft.notes  # a time in the notes would vary the trace
    assert read_answer(question, _ranked(question, [page]), None, 0.0).model_s == 0.0
    both = combine_parts(("a", "b"), (replace(draft, model_s=0.5), replace(draft, model_s=0.25)))
    assert both.model_s == 0.75


def test_the_packaged_weights_cover_every_feature():
    weights = packaged_weights()
    assert weights.stage_one.shape == (len(FEATURES),) and np.isfinite(weights.stage_one).all()
    assert weights.stage_two.shape == (len(STAGE_TWO),) and np.isfinite(weights.stage_two).all()


def test_a_long_first_hop_sentence_is_cut_to_the_clause_that_names_the_answer_s_page():
    first_hop = (
        "Kiss and Tell is a 1945 American comedy film, produced by Sol Siegel for Columbia Pictures, "
        "written by Hugh Herbert from his own play of the same name, directed by Richard Wallace with "
        "music by Werner Heymann, and starring as Corliss Archer the young Shirley Temple."
    )
    film = make_page("Kiss and Tell (1945 film)", first_hop, doc_id="film")
    actress = make_page(
        "Shirley Temple", "Shirley Temple served as Chief of Protocol of the United States.", doc_id="st"
    )
    answer_quote = evidence.collect([actress])[0]
    via = evidence.collect([film])[0]
    ranked = [Sentence(answer_quote, 0.9, 0, 1.0, via)]
    draft = read_answer("What office did the star of Kiss and Tell hold?", ranked, None, 0.0)
    second = draft.citations[1].quote
    assert "Shirley Temple" in second.text and len(second.text.split()) < len(first_hop.split())
    assert first_hop[second.start : second.end] == second.text


SAHARA = (
    "The Sahara is a desert spanning North Africa. "
    "With an area of 9,200,000 square kilometres, it is the largest hot desert in the world."
)


def test_a_pronoun_that_stands_for_the_page_makes_the_page_s_title_a_candidate():
    question = "What is the largest hot desert in the world?"
    page = make_page("Sahara", SAHARA, doc_id="sahara")
    candidates, rows = candidates_and_features(question, _ranked(question, [page]))
    stand_ins = [(c, row) for c, row in zip(candidates, rows, strict=True) if c.stand_in]
    assert [c.text for c, _ in stand_ins] == ["Sahara"]
    candidate, row = stand_ins[0]
    assert candidate.span.text == "it" and "largest hot desert" in candidate.sentence.quote.text
    assert row[FEATURES.index("stands_for_title")] == 1.0 and row[FEATURES.index("all_capitalised")] == 1.0
    plain = [c for c in candidates if not c.stand_in]
    assert plain and all(c.sentence.quote.text[c.span.start : c.span.end] == c.text for c in plain)


def test_a_sentence_that_names_its_page_has_no_stand_in():
    question = "What desert spans North Africa?"
    page = make_page("Sahara", "The Sahara is a desert spanning North Africa; it is hot.", doc_id="sahara")
    candidates, _ = candidates_and_features(question, _ranked(question, [page]))
    assert candidates and not any(c.stand_in for c in candidates)


def test_an_answer_that_stands_on_a_pronoun_cites_the_sentence_that_names_it_first():
    question = "What is the largest hot desert in the world?"
    page = make_page("Sahara", SAHARA, doc_id="sahara")
    stage_one = np.zeros(len(FEATURES))
    stage_one[FEATURES.index("stands_for_title")] = 5.0
    weights = Weights(stage_one, np.array([1.0, 0.0]), 6, {})
    with patch("webqa.answer.scorer.packaged_weights", return_value=weights):
        draft = read_answer(question, _ranked(question, [page]), None, 0.0)
    assert draft.short_answer == "Sahara" and len(draft.citations) == 2
    naming, fact = (c.quote for c in draft.citations)
    assert naming.text.startswith("The Sahara is a desert") and "largest hot desert" in fact.text
    assert all(SAHARA[q.start : q.end] == q.text for q in (naming, fact))
    assert draft.text.index("[1]") < draft.text.index("[2]")


def test_a_clause_cut_never_starts_at_which_it_keeps_what_which_refers_to():
    text = (
        "The Renaissance was a period of European history that marked the transition from the Middle Ages "
        "to modernity and covered the fifteenth and sixteenth centuries, which emerged as a distinct style "
        "in Italy in about AD 1400, and it spread across Europe with the help of printing, trade and new "
        "learning in many cities."
    )
    quote = Quote(text, "Renaissance", None, "r", 0, len(text))
    at = text.index("1400")
    piece = _clause_with(quote, at, at + 4)
    assert "1400" in piece.text and not piece.text.lower().startswith("which")
    assert text[piece.start : piece.end] == piece.text and len(piece.text) < len(text)


def test_a_clause_cut_never_starts_at_a_verb_it_keeps_the_subject():
    text = (
        "General relativity, also known as the general theory of relativity, and as Einstein's theory of "
        "gravity, is the geometric theory of gravitation published by Albert Einstein in May 1916 and is the "
        "accepted description of the gravitation of macroscopic objects in modern physics."
    )
    quote = Quote(text, "General relativity", None, "g", 0, len(text))
    at = text.index("Albert Einstein")
    piece = _clause_with(quote, at, at + len("Albert Einstein"))
    assert piece.text.startswith("General relativity") and "Albert Einstein" in piece.text
    assert text[piece.start : piece.end] == piece.text
