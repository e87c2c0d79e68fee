"""Reading a trace (pure) and fetching one over HTTP: shapes, sizes, statuses, no key sent."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from orq_desktop.api.traces import TraceError, parse_trace, trace_url
from orq_desktop.api.traces_http import MAX_TRACE_BYTES, fetch_trace

GOOD: dict[str, Any] = {
    "trace_id": "trace_01ABC",
    "request": {"model": "sim/status-429", "path": "/v2/gateway/chat/completions"},
    "attempts": [
        {
            "model": "sim/status-429",
            "status": 429,
            "started_ms": 0.5,
            "duration_ms": 2.0,
            "outcome": "failed",
            "reason": "429: fall back",
        },
        {
            "model": "openai/gpt-4o",
            "status": 200,
            "started_ms": 3.0,
            "duration_ms": 10.0,
            "outcome": "answered",
            "reason": "answered the request",
        },
    ],
    "answered_by": "openai/gpt-4o",
    "cache": "off",
}


def test_parse_gives_typed_attempts() -> None:
    record = parse_trace(GOOD)
    assert record.trace_id == "trace_01ABC"
    assert record.model == "sim/status-429"
    assert [(a.model, a.status, a.outcome) for a in record.attempts] == [
        ("sim/status-429", 429, "failed"),
        ("openai/gpt-4o", 200, "answered"),
    ]
    assert record.total_ms == 13.0
    assert record.answering_attempt() == 1
    assert record.answered_by == "openai/gpt-4o"


def test_a_timed_out_attempt_has_no_status() -> None:
    trace = {**GOOD, "attempts": [{**GOOD["attempts"][0], "status": None, "outcome": "timeout"}]}
    record = parse_trace(trace)
    assert record.attempts[0].status is None
    assert record.answering_attempt() is None


@pytest.mark.parametrize(
    ("trace", "message"),
    [
        ([], "The trace is not an object."),
        ({"attempts": "x"}, "The trace has no list of attempts."),
        ({"attempts": [1]}, "Attempt 1 of the trace is not an object."),
        (
            {"attempts": [{**GOOD["attempts"][0], "status": "429"}]},
            "Attempt 1 has a status that is not a number.",
        ),
        (
            {"attempts": [{**GOOD["attempts"][0], "outcome": "exploded"}]},
            "Attempt 1 has an unknown outcome.",
        ),
        (
            {"attempts": [{**GOOD["attempts"][0], "duration_ms": True}]},
            "The trace's duration is not a number.",
        ),
    ],
)
def test_bad_shapes_are_named(trace: Any, message: str) -> None:
    with pytest.raises(TraceError) as caught:
        parse_trace(trace)
    assert str(caught.value) == message


def test_the_url_quotes_nothing_unexpected() -> None:
    assert (
        trace_url("http://127.0.0.1:1/", "trace_01A") == "http://127.0.0.1:1/_sim/traces/trace_01A"
    )
    for bad in ("", "a/b", "../x", "a b", "x" * 200, "trace?x=1"):
        with pytest.raises(TraceError):
            trace_url("http://127.0.0.1:1", bad)


def fetch(handler: Any, trace_id: str = "trace_01ABC") -> dict[str, Any]:
    transport = httpx.MockTransport(handler)
    return asyncio.run(fetch_trace("http://127.0.0.1:1", trace_id, transport=transport))


def test_fetch_sends_no_key_and_returns_the_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=GOOD)

    assert fetch(handler) == GOOD
    assert seen[0].url.path == "/_sim/traces/trace_01ABC"
    assert "authorization" not in {k.lower() for k in seen[0].headers}


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(404, json={}), "The server has no trace with this id"),
        (httpx.Response(500, text="boom"), "The server answered 500 for the trace."),
        (httpx.Response(200, text="not json"), "The trace is not valid JSON."),
        (httpx.Response(200, json=[1, 2]), "The trace is not an object."),
        (
            httpx.Response(200, content=b"{" + b" " * (MAX_TRACE_BYTES + 10) + b"}"),
            "The trace is too large to show.",
        ),
    ],
)
def test_fetch_failures_are_explained(response: httpx.Response, message: str) -> None:
    with pytest.raises(TraceError) as caught:
        fetch(lambda _request: response)
    assert str(caught.value).startswith(message)


def test_fetch_timeout_and_connection_errors() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(TraceError, match="took too long"):
        fetch(slow)
    with pytest.raises(TraceError, match="did not answer"):
        fetch(refused)
