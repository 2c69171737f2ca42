"""Call a search API over HTTP and get its JSON back: the settings' timeout and User-Agent, retries with
backoff on HTTP 429 and 5xx, and every failure as a one-line SearchError that says what to do."""

from __future__ import annotations

import html
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import BaseModel, Field, ValidationError

from webqa.search.base import SearchError, SearchResult

if TYPE_CHECKING:
    from webqa.config import Settings

Sleep = Callable[[float], None]
M = TypeVar("M", bound=BaseModel)

MAX_WAIT_S = 30.0  # no single backoff or Retry-After makes a user wait longer than this
ELSEWHERE = "or use another backend with --backend"
_TAG = re.compile(r"<[^>]*>")
_REASON_PATHS = (
    ("error", "detail"),
    ("error", "info"),
    ("error", "message"),
    ("detail", "error"),
    ("detail",),
    ("message",),
    ("error",),
)


class Hit(BaseModel):
    """One web result as SearxNG and Tavily send it; other APIs subclass it to map their field names."""

    title: str | None = None
    url: str | None = None
    snippet: str | None = Field(None, alias="content")


class Hits(BaseModel):
    """A SearxNG or Tavily answer: the result list, empty when nothing matched."""

    results: list[Hit] = []


def to_results(hits: Iterable[Hit], k: int, source: str, clean: Callable[[str | None], str]) -> list[SearchResult]:
    """The first k hits that have a URL, as results; `clean` makes the API's text plain, and a hit
    without a title shows its URL instead."""
    results = [
        SearchResult(clean(hit.title) or hit.url, hit.url, clean(hit.snippet), source=source) for hit in hits if hit.url
    ]
    return results[:k]


@dataclass(frozen=True)
class JsonApi:
    """One search service's HTTP endpoint, as the backends call it."""

    service: str  # the name users know, e.g. "Brave Search"
    url_setting: str  # the setting that holds the endpoint, named when the endpoint looks wrong
    timeout_s: float
    user_agent: str
    max_retries: int
    backoff_s: float
    refused_hint: str = ""  # what to check after HTTP 401/403, e.g. the setting holding the key
    sleep: Sleep = time.sleep

    @classmethod
    def from_settings(
        cls, settings: Settings, service: str, url_setting: str, refused_hint: str = "", sleep: Sleep = time.sleep
    ) -> JsonApi:
        return cls(
            service,
            url_setting,
            settings.search_timeout_s,
            settings.user_agent,
            settings.search_max_retries,
            settings.search_backoff_s,
            refused_hint or f"check {url_setting}",
            sleep,
        )

    def get(self, url: str, params: Mapping[str, str | int], headers: Mapping[str, str] | None = None) -> Any:
        return self._call("GET", url, headers, params=params)

    def post(self, url: str, body: Any, headers: Mapping[str, str] | None = None) -> Any:
        return self._call("POST", url, headers, json=body)

    def parse(self, model: type[M], data: Any) -> M:
        """Validate a response at the edge, so a changed or wrong API fails here with a clear message."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "response"
            raise SearchError(
                f"{self.service} answered in an unexpected shape ({where}: {first['msg']}); "
                f"check that {self.url_setting} points at its API."
            ) from None

    @cached_property
    def client(self) -> httpx.Client:
        """One client for all of this API's requests, so they reuse its connections (and TLS sessions)
        instead of paying for a new client and handshake each time."""
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        return httpx.Client(timeout=self.timeout_s, headers=headers, follow_redirects=True)

    def _call(self, method: str, url: str, headers: Mapping[str, str] | None, **request: Any) -> Any:
        response = self._send(method, url, headers, request)
        retries = 0
        while _retryable(response.status_code) and retries < self.max_retries:
            self.sleep(self._wait(retries, response))
            retries += 1
            response = self._send(method, url, headers, request)
        return self._decode(url, response)

    def _send(
        self, method: str, url: str, headers: Mapping[str, str] | None, request: dict[str, Any]
    ) -> httpx.Response:
        try:
            return self.client.request(method, url, headers=headers, **request)
        except httpx.TimeoutException:
            raise SearchError(
                f"{self.service} did not answer within {self.timeout_s:g}s; try again, "
                f"raise WEBQA_SEARCH_TIMEOUT_S, {ELSEWHERE}."
            ) from None
        except (httpx.RequestError, httpx.InvalidURL) as exc:
            raise SearchError(
                f"Cannot reach {self.service} at {url} ({_one_line(str(exc)) or type(exc).__name__}); "
                f"check your connection and {self.url_setting}, {ELSEWHERE}."
            ) from None

    def _wait(self, retries: int, response: httpx.Response) -> float:
        try:
            # Only the delay-seconds form of Retry-After; an HTTP date falls back to our own backoff.
            seconds = float(response.headers.get("Retry-After", ""))
        except ValueError:
            seconds = math.nan
        if not math.isfinite(seconds) or seconds < 0:
            seconds = self.backoff_s * 2**retries
        return min(seconds, MAX_WAIT_S)

    def _decode(self, url: str, response: httpx.Response) -> Any:
        status = response.status_code
        after = _after_retries(self.max_retries)
        if status == 429:
            raise SearchError(
                f"{self.service} is rate limiting requests (HTTP 429){after}; wait and try again, {ELSEWHERE}."
            )
        if status >= 500:
            raise SearchError(
                f"{self.service} is failing (HTTP {status}{_detail(response)}){after}; try again later, {ELSEWHERE}."
            )
        if status in (401, 403):
            raise SearchError(
                f"{self.service} refused the request (HTTP {status}{_detail(response)}); {self.refused_hint}."
            )
        if status >= 400:
            raise SearchError(
                f"{self.service} rejected the request (HTTP {status}{_detail(response)}); "
                f"check {self.url_setting} ({url})."
            )
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "").split(";")[0] or "no content type"
            raise SearchError(
                f"{self.service} at {url} did not answer with JSON (got {kind}); "
                f"check that {self.url_setting} points at its API."
            ) from None


def strip_html(text: str | None) -> str:
    """Plain text from an API's HTML snippet: tags dropped (before unescaping, so an escaped '<b>'
    stays text), entities decoded, whitespace collapsed."""
    return _one_line(html.unescape(_TAG.sub("", text or "")))


def plain_text(text: str | None) -> str:
    """A plain-text field on one line; no tag stripping, so a '<' in real text survives."""
    return _one_line(text or "")


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def _after_retries(retries: int) -> str:
    if retries == 0:
        return ""
    return f" after {retries} {'retry' if retries == 1 else 'retries'}"


def _detail(response: httpx.Response) -> str:
    """': <the reason the API gave>' when it gave one, for the one-line message."""
    try:
        data: Any = response.json()
    except ValueError:
        data = strip_html(response.text)
    # Where search APIs put the reason: {"error": {"detail"|"info"|"message"}}, {"detail": ...}, ...
    for path in _REASON_PATHS:
        found = data
        for key in path:
            found = found.get(key) if isinstance(found, dict) else None
        if isinstance(found, str):
            data = found
            break
    text = _one_line(data) if isinstance(data, str) else ""
    if len(text) > 150:
        text = text[:147] + "..."
    return f": {text}" if text else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())
