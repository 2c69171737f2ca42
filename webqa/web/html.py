"""HTML to readable text plus its links: drop scripts, styles and page furniture, keep blocks as lines,
and record where each link's text sits in the result so a browser can number it.

Text a reader of the page never sees is not page text: elements hidden by an inline style (display:none,
visibility:hidden, font-size:0, opacity:0), the `hidden` attribute, aria-hidden="true" or a hiding class
("hidden", "d-none", ...), and comments, CDATA sections and processing instructions. A page can hide
instructions for a model there; how many characters were set aside is recorded (HtmlText.hidden_chars).
Styles in stylesheets are not evaluated: text hidden by a CSS rule elsewhere stays."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

# Elements that never hold the content a reader came for.
_CLUTTER = ["script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form", "iframe"]
_BLOCKS = {
    "address", "article", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "table", "td", "th",
    "tr", "ul",
}  # fmt: skip
_SPACES = re.compile(r"\s+")
_HIDING_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|font-size\s*:\s*0(?:\.0*)?[a-z%]*"
    r"|opacity\s*:\s*0(?:\.0*)?)\s*(?:!\s*important\s*)?(?:;|$)",
    re.IGNORECASE,
)
_HIDING_CLASSES = {"hidden", "d-none", "invisible", "display-none", "is-hidden", "hide"}
# Layout built from <div>s names its furniture in class or id attributes instead of using <nav>/<aside>.
_FURNITURE = re.compile(
    r"(^|[\s_-])(sidebar|comments?|menu|navbar|nav|breadcrumbs?|cookie|banner|advert|ads|share|social|related"
    r"|footer|popup|modal|newsletter|subscribe)([\s_-]|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LinkSpan:
    start: int  # character offsets of the link's text in HtmlText.text
    end: int
    href: str  # absolute when a base URL was given


@dataclass(frozen=True)
class HtmlText:
    title: str
    text: str
    links: list[LinkSpan] = field(default_factory=list)
    hidden_chars: int = 0  # characters of text hidden from readers, left out of `text`


class _TextBuilder:
    """Appends text with collapsed whitespace; spaces are emitted lazily so offsets never shift."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.last = "\n"
        self.pending_space = False

    def text(self, value: str) -> None:
        if not value:
            return
        if value[0].isspace():
            self.pending_space = True
        words = _SPACES.sub(" ", value).strip()
        if not words:
            return
        self.flush_space()
        self._emit(words)
        self.pending_space = value[-1].isspace()

    def newline(self) -> None:
        self.pending_space = False
        if self.length and self.last != "\n":
            self._emit("\n")

    def flush_space(self) -> None:
        """Write a space owed from earlier whitespace, e.g. before a link so its offsets start at its text."""
        if self.pending_space and self.last not in "\n ":
            self._emit(" ")
        self.pending_space = False

    def _emit(self, piece: str) -> None:
        self.parts.append(piece)
        self.length += len(piece)
        self.last = piece[-1]


def extract(html: str | bytes, base_url: str | None = None) -> HtmlText:
    """Title (<title>, else first <h1>), the main text, and its links. Bytes are decoded by BeautifulSoup,
    which honours a <meta charset> when the server did not name one."""
    soup = BeautifulSoup(html, "html.parser")
    hidden_chars = 0
    for tag in soup.find_all(_is_hidden):
        if not tag.decomposed:  # inside a hidden element already removed
            hidden_chars += len(_SPACES.sub(" ", tag.get_text(" ")).strip())
            tag.decompose()
    title = ""
    if soup.title and soup.title.get_text(strip=True):
        title = _SPACES.sub(" ", soup.title.get_text(" ", strip=True))
    elif (heading := soup.find("h1")) is not None:
        title = _SPACES.sub(" ", heading.get_text(" ", strip=True))
    for tag in soup(_CLUTTER):
        tag.decompose()
    for tag in soup.find_all(_is_furniture):
        tag.decompose()
    if soup.head:
        soup.head.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    builder = _TextBuilder()
    links: list[LinkSpan] = []
    _walk(root, builder, links, base_url)
    text = "".join(builder.parts).rstrip()
    return HtmlText(title, text, [link for link in links if link.end <= len(text)], hidden_chars)


def _walk(node: Tag, builder: _TextBuilder, links: list[LinkSpan], base_url: str | None) -> None:
    for child in node.children:
        if isinstance(child, PreformattedString):  # comments, CDATA, processing instructions, doctypes
            continue
        if isinstance(child, NavigableString):
            builder.text(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        block = child.name in _BLOCKS
        if block:
            builder.newline()
        href = child.get("href") if child.name == "a" else None
        if isinstance(href, str) and _followable(href):
            builder.flush_space()
            start = builder.length
            _walk(child, builder, links, base_url)
            if builder.length > start:
                links.append(LinkSpan(start, builder.length, urljoin(base_url, href) if base_url else href))
        else:
            _walk(child, builder, links, base_url)
        if block:
            builder.newline()


def _is_hidden(tag: Tag) -> bool:
    if tag.name in ("html", "head", "title"):
        return False
    if tag.has_attr("hidden") or str(tag.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = tag.get("style")
    if isinstance(style, str) and _HIDING_STYLE.search(style):
        return True
    return any(name.lower() in _HIDING_CLASSES for name in tag.get("class") or [])


def _is_furniture(tag: Tag) -> bool:
    if tag.name in ("html", "body", "main", "article"):
        return False
    names = " ".join([*(tag.get("class") or []), str(tag.get("id") or ""), str(tag.get("role") or "")])
    return bool(names.strip()) and _FURNITURE.search(names) is not None


def _followable(href: str) -> bool:
    href = href.strip()
    return bool(href) and not href.startswith("#") and urlsplit(href).scheme in ("", "http", "https", "file")
