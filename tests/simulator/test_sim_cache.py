"""The exact-match cache: key from the whole request, hits streamed too, expiry after ttl."""

from __future__ import annotations

from typing import Any

import httpx
from fixtures_sim import chat_body, sse_data

from orq_desktop.simulator import SimulatorHandle
from orq_desktop.simulator.cache import AnswerCache, cache_key

CHAT = "/v2/router/chat/completions"
CACHE = {"cache": {"type": "exact_match", "ttl": 60.0}}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def trace_of(sim: SimulatorHandle, resp: httpx.Response) -> dict[str, Any]:
    return httpx.get(f"{sim.url}/_sim/traces/{resp.headers['x-orq-trace-id']}").json()


def post(sim: SimulatorHandle, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(sim.url + CHAT, json=body, timeout=30)


def test_miss_then_hit_returns_the_stored_answer(sim_server_factory: Any) -> None:
    sim = sim_server_factory()
    body = chat_body("sim/slow-600", "cache me", orq=CACHE)
    first = post(sim, body)
    assert trace_of(sim, first)["cache"] == "miss"
    second = post(sim, body)
    assert second.elapsed.total_seconds() < 0.5  # no second wait for the slow model
    trace = trace_of(sim, second)
    assert trace["cache"] == "hit"
    assert trace["answered_by"] == "sim/slow-600"
    assert [a["outcome"] for a in trace["attempts"]] == ["cache_hit"]
    assert "cache hit" in trace["attempts"][0]["reason"]
    a, b = first.json(), second.json()
    assert b["choices"] == a["choices"]
    assert b["model"] == a["model"]


def test_a_stored_answer_is_streamed_on_a_hit(sim_server_factory: Any) -> None:
    sim = sim_server_factory(token_rate=20.0)
    body = chat_body("a/b", "stream from cache", orq=CACHE, max_completion_tokens=20)
    unpaced = {"X-Sim-Token-Rate": "0"}  # not part of the key
    plain = httpx.post(sim.url + CHAT, json=body, headers=unpaced).json()
    resp = post(sim, {**body, "stream": True})
    assert resp.elapsed.total_seconds() < 0.5  # 20 tokens at 20/s would take 0.95 s
    events = sse_data(resp.text)
    text = "".join(e["choices"][0]["delta"].get("content", "") for e in events[1:-2])
    assert text == plain["choices"][0]["message"]["content"]
    assert trace_of(sim, resp)["cache"] == "hit"


def test_cache_off_without_the_option(sim_server: SimulatorHandle) -> None:
    resp = post(sim_server, chat_body("a/b", "no cache"))
    assert trace_of(sim_server, resp)["cache"] == "off"


def test_thread_metadata_and_parameters_change_the_key(sim_server_factory: Any) -> None:
    sim = sim_server_factory()
    base = chat_body("a/b", "same words", orq=CACHE)
    post(sim, base)
    variants = [
        {**base, "orq": {**CACHE, "thread": {"id": "thread_2"}}},
        {**base, "metadata": {"k": "v"}},
        {**base, "temperature": 0.5},
        {**base, "model": "a/c"},
        chat_body("a/b", "Same words", orq=CACHE),  # case-sensitive
    ]
    for variant in variants:
        assert trace_of(sim, post(sim, variant))["cache"] == "miss", variant
    assert trace_of(sim, post(sim, {**base, "stream": False}))["cache"] == "hit"


def test_entries_expire_after_ttl(sim_server_factory: Any) -> None:
    clock = FakeClock()
    sim = sim_server_factory(clock=clock)
    body = chat_body("a/b", "expire me", orq={"cache": {"type": "exact_match", "ttl": 10}})
    post(sim, body)
    clock.now += 9.9
    assert trace_of(sim, post(sim, body))["cache"] == "hit"
    clock.now += 0.2
    assert trace_of(sim, post(sim, body))["cache"] == "miss"
    assert trace_of(sim, post(sim, body))["cache"] == "hit"  # stored again


def test_failures_are_not_cached(sim_server_factory: Any) -> None:
    sim = sim_server_factory()
    body = chat_body("sim/status-503", "fail", orq=CACHE)
    assert post(sim, body).status_code == 503
    resp = post(sim, body)
    assert resp.status_code == 503
    assert trace_of(sim, resp)["cache"] == "miss"


def test_key_ignores_delivery_fields_only() -> None:
    body = {"model": "m", "messages": [], "stream": True, "stream_options": {"include_usage": True}}
    assert cache_key("chat", body) == cache_key("chat", {"model": "m", "messages": []})
    assert cache_key("chat", body) != cache_key("images", body)
    assert cache_key("chat", {"model": "m", "n": 1}) != cache_key("chat", {"model": "m", "n": 2})


def test_answer_cache_is_bounded() -> None:
    clock = FakeClock()
    cache: AnswerCache[int] = AnswerCache(clock, limit=3)
    for i in range(5):
        cache.put(str(i), i, 60)
    assert len(cache) == 3
    assert cache.get("0") is None
    assert cache.get("4") == 4
