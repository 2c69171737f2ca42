"""HTML to readable text: drop scripts, styles and page furniture; keep block structure as lines."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

# Elements that never hold the content a reader came for.
_CLUTTER = ["script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form"]
_BLANKS = re.compile(r"[ \t\r\f\v\u00a0]+")


def html_to_text(html: str | bytes) -> tuple[str, str]:
    """Return (title, text). The title is <title>, else the first <h1>, else empty."""
    soup = BeautifulSoup(html, "html.parser")
    title = ""
    if soup.title and soup.title.get_text(strip=True):
        title = soup.title.get_text(" ", strip=True)
    elif (heading := soup.find("h1")) is not None:
        title = heading.get_text(" ", strip=True)
    for tag in soup(_CLUTTER):
        tag.decompose()
    if soup.head:
        soup.head.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    raw = root.get_text("\n")
    lines = [_BLANKS.sub(" ", line).strip() for line in raw.splitlines()]
    return title, "\n".join(line for line in lines if line)
