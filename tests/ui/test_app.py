"""The browser chat through Streamlit's AppTest: a real script run, in process, on a small index built with
the hashing embedder; a scripted model where one is needed (comparisons, abstractive answers)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from webqa.cli import main  # noqa: E402
from webqa.conversation import ConversationStore  # noqa: E402
from webqa.feedback import FeedbackStore, PreferencePair, SFTExample  # noqa: E402
from webqa.llm.testing import ScriptedLLM  # noqa: E402

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")


@pytest.fixture
def env(chat_env):
    return chat_env


@pytest.fixture
def scripted(monkeypatch):
    """The model every assistant made during the test gets."""
    llm = ScriptedLLM()
    monkeypatch.setattr("webqa.llm.load_llm", lambda settings: llm)
    return llm


def start() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return app


def ask(app: AppTest, text: str) -> AppTest:
    app.chat_input[0].set_value(text).run()
    assert not app.exception, app.exception
    return app


def click(app: AppTest, label: str) -> AppTest:
    buttons = [b for b in app.button if b.label == label]
    assert buttons, f"no button {label!r} among {[b.label for b in app.button]}"
    buttons[-1].click().run()
    assert not app.exception, app.exception
    return app


def shown(app: AppTest) -> str:
    """Everything written on the page as markdown, captions, warnings and errors."""
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption]
    parts += [w.value for w in app.warning] + [e.value for e in app.error] + [i.value for i in app.info]
    return "\n".join(parts)


def test_answer_has_citations_with_exact_quotes_sources_and_a_trace(env):
    app = ask(start(), "Who was Lothair II?")
    text = shown(app)
    # The answer's sentences cite [n]; each citation opens to the exact quote, its page and source link.
    assert "Lothair II was the king of Lotharingia from 855 until his death **\\[" in text
    assert "> Lothair II was the king of Lotharingia from 855 until his death\\." in text
    assert "https://example.org/lothair · characters" in text
    # The trace expander replays what was done, step by step, with what each step returned.
    trace = [e for e in app.expander if e.label.startswith("Browsing trace:")]
    assert len(trace) == 1
    steps = [m.value for m in trace[0].markdown]
    assert steps[0].startswith("1. 🔎 **search** Who was Lothair II?")
    assert any("**quote** Lothair II was the king" in step for step in steps)
    assert any("Lothair II" in code.value for code in trace[0].code)
    # The turn is saved as it is answered.
    [summary] = ConversationStore(env / "conversations.sqlite").list_conversations()
    assert summary.title == "Who was Lothair II?" and summary.turns == 1


def test_follow_up_is_rewritten_and_the_rewrite_is_in_the_trace(env):
    app = ask(ask(start(), "Who was Lothair II?"), "When did he die?")
    assert len(app.chat_message) == 4
    last_trace = [e for e in app.expander if e.label.startswith("Browsing trace:")][-1]
    rewrite = "\n".join(m.value for m in last_trace.markdown)
    assert "Searched for the standalone question: *When did Lothair II die?*" in rewrite
    assert "8 August 869" in app.chat_message[3].markdown[0].value


def test_ambiguous_question_asks_which_one_and_a_click_on_a_reading_answers(env):
    app = ask(start(), "How big is Mercury?")
    question = app.chat_message[1].markdown[0].value
    assert "Mercury" in question and "?" in question
    readings = [b.label for b in app.button if "Mercury" in b.label]
    assert len(readings) == 2, readings
    planet = next(label for label in readings if "planet" in label)
    app = click(app, planet)
    assert len(app.chat_message) == 4
    answer = app.chat_message[3].markdown[0].value
    assert "Mercury" in answer and "chemical element" not in answer  # from the planet's page, not the element's


def test_abstention_says_so_and_shows_what_was_found(env, monkeypatch):
    monkeypatch.setenv("WEBQA_ABSTAIN_BELOW", "0.99")
    app = ask(start(), "Who was Lothair II?")
    assert any("No reliable answer" in w.value for w in app.warning)
    assert "I could not find a reliable answer" in app.chat_message[1].markdown[0].value


def test_the_short_answer_shows_its_confidence_and_a_withheld_answer_its_guess(env, monkeypatch):
    app = ask(start(), "When did Lothair II die?")
    assert any(c.value.startswith("Short answer: **") and "· confidence " in c.value for c in app.caption)
    monkeypatch.setenv("WEBQA_ABSTAIN_BELOW_CONFIDENCE", "0.999")
    app = ask(start(), "When did Lothair II die?")
    assert "I looked for a date about Lothair II" in app.chat_message[1].markdown[0].value
    assert any(c.value.startswith("Withheld guess: ") and "confidence" in c.value for c in app.caption)


def test_a_bare_topic_first_gets_a_question_back_and_a_click_on_a_page_answers(env):
    app = ask(start(), "Lothair II of Lotharingia.")
    asked = app.chat_message[1].markdown[0].value
    assert asked.startswith("What would you like to know about Lothair II of Lotharingia?")
    app = click(app, "Lothair II")
    assert len(app.chat_message) == 4
    assert "king of Lotharingia" in app.chat_message[3].markdown[0].value


def test_model_written_sentences_the_quotes_do_not_back_are_marked(env, scripted, monkeypatch):
    monkeypatch.setenv("WEBQA_ANSWER_MODE", "abstractive")
    scripted.enqueue(
        "Lothair II was the king of Lotharingia from 855 until his death [1]. He invented the telescope in 1608 [1]."
    )
    app = ask(start(), "Who was Lothair II?")
    text = shown(app)
    assert "Lothair II was the king of Lotharingia from 855 until his death **\\[1\\]**" in text
    assert "✗ Left out: not supported by the quotes it cites." in text
    assert "~~He invented the telescope in 1608" in text


def test_rating_edit_and_comparison_are_saved_and_export_validates(env, scripted, capsys):
    app = ask(start(), "Who was Lothair II?")
    # Thumbs down with a reason.
    app.feedback[0].set_value(0).run()
    app.text_input(key=[t.key for t in app.text_input if t.key and t.key.startswith("reason-text-")][0]).set_value(
        "It should say where he ruled first"
    )
    app = click(app, "Send rating")
    assert any(c.value == "Rating saved. Thank you." for c in app.caption)
    # An edited answer.
    edited = "Lothair II was king of Lotharingia from 855 until his death [1]."
    app.text_area[0].set_value(edited)
    app = click(app, "Save corrected answer")
    # Two sampled answers, side by side; the user picks B.
    scripted.enqueue(
        "Lothair II was a king [1].", "Lothair II was the king of Lotharingia from 855 until his death [2]."
    )
    app = click(app, "Compare two samples")
    assert "Sample A" in shown(app) and "Sample B" in shown(app)
    assert [c.extra for c in scripted.calls if c.method == "stream"] == [
        {"temperature": 0.8, "seed": 1},
        {"temperature": 0.8, "seed": 2},
    ]
    app = click(app, "B is better")
    assert any(c.value == "Preference saved." for c in app.caption)

    records = FeedbackStore(env / "feedback.jsonl").read().records
    assert [r.kind for r in records] == ["rating", "edit", "comparison"]
    rating, edit, comparison = records
    assert rating.rating == "down" and rating.reason == "It should say where he ruled first"
    assert edit.edited_answer == edited and edit.turn == 1 and edit.question == "Who was Lothair II?"
    assert comparison.answers[comparison.chosen].startswith("Lothair II was the king of Lotharingia")
    # The prompts hold the quotes the answers cite, numbered as they cite them.
    assert "[1] Lothair II: " in edit.prompt[-1].content

    assert main(["feedback", "export", "--format", "sft", str(env / "sft.jsonl")]) == 0
    assert main(["feedback", "export", "--format", "preferences", str(env / "prefs.jsonl")]) == 0
    sft = [SFTExample.model_validate_json(line) for line in (env / "sft.jsonl").read_text().splitlines()]
    assert [example.messages[-1].content for example in sft] == [edited]
    pairs = [PreferencePair.model_validate_json(line) for line in (env / "prefs.jsonl").read_text().splitlines()]
    assert [(p.chosen[0].content, p.rejected[0].content) for p in pairs] == [
        ("Lothair II was the king of Lotharingia from 855 until his death [2].", "Lothair II was a king [1]."),
        (edited, edit.answer),
    ]


def test_saved_conversation_opens_from_the_sidebar(env):
    first = ask(start(), "Who was Lothair II?")
    conversation_id = first.session_state["conversation"].id
    app = start()  # a new browser session
    assert len(app.chat_message) == 0
    saved = [s for s in app.selectbox if s.label == "Saved"][0]
    saved.set_value(conversation_id)
    app = click(app, "Open")
    assert len(app.chat_message) == 2
    assert "Lothair II" in app.chat_message[1].markdown[0].value
    app = ask(app, "When did he die?")  # the resumed conversation knows who "he" is
    assert "8 August 869" in app.chat_message[3].markdown[0].value


def test_a_missing_index_is_a_message_not_a_traceback(env, monkeypatch):
    monkeypatch.setenv("WEBQA_DEFAULT_INDEX", "nowhere")
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception
    [error] = app.error
    assert "nowhere" in error.value and "webqa index build" in error.value


def test_page_text_is_shown_literally_not_as_markdown(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(APP).parent))  # as the app does for its sibling modules
    from answer_view import escape

    assert escape("$5 *bold* [x](javascript:alert(1)) :red[no]") == (
        "\\$5 \\*bold\\* \\[x\\]\\(javascript\\:alert\\(1\\)\\) \\:red\\[no\\]"
    )


def test_a_bad_model_spec_from_the_sidebar_is_a_message_on_the_page(env):
    app = ask(start(), "Who was Lothair II?")
    [model] = [t for t in app.text_input if t.label == "Model"]
    model.set_value("telepathy:big").run()
    assert not app.exception
    app = click(app, "Compare two samples")  # the comparison needs the model
    assert any("telepathy" in e.value for e in app.error), [e.value for e in app.error]
    assert "Lothair II was the king" in app.chat_message[1].markdown[0].value  # the answer is still there


def test_an_unknown_search_backend_setting_is_a_message(env, monkeypatch):
    monkeypatch.setenv("WEBQA_SEARCH_BACKEND", "altavista")
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception
    assert any("Unknown search backend 'altavista'" in e.value for e in app.error), [e.value for e in app.error]
