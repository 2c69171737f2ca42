"""Questions answered at once by a server's workers, which share one assistant, get the answers each
would get alone."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

QUESTIONS = [
    "When did Lothair II die?",
    "Which prize did Albert Einstein receive in 1921?",
    "Where does the Nile flow into?",
    "What does a plant release in photosynthesis?",
    "How high is the summit of Mount Everest?",
    "Who were the parents of Lothair II?",
]


def answer(server, question: str) -> dict:
    body = {"model": "webqa", "messages": [{"role": "user", "content": question}]}
    response = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=60)
    assert response.status_code == 200, response.text
    reply = response.json()
    evidence = reply["webqa"]
    return {
        "content": reply["choices"][0]["message"]["content"],
        "citations": reply["citations"],
        "quotes": evidence["citations"],
        "short_answer": evidence["short_answer"],
        "actions": evidence["actions"],
    }


def test_six_questions_at_once_on_three_workers_get_the_answers_asked_alone(serve):
    lone = serve(serve_workers=1)
    alone = [answer(lone, question) for question in QUESTIONS]
    assert all(a["citations"] for a in alone)  # every one is a cited answer: there is something to compare

    gate = threading.Event()
    server = serve(gate=gate, serve_workers=3, serve_queue=6)  # a fresh server: nothing cached
    with ThreadPoolExecutor(max_workers=len(QUESTIONS)) as clients:
        futures = [clients.submit(answer, server, question) for question in QUESTIONS]
        try:
            # Every worker holds a question and the other three wait: all six are in the server at once.
            deadline = time.monotonic() + 20
            while (health := httpx.get(f"{server.url}/health").json())["answering"] < 3 or health["waiting"] < 3:
                assert time.monotonic() < deadline, f"the six requests never filled the workers: {health}"
                time.sleep(0.02)
        finally:
            gate.set()
        together = [future.result() for future in futures]

    for question, one, other in zip(QUESTIONS, alone, together, strict=True):
        assert other == one, question
