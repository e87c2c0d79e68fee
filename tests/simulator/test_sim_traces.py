"""Traces: an ``x-orq-trace-id`` on every answer, the trace's content, bounds, recorded requests."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fixtures_sim import chat_body

from orq_desktop.simulator import SimulatorHandle
from orq_desktop.simulator.traces import TraceStore, new_trace_id

CHAT = "/v2/router/chat/completions"
IMAGES = "/v2/gateway/images/generations"
TRACE_ID = re.compile(r"^trace_[0-9A-HJKMNP-TV-Z]{26}$")


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        (CHAT, chat_body("a/b"), 200),
        (CHAT, chat_body("a/b", stream=True), 200),
        (CHAT, chat_body("sim/status-500"), 500),
        (CHAT, chat_body("sim/unknown"), 404),
        (CHAT, {"model": "a/b"}, 400),
        (CHAT, "not json", 400),
        (IMAGES, {"model": "openai/dall-e-2", "prompt": "x", "size": "64x64"}, 200),
        (IMAGES, {"model": "sim/status-503", "prompt": "x"}, 503),
    ],
)
def test_every_answer_has_a_trace_id(
    sim_server: SimulatorHandle, path: str, body: Any, status: int
) -> None:
    kwargs = {"content": body} if isinstance(body, str) else {"json": body}
    resp = httpx.post(sim_server.url + path, **kwargs)
    assert resp.status_code == status
    trace_id = resp.headers["x-orq-trace-id"]
    assert TRACE_ID.match(trace_id)
    trace = httpx.get(f"{sim_server.url}/_sim/traces/{trace_id}").json()
    assert trace["trace_id"] == trace_id
    assert trace["request"]["path"] == path


def test_trace_content_after_a_fallback(sim_server: SimulatorHandle) -> None:
    orq = {"retry": {"count": 1, "on_codes": [503]}, "fallbacks": [{"model": "b/good"}]}
    resp = httpx.post(sim_server.url + CHAT, json=chat_body("sim/status-503", orq=orq))
    trace = httpx.get(f"{sim_server.url}/_sim/traces/{resp.headers['x-orq-trace-id']}").json()
    assert trace["request"] == {"model": "sim/status-503", "path": CHAT}
    assert trace["answered_by"] == "b/good"
    assert trace["cache"] == "off"
    first, second, third = trace["attempts"]
    assert set(first) == {"model", "status", "duration_ms", "started_ms", "outcome", "reason"}
    assert (first["outcome"], first["status"]) == ("failed", 503)
    assert "retry 1 of 1" in first["reason"]
    assert "trying fallback b/good" in second["reason"]
    assert (third["model"], third["status"], third["outcome"]) == ("b/good", 200, "answered")
    assert first["started_ms"] <= second["started_ms"] <= third["started_ms"]
    assert all(a["duration_ms"] >= 0 for a in trace["attempts"])


def test_trace_of_a_failed_request_has_no_answerer(sim_server: SimulatorHandle) -> None:
    resp = httpx.post(sim_server.url + CHAT, json=chat_body("sim/status-400"))
    trace = httpx.get(f"{sim_server.url}/_sim/traces/{resp.headers['x-orq-trace-id']}").json()
    assert trace["answered_by"] is None
    assert "never sent to a fallback" in trace["attempts"][0]["reason"]


def test_unknown_trace_is_404(sim_server: SimulatorHandle) -> None:
    resp = httpx.get(f"{sim_server.url}/_sim/traces/trace_NOPE")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "404"


def test_trace_store_keeps_the_last_ones() -> None:
    store = TraceStore(limit=3)
    traces = [store.new("m", "/p") for _ in range(5)]
    assert len(store) == 3
    assert store.get(traces[0].trace_id) is None
    assert store.get(traces[-1].trace_id) is traces[-1]


def test_trace_ids_are_unique_and_sortable_by_time() -> None:
    ids = [new_trace_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert all(TRACE_ID.match(i) for i in ids)
    assert ids[0][:16] <= ids[-1][:16]  # the time part leads


def test_requests_are_recorded_without_the_authorization_header(sim_server_factory: Any) -> None:
    sim = sim_server_factory(api_key="sk-secret-value")
    body = chat_body("a/b", "record me")
    httpx.post(sim.url + CHAT, json=body, headers={"Authorization": "Bearer sk-secret-value"})
    records = httpx.get(sim.url + "/_sim/requests").json()
    assert len(records) == 1
    assert records[0]["body"] == body
    assert records[0]["path"] == CHAT
    assert "authorization" not in {k.lower() for k in records[0]["headers"]}
    assert "sk-secret-value" not in httpx.get(sim.url + "/_sim/requests").text
    since = records[0]["seq"]
    httpx.post(sim.url + CHAT, json=body)
    assert len(httpx.get(sim.url + f"/_sim/requests?since={since}").json()) == 1
    assert httpx.delete(sim.url + "/_sim/requests").status_code == 200
    assert httpx.get(sim.url + "/_sim/requests").json() == []


def test_large_request_bodies_are_not_kept(sim_server_factory: Any) -> None:
    sim = sim_server_factory()
    resp = httpx.post(sim.url + CHAT, json=chat_body("a/b", "x" * (2 * 1024 * 1024)))
    assert resp.status_code == 200
    (record,) = httpx.get(sim.url + "/_sim/requests").json()
    assert record["body"].endswith("bytes, not kept>")
