"""`webqa serve` through the official OpenAI Python client and LangChain's ChatOpenAI."""

from __future__ import annotations

import openai
import pytest

from tests.conftest import HOTPOT_STYLE, SAMPLE_DOCUMENTS

DOCUMENTS = {d.id: d for d in SAMPLE_DOCUMENTS + HOTPOT_STYLE}
QUESTION = "When did Lothair II die?"


def client(server, **options) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key=server.parts.api_key or "none", max_retries=0, **options)


def ask(server, *messages: tuple[str, str], model: str = "webqa"):
    chat = [{"role": role, "content": text} for role, text in messages]
    return client(server).chat.completions.create(model=model, messages=chat)


def test_a_cited_answer_with_its_evidence(server):
    completion = ask(server, ("user", QUESTION))
    content = completion.choices[0].message.content
    assert "869" in content and "[1]" in content
    assert completion.choices[0].finish_reason == "stop" and completion.object == "chat.completion"

    extra = completion.model_extra
    evidence = extra["webqa"]
    assert extra["citations"] == ["https://example.org/lothair"]  # the source of [1], Perplexity-style
    assert evidence["short_answer"] and evidence["short_answer"] in content
    assert evidence["abstained"] is False and evidence["asked_back"] is False
    assert 0.0 <= evidence["confidence"] <= 1.0
    (cited,) = evidence["citations"]
    assert cited["n"] == 1 and cited["doc_id"] == "lothair" and cited["title"] == "Lothair II"
    assert DOCUMENTS["lothair"].text[cited["start"] : cited["end"]] == cited["quote"]
    assert evidence["actions"][0] == {"command": "search", "argument": QUESTION, "ok": True}


def test_the_same_answer_streamed(server):
    plain = ask(server, ("user", QUESTION))
    stream = client(server).chat.completions.create(
        model="webqa", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text == plain.choices[0].message.content
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"] == plain.model_extra["citations"]
    assert last.model_extra["webqa"]["citations"] == plain.model_extra["webqa"]["citations"]
    assert all(chunk.id == chunks[0].id for chunk in chunks)


def test_an_abstractive_answer_streams_sentence_by_sentence(serve):
    server = serve(answer_mode="abstractive")
    server.llm.enqueue("Lothair II died in Piacenza on 8 August 869 [1]. He was king of Lotharingia from 855 [1].")
    stream = client(server).chat.completions.create(
        model="webqa", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    pieces = [chunk.choices[0].delta.content for chunk in stream if chunk.choices[0].delta.content]
    assert len(pieces) >= 2, pieces  # written and checked one sentence at a time
    assert "869" in pieces[0] and "Lotharingia" in "".join(pieces)


def test_a_follow_up_goes_on_from_the_conversation(server):
    first = ask(server, ("user", "Who was Lothair II?"))
    answer = first.choices[0].message.content
    follow_up = ask(server, ("user", "Who was Lothair II?"), ("assistant", answer), ("user", "When did he die?"))
    evidence = follow_up.model_extra["webqa"]
    assert evidence["rewritten_question"] == "When did Lothair II die?"
    assert "869" in follow_up.choices[0].message.content
    # The server still held the conversation: same one, its second turn, nothing asked again.
    assert evidence["conversation_id"] == first.model_extra["webqa"]["conversation_id"]
    assert evidence["turn"] == 2 and evidence["replayed_turns"] == 0


def test_a_follow_up_to_a_conversation_the_server_never_saw_replays_its_questions(server):
    follow_up = ask(
        server,
        ("system", "You are a helpful assistant."),  # read past: webqa answers from quotes
        ("user", "Who was Lothair II?"),
        ("assistant", "An answer some other model wrote."),
        ("user", "When did he die?"),
    )
    evidence = follow_up.model_extra["webqa"]
    assert evidence["replayed_turns"] == 1 and evidence["turn"] == 2
    assert evidence["rewritten_question"] == "When did Lothair II die?"


def test_an_ambiguous_question_is_asked_back_and_the_reply_answers_it(server):
    asked = ask(server, ("user", "How hot is Mercury?"))
    evidence = asked.model_extra["webqa"]
    content = asked.choices[0].message.content
    assert evidence["asked_back"] is True and evidence["citations"] == []
    assert "Which one do you mean?" in content
    readings = [r["title"] for r in evidence["clarification"]["readings"]]
    assert set(readings) == {"Mercury (planet)", "Mercury (element)"}

    answered = ask(server, ("user", "How hot is Mercury?"), ("assistant", content), ("user", "1"))
    evidence = answered.model_extra["webqa"]
    assert evidence["asked_back"] is False and evidence["replayed_turns"] == 0
    assert evidence["rewritten_question"] == f"How hot is {readings[0]}?"


def test_models_are_listed_and_webqa_colon_index_answers_from_that_index(server):
    listed = client(server).models.list()
    assert [m.id for m in listed.data] == ["webqa", "webqa:hotpot", "webqa:kb"]
    assert client(server).models.retrieve("webqa:hotpot").id == "webqa:hotpot"

    completion = ask(server, ("user", "Who starred in Kiss and Tell?"), model="webqa:hotpot")
    cited = completion.model_extra["webqa"]["citations"]
    assert cited and all(c["doc_id"] in {d.id for d in HOTPOT_STYLE} for c in cited)
    assert "Shirley Temple" in completion.choices[0].message.content


def test_sources_can_be_listed_in_the_text_for_chat_apps(serve):
    server = serve(sources_in_text=True)
    content = ask(server, ("user", QUESTION)).choices[0].message.content
    assert (
        "\n\nSources:\n[1] [Lothair II](https://example.org/lothair): “He died in Piacenza on 8 August 869.”" in content
    )
    streamed = client(server).chat.completions.create(
        model="webqa", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in streamed) == content
    # The content the client sends back, sources and all, still finds the conversation.
    follow_up = ask(server, ("user", QUESTION), ("assistant", content), ("user", "Where did he die?"))
    assert follow_up.model_extra["webqa"]["replayed_turns"] == 0


def test_temperature_and_max_tokens_are_accepted_and_do_not_cut_the_answer(server):
    plain = ask(server, ("user", QUESTION)).choices[0].message.content
    tuned = client(server).chat.completions.create(
        model="webqa", messages=[{"role": "user", "content": QUESTION}], temperature=1.3, max_tokens=3
    )
    assert tuned.choices[0].message.content == plain


def test_langchain_chat_openai_uses_webqa_as_its_chat_model(server):
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(base_url=server.base_url, api_key="none", model="webqa", max_retries=0)
    message = model.invoke(QUESTION)
    assert "869" in message.content and "[1]" in message.content

    chain = ChatPromptTemplate.from_messages([("human", "When did {name} die?")]) | model | StrOutputParser()
    assert chain.invoke({"name": "Lothair II"}) == message.content
    assert "".join(chain.stream({"name": "Lothair II"})) == message.content


@pytest.mark.parametrize("stream", [False, True])
def test_content_given_as_text_parts_is_read(server, stream):
    parts = [{"type": "text", "text": "When did Lothair II"}, {"type": "text", "text": "die?"}]
    reply = client(server).chat.completions.create(
        model="webqa", messages=[{"role": "user", "content": parts}], stream=stream
    )
    text = "".join(c.choices[0].delta.content or "" for c in reply) if stream else reply.choices[0].message.content
    assert "869" in text


@pytest.mark.parametrize("replay_turns", [3, 0])
def test_a_long_conversation_the_server_never_saw_replays_only_its_last_questions(serve, replay_turns):
    server = serve(serve_replay_turns=replay_turns)
    asked = [f"Question {n}: when did Lothair II die?" for n in range(1, 51)]
    history = [message for text in asked for message in (("user", text), ("assistant", "Some answer."))]
    follow_up = ask(server, *history, ("user", "Where did he die?"))
    evidence = follow_up.model_extra["webqa"]
    assert evidence["replayed_turns"] == replay_turns and evidence["turn"] == replay_turns + 1
    # Each question asked is searched for first; the other searches follow the entities its quotes name.
    searched = [query for query in server.searches if query.startswith("Question ")]
    assert searched == asked[len(asked) - replay_turns :]
    if replay_turns:
        assert server.searches[-1] == "Where did Lothair II die?"
