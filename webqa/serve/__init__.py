"""webqa as a service: `webqa serve`, an OpenAI-compatible chat API whose answers carry their citations,
and `webqa mcp`, tools for agents over the Model Context Protocol. Both reuse the assistant and the
conversation layer as the CLI and the browser chat do; this package only adds the protocols.

    app.py            routes and error handlers (FastAPI)
    guard.py          the bearer key and the body size, checked before the app reads a request
    openai_shapes.py  requests and replies in OpenAI's shapes, plus `citations` and `webqa`
    answering.py      one request's answer, in a worker thread
    conversations.py  conversations held between requests, or rebuilt from the messages
    catalog.py        the models offered (`webqa`, `webqa:INDEX`) and the assistant behind each
    pool.py           the worker threads and their bounded queue
    streaming.py      answers as server-sent events
    mcp_server.py     the MCP tools ask, search and open_page
"""
