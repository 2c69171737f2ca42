"""Word features of an answer candidate: the words at and around its edges, crossed with what the question
asks for. They stand in for the part-of-speech tags and parses webqa does not have: a learned weight for
"a when-question's answer follows 'in'" or "a who-question's answer does not end in 'ed'" carries over to
questions never seen, where a rule for one dataset would not.

Each feature is a short readable string ("when|p=in"); the scorer's weights file keeps a weight for each
string seen often enough in training, and a string it has no weight for counts for nothing."""

from __future__ import annotations

import re

from webqa.answer.spans import FUNCTION_WORDS, Span, Token

_WH = re.compile(r"\b(what|which|whose)\s+(?:(?:kind|type|sort|form|name|piece|part)s?\s+of\s+)?(\w+)", re.I)
_GENERIC_HEADS = frozenset("is are was were did does do has have had the a an".split())


def question_head(question: str) -> str:
    """The noun a what/which question names as the kind of its answer ("What year ..." -> "year",
    "Which type of rock ..." -> "rock"), or "" when it names none ("What is ...")."""
    match = _WH.search(question)
    if match is None:
        return ""
    head = match.group(2).lower()
    return "" if head in _GENERIC_HEADS or head in FUNCTION_WORDS else head


def word_shape(token: Token) -> str:
    """X: capitalised, x: lower case, d: number, f: a function word inside a name ("of", "da")."""
    if token.text[0].isdigit():
        return "d"
    if token.lower in FUNCTION_WORDS or token.lower in {"da", "de", "van", "von", "del", "di", "la", "le"}:
        return "f"
    return "X" if token.text[0].isupper() else "x"


def span_shape(toks: list[Token]) -> str:
    """The word shapes of a span, runs collapsed ("Leonardo da Vinci" -> "XfX", "carbon dioxide" -> "x+")."""
    shapes = [word_shape(t) for t in toks]
    out: list[str] = []
    for shape in shapes:
        if out and out[-1].rstrip("+") == shape:
            out[-1] = shape + "+"
        else:
            out.append(shape)
    return "".join(out)


def lexical_features(kind: str, head: str, toks: list[Token], span: Span) -> tuple[str, ...]:
    """The candidate's edge words and shape, alone and crossed with the question's kind and head noun."""
    inside = toks[span.first : span.last + 1]
    previous = toks[span.first - 1].lower if span.first > 0 else "<s>"
    before = toks[span.first - 2].lower if span.first > 1 else "<s>"
    following = toks[span.last + 1].lower if span.last + 1 < len(toks) else "</s>"
    first, last = inside[0].lower, inside[-1].lower
    suffix = last[-3:] if len(last) > 4 else last
    shape = span_shape(inside)
    plain = (f"p={previous}", f"n={following}", f"f={first}", f"l={last}", f"ls={suffix}", f"sh={shape}")
    crossed = [f"{kind}|{f}" for f in plain] + [f"{kind}|pp={before}_{previous}", f"{kind}|len={min(len(inside), 4)}"]
    if head:
        words = {t.lower for t in toks[max(0, span.first - 3) : span.last + 4]}
        crossed += [f"h={head}|l={last}", f"h={head}|sh={shape}", f"h={head}|p={previous}", f"h={head}|ls={suffix}"]
        if head in words or head + "s" in words:
            crossed.append(f"{kind}|head_near")
    return plain + tuple(crossed)
