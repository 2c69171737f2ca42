"""The naive-RAG baseline: LangChain retrieval and prompt, a context budget, [n] markers as citations."""

from __future__ import annotations

from webqa.config import Settings
from webqa.evaluation.naive_rag import NaiveRAG
from webqa.llm import ScriptedLLM
from webqa.types import page_sha256

QUESTION = "What government position was held by the woman who portrayed Corliss Archer?"


def test_it_stuffs_the_top_chunks_into_one_prompt_and_cites_the_numbers_it_names(hotpot_index, settings: Settings):
    llm = ScriptedLLM("Shirley Temple was Chief of Protocol [1][2]. See also [9].")
    rag = NaiveRAG(hotpot_index, llm, settings, k=3)
    answer, retrieved = rag.ask(QUESTION)
    assert len(retrieved) == 3 and len(set(retrieved)) == 3
    prompt = llm.calls[0].messages[-1][1]
    assert prompt.startswith("Context:\n[1] ") and "\n\n[3] " in prompt and prompt.endswith(f"{QUESTION}\nAnswer:")
    assert [c.n for c in answer.citations] == [1, 2]  # [9] names no passage: no citation
    assert [c.quote.doc_id for c in answer.citations] == retrieved[:2]
    for citation in answer.citations:  # exact spans of their documents, with the hash `webqa verify` compares
        document = hotpot_index.get_document(citation.quote.doc_id)
        assert document.text[citation.quote.start : citation.quote.end] == citation.quote.text
        assert citation.quote.page_sha256 == page_sha256(document.text)
    assert answer.short_answer == answer.answer and not answer.abstained
    assert set(answer.timings) == {"total_s", "search_s", "answer_s"}


def test_chunks_that_do_not_fit_the_context_budget_are_left_out(hotpot_index, settings: Settings):
    roomy = NaiveRAG(hotpot_index, ScriptedLLM("x"), settings, k=4)
    assert len(roomy.ask(QUESTION)[1]) == 4
    tight_settings = settings.model_copy(update={"llm_context_tokens": 512, "llm_max_tokens": 340})
    tight = NaiveRAG(hotpot_index, ScriptedLLM("x"), tight_settings, k=4)
    used = tight.ask(QUESTION)[1]
    assert 1 <= len(used) < 4
    assert tight.budget == 512 - 340 - 64


def test_a_follow_up_is_retrieved_with_the_earlier_turns_and_sees_the_history(hotpot_index, settings: Settings):
    llm = ScriptedLLM("She was Chief of Protocol.")
    rag = NaiveRAG(hotpot_index, llm, settings, k=2)
    history = [("user", "Who was Shirley Temple?"), ("assistant", "An American actress.")]
    _, retrieved = rag.ask("Which position did she hold?", history)
    assert "Shirley Temple" in retrieved
    roles = [role for role, _ in llm.calls[0].messages]
    assert roles == ["system", "user", "assistant", "user"]
