"""Every bad request gets a 4xx with OpenAI's error JSON, webqa's own failures a 5xx with the reason, and
the server answers the next question either way."""

from __future__ import annotations

import json
import threading

import httpx
import openai
import pytest

from tests.serve.conftest import still_answers
from webqa.serve.guard import LOOPBACK_HOSTS, trusted_hosts

QUESTION = {"role": "user", "content": "When did Lothair II die?"}


def post(server, body: object, *, headers: dict[str, str] | None = None, **options) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}
    return httpx.post(f"{server.base_url}/chat/completions", content=content, headers=sent, timeout=30, **options)


def assert_error(response: httpx.Response, status: int, code: str, kind: str = "invalid_request_error") -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["code"] == code and error["type"] == kind and error["message"]
    return error


def test_malformed_json(server):
    assert_error(post(server, b'{"model": "webqa", "messages": [}'), 400, "invalid_json")
    still_answers(server)


@pytest.mark.parametrize(
    "messages",
    [
        [{"role": "system", "content": "Be brief."}],
        [QUESTION, {"role": "assistant", "content": "He died in 869 [1]."}],
        [{"role": "user", "content": "   "}],
        [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://example.org/a.png"}}]}],
    ],
    ids=["only-system", "ends-with-assistant", "blank", "image-only"],
)
def test_no_user_message_to_answer(server, messages):
    error = assert_error(post(server, {"model": "webqa", "messages": messages}), 400, "no_user_message")
    assert error["param"] == "messages"
    still_answers(server)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "webqa", "messages": []}, "messages"),
        ({"messages": [QUESTION]}, "model"),
        ({"model": "webqa", "messages": [{"role": "wizard", "content": "hi"}]}, "messages.0.role"),
        ({"model": "webqa", "messages": [QUESTION], "temperature": 5}, "temperature"),
        ({"model": "webqa", "messages": [QUESTION], "n": 2}, "n"),
        (["not", "an", "object"], None),
    ],
    ids=["no-messages", "no-model", "unknown-role", "temperature-out-of-range", "n-above-1", "not-an-object"],
)
def test_requests_that_do_not_fit_the_shape(server, body, param):
    error = assert_error(post(server, body), 400, "invalid_request")
    assert error["param"] == param
    still_answers(server)


@pytest.mark.parametrize("model", ["gpt-4o", "webqa:no-such-index"])
def test_an_unknown_model_or_index(server, model):
    error = assert_error(post(server, {"model": model, "messages": [QUESTION]}), 404, "model_not_found")
    assert error["param"] == "model" and "webqa:kb" in error["message"]
    with pytest.raises(openai.NotFoundError):
        openai.OpenAI(base_url=server.base_url, api_key="none", max_retries=0).chat.completions.create(
            model=model, messages=[QUESTION]
        )
    assert_error(httpx.get(f"{server.base_url}/models/{model}"), 404, "model_not_found")
    still_answers(server)


def test_an_oversized_body_declared_or_streamed(serve):
    server = serve(serve_max_body_bytes=2048)
    big = {"model": "webqa", "messages": [{"role": "user", "content": "x" * 4000}]}
    assert_error(post(server, big), 413, "request_too_large")

    def chunks():  # no Content-Length: the server counts what arrives
        data = json.dumps(big).encode()
        for start in range(0, len(data), 512):
            yield data[start : start + 512]

    chunked = httpx.post(f"{server.base_url}/chat/completions", content=chunks(), timeout=30)
    assert "content-length" not in chunked.request.headers
    assert_error(chunked, 413, "request_too_large")
    still_answers(server)


def test_a_wrong_or_missing_key(serve):
    server = serve(api_key="s3cret")
    assert_error(post(server, {"model": "webqa", "messages": [QUESTION]}), 401, "invalid_api_key")
    wrong = {"Authorization": "Bearer guess"}
    assert_error(post(server, {"model": "webqa", "messages": [QUESTION]}, headers=wrong), 401, "invalid_api_key")
    assert_error(httpx.get(f"{server.base_url}/models", headers=wrong), 401, "invalid_api_key")
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=server.base_url, api_key="guess", max_retries=0).models.list()
    assert httpx.get(f"{server.url}/health").json()["status"] == "ok"  # probes need no key
    models = openai.OpenAI(base_url=server.base_url, api_key="s3cret", max_retries=0).models.list()
    assert "webqa" in [m.id for m in models.data]
    still_answers(server)


@pytest.mark.parametrize("host", ["rebound.example", "rebound.example:8000", "192.168.1.20"])
def test_without_a_key_a_request_addressed_to_another_host_is_refused(server, host):
    # What a browser sends after a web page rebinds its own name to 127.0.0.1 (DNS rebinding).
    foreign = {"Host": host}
    error = assert_error(post(server, {"model": "webqa", "messages": [QUESTION]}, headers=foreign), 400, "invalid_host")
    assert host in error["message"] and "WEBQA_API_KEY" in error["message"]
    assert_error(httpx.get(f"{server.url}/health", headers=foreign), 400, "invalid_host")
    assert_error(httpx.get(f"{server.base_url}/models", headers=foreign), 400, "invalid_host")
    still_answers(server)


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:8000", "127.0.0.1", "[::1]:8000"])
def test_without_a_key_loopback_names_are_answered(server, host):
    response = post(server, {"model": "webqa", "messages": [QUESTION]}, headers={"Host": host})
    assert response.status_code == 200, response.text
    assert "869" in response.json()["choices"][0]["message"]["content"]


def test_with_a_key_any_host_is_answered(serve):
    server = serve(api_key="s3cret")
    headers = {"Host": "webqa.example", "Authorization": "Bearer s3cret"}
    assert httpx.get(f"{server.base_url}/models", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("host", "key", "trusted"),
    [
        ("127.0.0.1", None, LOOPBACK_HOSTS),
        ("localhost", None, LOOPBACK_HOSTS),
        ("::1", None, LOOPBACK_HOSTS),
        ("[::1]", None, LOOPBACK_HOSTS),
        ("192.168.1.20", None, (*LOOPBACK_HOSTS, "192.168.1.20")),  # with --allow-without-key
        ("FE80::0001", None, (*LOOPBACK_HOSTS, "[fe80::1]")),
        ("webqa.lan", None, (*LOOPBACK_HOSTS, "webqa.lan")),
        ("0.0.0.0", None, None),  # "anyone who reaches it", by any of the machine's names
        ("::", None, None),
        ("127.0.0.1", "s3cret", None),  # the key is the check
    ],
)
def test_the_hosts_a_server_answers(host, key, trusted):
    assert trusted_hosts(host, key) == trusted


def test_unknown_routes_and_methods(server):
    assert_error(httpx.get(f"{server.base_url}/completions"), 404, "not_found")
    assert_error(httpx.get(f"{server.base_url}/chat/completions"), 405, "method_not_allowed")


@pytest.mark.parametrize("stream", [False, True])
def test_a_question_that_fails_inside_webqa_is_a_500_with_the_reason(serve, stream):
    server = serve(answer_mode="abstractive")
    server.llm.enqueue(RuntimeError("the model server went away"))
    response = post(server, {"model": "webqa", "messages": [QUESTION], "stream": stream})
    error = assert_error(response, 500, "answer_failed", kind="server_error")
    assert error["message"] == "webqa failed to answer: RuntimeError: the model server went away"
    server.llm.enqueue("Lothair II died in Piacenza on 8 August 869 [1].")
    still_answers(server)


def test_more_requests_than_workers_and_queue_hold_are_refused_with_503(serve):
    gate = threading.Event()
    server = serve(gate=gate, serve_workers=1, serve_queue=0)
    held = []
    first = threading.Thread(target=lambda: held.append(post(server, {"model": "webqa", "messages": [QUESTION]})))
    first.start()
    try:
        _wait_until_answering(server)
        refused = post(server, {"model": "webqa", "messages": [QUESTION]})
        assert_error(refused, 503, "server_overloaded", kind="server_error")
        assert refused.headers["Retry-After"].isdigit()
    finally:
        gate.set()
        first.join(30)
    assert held and held[0].status_code == 200  # the one that was admitted is answered in full
    still_answers(server)


def test_a_request_that_outlasts_the_time_limit_is_a_504(serve):
    gate = threading.Event()
    server = serve(gate=gate, serve_timeout_s=0.5)
    try:
        for stream in (False, True):
            body = {"model": "webqa", "messages": [QUESTION], "stream": stream}
            error = assert_error(post(server, body), 504, "timeout", kind="server_error")
            assert "0.5 s" in error["message"]
    finally:
        gate.set()
    still_answers(server)


def test_health_reports_the_workers(serve):
    server = serve(serve_workers=3, serve_queue=7)
    health = httpx.get(f"{server.url}/health").json()
    assert health == {
        "status": "ok",
        "models": ["webqa", "webqa:hotpot", "webqa:kb"],
        "workers": 3,
        "answering": 0,
        "waiting": 0,
        "queue_size": 7,
    }


def _wait_until_answering(server, timeout_s: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while httpx.get(f"{server.url}/health").json()["answering"] < 1:
        assert time.monotonic() < deadline, "the first request never reached a worker"
        time.sleep(0.02)
