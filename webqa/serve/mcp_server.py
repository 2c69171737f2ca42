"""`webqa mcp`: webqa's answers, search and pages as Model Context Protocol tools (the official SDK).

An agent gets three tools with structured results: `ask` (a cited answer, the whole pipeline), `search`
(results with snippets, from the configured backend) and `open_page` (a page's text and links, fetched
through the same guard as the browser's, which refuses private and loopback addresses)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from webqa.assistant import Assistant
from webqa.browser.session import new_browser
from webqa.errors import WebqaError
from webqa.serve.api_errors import ApiError
from webqa.serve.catalog import INDEX_SEPARATOR, MODEL, Catalog

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

INSTRUCTIONS = (
    "webqa answers factual questions from a document index (by default Wikipedia's vital articles, offline) "
    "or the web, with numbered citations to exact quotes. Use `ask` for an answer you can cite; use `search` "
    "and `open_page` to read the sources yourself."
)
PAGE_CHARS = 20_000  # an agent's context is finite: longer pages are cut, and say so


class CitedQuote(BaseModel):
    n: int = Field(description="The [n] marker in the answer that this quote backs.")
    title: str
    url: str | None
    doc_id: str | None = Field(description="The local document's id (open it with open_page), or null for a web page.")
    quote: str = Field(description="The exact text quoted from the page.")
    start: int = Field(description="Character offset of the quote in the page text.")
    end: int


class AskResult(BaseModel):
    answer: str = Field(description="The answer, with [n] markers citing the quotes.")
    short_answer: str = Field(description="The span of a quote that answers, or empty when there is none.")
    abstained: bool = Field(
        description="True when no reliable answer was found; the answer then shows the closest evidence."
    )
    confidence: float | None = Field(description="Estimated probability that short_answer is right, when estimated.")
    citations: list[CitedQuote]


class SearchHit(BaseModel):
    title: str
    url: str | None
    snippet: str
    doc_id: str | None = Field(description="Set for a local document: pass it to open_page.")


class SearchResults(BaseModel):
    query: str
    results: list[SearchHit]


class PageLink(BaseModel):
    n: int
    text: str
    target: str = Field(description="A URL, or doc:ID for a local document; pass it to open_page.")


class PageText(BaseModel):
    title: str
    source: str = Field(description="The page's URL, or doc:ID for a local document.")
    text: str
    truncated: bool = Field(description=f"True when the text was cut at {PAGE_CHARS} characters.")
    links: list[PageLink]


class WebqaTools:
    """The tools' work, apart from the protocol, so it reads (and tests) as plain functions."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def ask(self, question: str, index: str | None = None) -> AskResult:
        if not question.strip():
            raise WebqaError("The question is empty. Ask something, e.g. 'Who wrote Hamlet?'.")
        record = self._assistant(index).ask(" ".join(question.split())).to_record()
        citations = [CitedQuote.model_validate(c) for c in record["citations"]]
        return AskResult(
            answer=record["answer"],
            short_answer=record["short_answer"],
            abstained=record["abstained"],
            confidence=record["confidence"],
            citations=citations,
        )

    def search(self, query: str, k: int = 5) -> SearchResults:
        found = self._assistant(None).search_backend.search(query, k)
        hits = [SearchHit(title=r.title, url=r.url, snippet=r.snippet, doc_id=r.doc_id) for r in found]
        return SearchResults(query=query, results=hits)

    def open_page(self, target: str) -> PageText:
        assistant = self._assistant(None)
        browser = new_browser(assistant.settings, index=assistant.index, backend=assistant.search_backend)
        observation = browser.run("open", target.strip())
        page = browser.page
        if not observation.ok or page is None:
            raise WebqaError(observation.error or f"Could not open {target!r}.")
        links = [PageLink(n=link.number, text=link.text, target=link.target) for link in page.links]
        text = page.text[:PAGE_CHARS]
        return PageText(
            title=page.title, source=page.source, text=text, truncated=len(page.text) > PAGE_CHARS, links=links
        )

    def _assistant(self, index: str | None) -> Assistant:
        model = MODEL if not index else f"{MODEL}{INDEX_SEPARATOR}{index}"
        offered = self.catalog.names()
        if model not in offered:
            built = [name.split(INDEX_SEPARATOR, 1)[1] for name in offered if INDEX_SEPARATOR in name]
            raise WebqaError(
                f"No index named '{index}'. Indexes here: {', '.join(built) or 'none'}. "
                f"Build one with: webqa index build --name {index} SOURCE..."
            )
        try:
            return self.catalog.assistant(model)
        except ApiError as error:
            raise WebqaError(error.message) from None


def build_mcp_server(tools: WebqaTools) -> MCPServer:
    """The MCP server with webqa's three tools; `.run("stdio")` serves it. The SDK is an optional
    dependency, imported here."""
    try:
        from mcp.server.mcpserver import MCPServer
        from mcp.server.mcpserver.exceptions import ToolError
    except ImportError:
        raise WebqaError("`webqa mcp` needs the MCP SDK. Install it with: pip install 'webqa[serve]'") from None

    server = MCPServer(name="webqa", instructions=INSTRUCTIONS)

    @server.tool(
        name="ask",
        description="Answer a factual question with numbered citations: webqa searches, reads the pages and "
        "answers from exact quotes, or abstains when the evidence is weak. Ask one standalone question "
        "(name the people and things it is about). `index` picks a local index other than the default.",
    )
    def ask(question: str, index: str | None = None) -> AskResult:
        try:
            return tools.ask(question, index)
        except WebqaError as error:
            raise ToolError(str(error)) from None

    @server.tool(
        name="search",
        description="Search webqa's backend (the local index by default) and list the results with snippets. "
        "Open a result with open_page, passing its doc_id (local documents) or url.",
    )
    def search(query: str, k: int = Field(5, ge=1, le=50, description="How many results.")) -> SearchResults:
        try:
            return tools.search(query, k)
        except WebqaError as error:
            raise ToolError(str(error)) from None

    @server.tool(
        name="open_page",
        description="Open a page and return its text and numbered links: a local document by its doc_id, or "
        "an http(s) URL. Private, loopback and link-local addresses are refused.",
    )
    def open_page(target: str) -> PageText:
        try:
            return tools.open_page(target)
        except WebqaError as error:
            raise ToolError(str(error)) from None

    return server
