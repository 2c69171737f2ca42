"""Find a quote on a page despite differences in whitespace, quote marks, dashes and link markers."""

from __future__ import annotations

import re

_EQUIVALENT = str.maketrans({
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "`": "'",
    "–": "-", "—": "-", "‑": "-", "\u00a0": " ",
})  # fmt: skip
_LINK_MARKER = re.compile(r"\[\d+†([^\]]*)\]")


def normalise(text: str) -> tuple[str, list[int]]:
    """Text with equivalent characters unified and whitespace runs collapsed to one space, plus, for
    each character of the result, its offset in the original."""
    out: list[str] = []
    offsets: list[int] = []
    in_space = False
    for index, char in enumerate(text.translate(_EQUIVALENT)):
        if char.isspace():
            if not in_space and out:
                out.append(" ")
                offsets.append(index)
            in_space = True
            continue
        in_space = False
        out.append(char)
        offsets.append(index)
    if out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


def locate(quote: str, page_text: str) -> tuple[int, int] | None:
    """(start, end) in page_text of the first occurrence of quote, or None when it is not there.
    Link markers a model copied from the rendered page ("[3†Paris]") count as their text."""
    wanted, _ = normalise(_LINK_MARKER.sub(r"\1", quote))
    if not wanted:
        return None
    haystack, offsets = normalise(page_text)
    found = haystack.find(wanted)
    if found < 0:
        return None
    return offsets[found], offsets[found + len(wanted) - 1] + 1
