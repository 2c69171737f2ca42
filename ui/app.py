"""webqa's browser chat. Start it with `webqa ui`.

The page: a sidebar to pick the index, search backend and model (with the index's status) and to open or
delete saved conversations; the conversation, each answer with its citations, trace and feedback; a box
for the next question. All answering is webqa's: this file only lays it out."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling modules, however the app is started

from answer_view import ICONS, escape, show_answer  # noqa: E402
from feedback_panel import feedback_panel  # noqa: E402

from webqa.assistant import Assistant  # noqa: E402
from webqa.config import Settings, load_settings  # noqa: E402
from webqa.conversation import Conversation, ConversationStore, Turn  # noqa: E402
from webqa.errors import WebqaError  # noqa: E402
from webqa.feedback import FeedbackStore  # noqa: E402
from webqa.index.layout import list_index_names  # noqa: E402
from webqa.registry import ANSWER_MODES, POLICIES, SEARCH_BACKENDS  # noqa: E402
from webqa.shared import shared_assistant  # noqa: E402


def main() -> None:
    st.set_page_config(page_title="webqa", page_icon="🔎", layout="wide")
    base = _or_stop(load_settings)
    store = ConversationStore.from_settings(base)
    settings = _or_stop(lambda: load_settings(**sidebar_choices(base)))
    with st.spinner("Loading the index and models…"):
        assistant = _or_stop(lambda: shared_assistant(settings))
    show_index_status(assistant)
    conversation = current_conversation(assistant, store)
    conversation_controls(conversation, store, assistant)

    st.title("webqa")
    st.caption("Answers with numbered citations to the exact quotes they rest on. Ask a follow-up any time.")
    feedback_store = FeedbackStore.from_settings(settings)
    for turn in conversation.turns:
        show_turn(conversation, turn, feedback_store)
    message = st.chat_input("Ask a question") or st.session_state.pop("queued_message", None)
    if message:
        answer_message(conversation, message)


def sidebar_choices(base: Settings) -> dict[str, str]:
    """The settings the user picked in the sidebar, as overrides of the environment's."""
    sidebar = st.sidebar
    sidebar.header("Sources and model")
    names = list_index_names(base.index_dir)
    if base.default_index not in names:
        names.insert(0, base.default_index)
    index = sidebar.selectbox("Index", names, index=names.index(base.default_index))
    backends = SEARCH_BACKENDS.names()  # settings only name registered ones: they were validated
    backend = sidebar.selectbox("Search backend", backends, index=backends.index(base.search_backend))
    llm = sidebar.text_input("Model", base.llm, help="llamacpp (embedded), llamacpp:PATH.gguf, hf:DIR, openai:MODEL")
    policies = POLICIES.names()
    policy = sidebar.selectbox("Browsing policy", policies, index=policies.index(base.policy))
    modes = ANSWER_MODES.names()
    mode = sidebar.selectbox("Answer mode", modes, index=modes.index(base.answer_mode))
    return {"default_index": index, "search_backend": backend, "llm": llm.strip() or base.llm,
            "policy": policy, "answer_mode": mode}  # fmt: skip


def show_index_status(assistant: Assistant) -> None:
    sidebar = st.sidebar
    if assistant.index is None:
        sidebar.caption(f"Searching with the {assistant.settings.search_backend} backend; no local index in use.")
        return
    manifest = assistant.index.manifest
    sidebar.markdown(
        f"**Index {escape(manifest.name)}**: {manifest.document_count:,} documents, {manifest.chunk_count:,} chunks  \n"
        f"embeddings {escape(Path(manifest.embedding_model).name)}, built {escape(manifest.built_at)}"
    )


def current_conversation(assistant: Assistant, store: ConversationStore) -> Conversation:
    conversation: Conversation | None = st.session_state.get("conversation")
    if conversation is None:
        conversation = Conversation(assistant, store=store)
        st.session_state["conversation"] = conversation
    elif conversation.assistant is not assistant:
        conversation.use(assistant)  # the sidebar changed: the conversation goes on with the new choice
    return conversation


def conversation_controls(conversation: Conversation, store: ConversationStore, assistant: Assistant) -> None:
    sidebar = st.sidebar
    sidebar.header("Conversations")
    if sidebar.button("New conversation", use_container_width=True):
        _switch_to(Conversation(assistant, store=store))
    saved = _or_stop(store.list_conversations)
    if not saved:
        sidebar.caption(f"Conversations are saved in {store.path}.")
        return
    labels = {s.id: f"{s.title[:48]} ({s.turns} turn{'' if s.turns == 1 else 's'})" for s in saved}
    chosen = sidebar.selectbox("Saved", list(labels), format_func=labels.__getitem__)
    open_column, delete_column = sidebar.columns(2)
    if open_column.button("Open", use_container_width=True) and chosen != conversation.id:
        _switch_to(_or_stop(lambda: Conversation.resume(assistant, store, chosen)))
    if delete_column.button("Delete", use_container_width=True):
        _or_stop(lambda: store.delete(chosen))
        if chosen == conversation.id:
            _switch_to(Conversation(assistant, store=store))
        st.rerun()


def show_turn(conversation: Conversation, turn: Turn, feedback_store: FeedbackStore) -> None:
    with st.chat_message("user"):
        st.markdown(escape(turn.user_text))
    with st.chat_message("assistant"):
        key = f"{conversation.id}-{turn.n}"
        clarification = turn.clarification
        if clarification is not None:
            st.markdown(escape(turn.answer.answer))
            waiting = conversation.pending is not None and turn.n == len(conversation.turns)
            for i, reading in enumerate(clarification.readings if waiting else ()):
                if st.button(reading.title, key=f"reading-{key}-{i}"):
                    st.session_state["queued_message"] = reading.title
                    st.rerun()
            return
        show_answer(turn.answer, key)
        feedback_panel(conversation, turn, feedback_store)


def answer_message(conversation: Conversation, message: str) -> None:
    """Answer with the browsing shown as it happens and the answer streamed in, then redraw the page."""
    with st.chat_message("user"):
        st.markdown(escape(message))
    with st.chat_message("assistant"):
        status = st.status("Browsing…", expanded=False)
        streamed = st.empty()
        written: list[str] = []
        steps = 0

        def on_step(command: str, argument: str, observation: object) -> None:
            nonlocal steps
            steps += 1
            status.update(label=f"Browsing… {steps} action{'' if steps == 1 else 's'}")
            status.markdown(f"{ICONS.get(command, '•')} **{command}** {escape(argument)}")

        def on_text(piece: str) -> None:
            written.append(piece)
            streamed.markdown(escape("".join(written)) + " ▌")

        try:
            turn = conversation.ask(message, on_text=on_text, on_step=on_step)
        except WebqaError as exc:
            status.update(label="Stopped", state="error")
            st.error(str(exc))
            return
        status.update(
            label=f"Done: {steps} actions in {turn.answer.timings.get('total_s', 0.0):.1f} s", state="complete"
        )
    st.rerun()  # the new turn is drawn with the others, citations, trace and feedback included


def _switch_to(conversation: Conversation) -> None:
    st.session_state["conversation"] = conversation
    st.session_state.pop("comparisons", None)
    st.rerun()


def _or_stop(make):  # noqa: ANN001, ANN202 - any loader
    """What `make` returns, or its one-line message on the page and nothing more drawn."""
    try:
        return make()
    except WebqaError as exc:
        st.error(str(exc))
        st.stop()


main()
