"""Feedback on an answer: thumbs up or down with a reason, an edited answer, and a comparison of two
sampled answers. Every judgement goes to webqa's feedback store at once."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from answer_view import show_comparison

import webqa.feedback as feedback
from webqa.conversation import Conversation, Turn
from webqa.errors import WebqaError


def feedback_panel(conversation: Conversation, turn: Turn, store: feedback.FeedbackStore) -> None:
    key = f"{conversation.id}-{turn.n}"
    saved: set[str] = st.session_state.setdefault("feedback_saved", set())
    thumbs_column, edit_column, compare_column = st.columns([2, 3, 3])
    with thumbs_column:
        choice = st.feedback("thumbs", key=f"thumbs-{key}")
    if choice is not None and f"rating-{key}" not in saved:
        with st.form(f"reason-{key}", border=False):
            reason = st.text_input("What was right or wrong? (optional)", key=f"reason-text-{key}")
            if st.form_submit_button("Send rating"):
                _save(store, f"rating-{key}", lambda: feedback.rating(conversation, turn.n, choice == 1, reason))
    if f"rating-{key}" in saved:
        st.caption("Rating saved. Thank you.")

    with edit_column, st.popover("Edit answer", use_container_width=True), st.form(f"edit-{key}", border=False):
        corrected = st.text_area("The answer as it should read (keep the [n] citations)", value=turn.answer.answer)
        if st.form_submit_button("Save corrected answer"):
            _save(store, f"edit-{key}", lambda: feedback.edit(conversation, turn.n, corrected))
    if f"edit-{key}" in saved:
        st.caption("Corrected answer saved.")

    comparisons = st.session_state.setdefault("comparisons", {})
    if compare_column.button("Compare two samples", key=f"compare-{key}", use_container_width=True):
        try:
            with st.spinner("The model is writing two answers from the same quotes…"):
                comparisons[key] = conversation.compare(turn.n)
        except WebqaError as exc:
            st.error(str(exc))
    if key in comparisons and f"comparison-{key}" not in saved:
        comparison = comparisons[key]
        picked = show_comparison(comparison, key)
        choice_of = lambda: feedback.comparison_choice(conversation, turn.n, comparison, picked)  # noqa: E731
        if picked is not None and _save(store, f"comparison-{key}", choice_of):
            st.rerun()  # the comparison gives way to its confirmation
    if f"comparison-{key}" in saved:
        st.caption("Preference saved.")


def _save(store: feedback.FeedbackStore, done: str, make: Callable[[], feedback.Judgement]) -> bool:
    """Save the record `make` builds and remember `done`; a problem is shown instead, and not remembered."""
    try:
        store.add(make())
    except WebqaError as exc:
        st.error(str(exc))
        return False
    st.session_state["feedback_saved"].add(done)
    return True
