"""`webqa mcp` driven by the MCP SDK's own stdio client: the tools listed, then each one called."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from tests.conftest import SAMPLE_DOCUMENTS

DOCUMENTS = {d.id: d for d in SAMPLE_DOCUMENTS}


def _session_run(folder: Path, calls: list[tuple[str, dict[str, Any]]]) -> tuple[list[Any], list[Any]]:
    """Start `webqa mcp`, list its tools, make the calls in order; the tools and the results."""
    from mcp import ClientSession, StdioServerParameters, stdio_client

    environment = {
        key: value for key, value in os.environ.items() if key.startswith(("WEBQA_", "HF_", "TRANSFORMERS_"))
    }
    environment["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    server = StdioServerParameters(
        command=str(Path(sys.executable).with_name("webqa")), args=["mcp"], env=environment, cwd=folder
    )

    async def run() -> tuple[list[Any], list[Any]]:
        with open(folder / "mcp-stderr.log", "w") as errors:
            async with stdio_client(server, errlog=errors) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                tools = (await session.list_tools()).tools
                results = [await session.call_tool(name, arguments) for name, arguments in calls]
                return tools, results

    return asyncio.run(asyncio.wait_for(run(), timeout=90))


def test_an_agent_lists_and_calls_the_three_tools(chat_env, web):
    web.add("/notes.txt", "Private notes on this machine.", content_type="text/plain")
    private_page = web.url("/notes.txt")  # a real page, on loopback
    tools, results = _session_run(
        chat_env,
        [
            ("ask", {"question": "When did Lothair II die?"}),
            ("search", {"query": "longest river in Africa", "k": 3}),
            ("open_page", {"target": "lothair"}),
            ("open_page", {"target": private_page}),
            ("ask", {"question": "Who was Lothair II?", "index": "no-such-index"}),
            ("ask", {"question": "   "}),
        ],
    )
    by_name = {tool.name: tool for tool in tools}
    assert set(by_name) == {"ask", "search", "open_page"}
    for tool in tools:
        assert len(tool.description) > 60 and tool.output_schema is not None  # something an agent can act on
    assert by_name["ask"].input_schema["required"] == ["question"]

    asked, searched, opened, refused, unknown_index, empty = results
    answer = asked.structured_content
    assert not asked.is_error and "869" in answer["answer"] and "[1]" in answer["answer"]
    assert answer["abstained"] is False and answer["short_answer"]
    (quote,) = answer["citations"]
    assert DOCUMENTS[quote["doc_id"]].text[quote["start"] : quote["end"]] == quote["quote"]

    hits = searched.structured_content["results"]
    assert len(hits) == 3 and hits[0]["doc_id"] == "nile" and hits[0]["snippet"]

    page = opened.structured_content
    assert page["title"] == "Lothair II" and page["text"] == DOCUMENTS["lothair"].text
    assert page["source"] == "https://example.org/lothair" and page["truncated"] is False

    # The same guard as the browser's: an address on this machine is not fetched.
    assert refused.is_error and "127.0.0.1" in refused.content[0].text
    assert web.requests == []  # refused before any connection
    assert (
        unknown_index.is_error and "No index named 'no-such-index'. Indexes here: kb." in unknown_index.content[0].text
    )
    assert empty.is_error and "The question is empty" in empty.content[0].text
