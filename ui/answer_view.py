"""How an answer looks in the chat: its sentences (marked by how far the quotes back them), its citations
(each opens to the exact quote, its page and a link), and the browsing trace that found them.

Only presentation lives here; what a sentence's status is, and everything else, comes from webqa."""

from __future__ import annotations

import re
from collections.abc import Sequence

import streamlit as st

from webqa.answer.marks import MarkedSentence, marked_sample, marked_sentences
from webqa.answer.sampling import Comparison
from webqa.browser.commands import INVALID
from webqa.types import Answer, Quote

# Markdown and Streamlit's own syntax ($ for LaTeX, :name[...] directives): page text is shown literally.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]")
OBSERVATION_CHARS = 1500  # of each step's observation in the trace; the full text is in the saved record
ICONS = {"search": "🔎", "open": "📄", "find": "🔍", "quote": "❝", "scroll": "↕", "top": "⤒", "back": "←",
         "answer": "✅", "unanswerable": "✋", INVALID: "⚠"}  # fmt: skip


def escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def sentences_markdown(sentences: Sequence[MarkedSentence], show_unsupported: bool = False) -> str:
    """The sentences as one paragraph, citation markers in bold; uncertain ones flagged after the sentence,
    unsupported ones (only where asked) struck through."""
    parts = []
    for sentence in sentences:
        text = _ESCAPED_MARKER.sub(r"**\\[\1\\]**", escape(sentence.text))
        if sentence.status == "unsupported":
            if show_unsupported:
                parts.append(f"~~{text}~~ :red[**✗ unsupported**]")
            continue
        if sentence.status == "uncertain":
            text += " :orange[**⚠ uncertain**]"
        parts.append(text)
    return " ".join(parts)


def show_answer(answer: Answer, key: str) -> None:
    sentences = marked_sentences(answer)
    if answer.abstained:
        st.warning("No reliable answer: the evidence found is too weak. What was found is cited below.", icon="🤷")
    st.markdown(sentences_markdown(sentences))
    left_out = [s for s in sentences if s.status == "unsupported"]
    if left_out:
        struck = " ".join(f"~~{escape(s.text)}~~" for s in left_out)
        st.markdown(f":red[**✗ Left out: not supported by the quotes it cites.**] {struck}")
    if answer.short_answer:
        sure = f" · confidence {answer.confidence:.0%}" if answer.confidence is not None else ""
        st.caption(f"Short answer: **{escape(answer.short_answer)}**{sure}")
    elif answer.abstained and answer.best_guess and answer.confidence is not None:
        st.caption(f"Withheld guess: {escape(answer.best_guess)} · confidence {answer.confidence:.0%}")
    elif answer.confidence is not None:
        st.caption(f"Confidence {answer.confidence:.0%}")
    show_citations([(c.n, c.quote) for c in answer.citations], key)
    show_trace(answer)


def show_citations(citations: Sequence[tuple[int, Quote]], key: str) -> None:
    """One button per citation; it opens to the exact quote, its page title and a link to the source."""
    if not citations:
        return
    columns = st.columns(min(len(citations), 4))
    for i, (n, quote) in enumerate(citations):
        with (
            columns[i % len(columns)],
            st.popover(f"\\[{n}\\] {escape(_short(quote.title, 40))}", use_container_width=True),
        ):
            st.markdown(f"**[{n}] {escape(quote.title)}**")
            st.markdown(f"> {escape(quote.text)}")
            st.caption(_where(quote))
            if quote.url and quote.url.startswith(("http://", "https://")):  # never a javascript: link from a page
                st.link_button("Open the source", quote.url)


def show_trace(answer: Answer) -> None:
    trace = answer.trace
    steps = trace.steps
    label = f"Browsing trace: {len(steps)} action{'' if len(steps) == 1 else 's'}"
    label += f", {answer.timings.get('total_s', 0.0):.1f} s"
    with st.expander(label):
        rewritten = trace.rewritten_question
        if rewritten and rewritten != answer.question:
            st.markdown(f"Searched for the standalone question: *{escape(rewritten)}*")
        if trace.reused_quotes:
            st.markdown("Answered from quotes found earlier in this conversation; nothing new was browsed.")
        for number, step in enumerate(steps, start=1):
            icon = ICONS.get(step.command, "•")
            verdict = "" if step.ok else " — :red[refused]"
            st.markdown(f"{number}. {icon} **{step.command}** {escape(step.argument)}{verdict} "
                        f"· {step.seconds:.2f} s")  # fmt: skip
            observation = step.observation
            if len(observation) > OBSERVATION_CHARS:
                observation = observation[:OBSERVATION_CHARS] + f"\n… ({len(step.observation):,} characters)"
            st.code(observation, language=None)
        phases = {k: v for k, v in answer.timings.items() if k.endswith("_s") and v}
        if phases:
            st.caption(" · ".join(f"{name[:-2]} {seconds:.2f} s" for name, seconds in phases.items()))


def show_comparison(comparison: Comparison, key: str) -> int | None:
    """The samples side by side; returns the index of the one the user picks, once they pick."""
    picked = None
    columns = st.columns(len(comparison.samples))
    for i, (column, sample) in enumerate(zip(columns, comparison.samples, strict=True)):
        with column:
            st.markdown(f"**Sample {'AB'[i]}**")
            st.markdown(sentences_markdown(marked_sample(sample.sentences), show_unsupported=True) or "*(empty)*")
            if not comparison.identical and st.button(f"{'AB'[i]} is better", key=f"pick-{key}-{i}"):
                picked = i
    if comparison.identical:
        st.info("Both samples came out the same, so there is nothing to choose between. Try again.")
    with st.expander("The quotes both samples were given"):
        for n, quote in enumerate(comparison.quotes, start=1):
            st.markdown(f"**[{n}] {escape(quote.title)}**: {escape(quote.text)}")
    return picked


def _where(quote: Quote) -> str:
    place = quote.url or (f"local document {quote.doc_id}" if quote.doc_id else "")
    return (
        f"{place} · characters {quote.start:,}–{quote.end:,}" if place else f"characters {quote.start:,}–{quote.end:,}"
    )


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
