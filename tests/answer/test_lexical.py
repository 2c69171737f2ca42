from tests.answer.test_reader import _ranked
from webqa.answer.features import candidates_and_features
from webqa.answer.lexical import lexical_features, question_head, span_shape
from webqa.answer.scorer import Weights, packaged_weights, rank_candidates
from webqa.answer.spans import sentence_spans, tokens
from webqa.browser.page import make_page


def test_the_head_noun_of_a_what_or_which_question_names_the_kind_of_answer():
    assert question_head("What year did the war end?") == "year"
    assert question_head("Which type of rock forms from lava?") == "rock"
    assert question_head("In which city is the Sistine Chapel?") == "city"
    assert question_head("What is the capital of Qatar?") == ""
    assert question_head("Who painted the Mona Lisa?") == ""


def test_span_shapes_collapse_runs_of_one_kind_of_word():
    assert span_shape(tokens("Leonardo da Vinci")) == "XfX"
    assert span_shape(tokens("carbon dioxide")) == "x+"
    assert span_shape(tokens("8 August 869")) == "dXd"


def test_word_features_name_the_edges_of_the_span_and_cross_them_with_the_question():
    sentence = "He died in Piacenza on 8 August 869."
    toks = tokens(sentence)
    span = next(s for s in sentence_spans(sentence, 0, toks) if s.text == "Piacenza")
    features = lexical_features("where", "", toks, span)
    assert {"p=in", "n=on", "where|p=in", "where|sh=X", "where|pp=died_in"} <= set(features)
    other = "Piacenza is a city in Italy."
    city = lexical_features("which", "city", tokens(other), span_at(other, "Piacenza"))
    assert "which|head_near" in city and "h=city|sh=X" in city


def span_at(sentence: str, text: str):
    return next(s for s in sentence_spans(sentence, 0) if s.text == text)


def test_a_word_feature_s_weight_moves_its_candidates_and_unknown_ones_count_for_nothing():
    page = make_page("Lothair II", "He died in Piacenza on 8 August 869.", doc_id="lothair")
    sentences = _ranked("Where did Lothair II die?", [page])
    candidates, _ = candidates_and_features("Where did Lothair II die?", sentences)
    assert all(c.lexical for c in candidates)
    base = packaged_weights()
    boosted = Weights(base.stage_one, base.stage_two, base.llm_top, {}, {**base.lexical, "where|n=on": 50.0})
    ranking = rank_candidates("Where did Lothair II die?", sentences, None, boosted)
    assert ranking.scored[0].candidate.text == "Piacenza"
    unknown = Weights(base.stage_one, base.stage_two, base.llm_top, {}, {"never|seen": 9.0})
    plain = Weights(base.stage_one, base.stage_two, base.llm_top, {}, {})
    first = [s.candidate.text for s in rank_candidates("Where did Lothair II die?", sentences, None, unknown).scored]
    second = [s.candidate.text for s in rank_candidates("Where did Lothair II die?", sentences, None, plain).scored]
    assert first == second
