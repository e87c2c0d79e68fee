"""Healthy chat answers over real HTTP: JSON, streamed chunks, token limits, variables, pacing."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from fixtures_sim import chat_body, sse_data

from orq_desktop.simulator import SimulatorHandle
from orq_desktop.simulator.text import reply_text, tokenize

PATHS = ["/v2/gateway/chat/completions", "/v2/router/chat/completions"]
CHAT = "/v2/router/chat/completions"


def post(sim: SimulatorHandle, body: dict[str, Any], path: str = CHAT, **kw: Any) -> httpx.Response:
    return httpx.post(sim.url + path, json=body, timeout=30, **kw)


def contents(events: list[Any]) -> str:
    return "".join(
        e["choices"][0]["delta"].get("content") or ""
        for e in events
        if isinstance(e, dict) and e.get("choices")
    )


@pytest.mark.parametrize("path", PATHS)
def test_json_answer_on_both_prefixes(sim_server: SimulatorHandle, path: str) -> None:
    resp = post(sim_server, chat_body("openai/gpt-4o", "Tell me about caching please"), path)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert body["object"] == "chat.completion"
    assert body["model"] == "openai/gpt-4o"
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    assert choice["message"]["content"] == reply_text(
        "Tell me about caching please", "openai/gpt-4o"
    )
    usage = body["usage"]
    assert usage["prompt_tokens"] == 5
    assert usage["completion_tokens"] == len(tokenize(choice["message"]["content"]))
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


@pytest.mark.parametrize("path", PATHS)
def test_stream_chunks_in_contract_order(sim_server: SimulatorHandle, path: str) -> None:
    body = chat_body("openai/gpt-4o", "Stream it", stream=True)
    body["stream_options"] = {"include_usage": True}
    resp = post(sim_server, body, path)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/event-stream")
    events = sse_data(resp.text)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert all(c["model"] == "openai/gpt-4o" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    expected = tokenize(reply_text("Stream it", "openai/gpt-4o"))
    content_chunks = chunks[1:-2]
    assert [c["choices"][0]["delta"]["content"] for c in content_chunks] == expected
    assert all(c["choices"][0]["finish_reason"] is None for c in content_chunks)
    assert chunks[-2]["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] == len(expected)


def test_stream_without_include_usage_has_no_usage_chunk(sim_server: SimulatorHandle) -> None:
    events = sse_data(post(sim_server, chat_body("a/b", "x", stream=True)).text)
    assert events[-1] == "[DONE]"
    assert events[-2]["choices"][0]["finish_reason"] == "stop"
    assert not any("usage" in e for e in events[:-1])


@pytest.mark.parametrize("field", ["max_completion_tokens", "max_tokens"])
@pytest.mark.parametrize(("limit", "reason"), [(7, "length"), (300, "length")])
def test_token_limit_gives_exactly_that_many_tokens(
    sim_server: SimulatorHandle, field: str, limit: int, reason: str
) -> None:
    streamed = sse_data(post(sim_server, chat_body("a/b", stream=True, **{field: limit})).text)
    content = [e for e in streamed[1:-2] if e["choices"]]
    assert len(content) == limit
    assert streamed[-2]["choices"][0]["finish_reason"] == reason
    plain = post(sim_server, chat_body("a/b", **{field: float(limit)})).json()
    assert plain["usage"]["completion_tokens"] == limit
    assert plain["choices"][0]["finish_reason"] == reason
    assert plain["choices"][0]["message"]["content"] == contents(streamed)


def test_limit_equal_to_the_natural_length_stops(sim_server: SimulatorHandle) -> None:
    natural = len(tokenize(reply_text("Hello there", "a/b")))
    body = post(sim_server, chat_body("a/b", max_completion_tokens=natural)).json()
    assert body["choices"][0]["finish_reason"] == "stop"


def test_variables_are_substituted_before_the_reply(sim_server: SimulatorHandle) -> None:
    body = chat_body("a/b", "Write to {{customer_name}} about {{issue_type}}")
    body["orq"] = {"inputs": {"customer_name": "John Smith", "issue_type": "billing"}}
    text = post(sim_server, body).json()["choices"][0]["message"]["content"]
    assert "John Smith about billing" in text
    assert "{{" not in text


def test_reply_follows_the_last_user_message(sim_server: SimulatorHandle) -> None:
    body = {
        "model": "a/b",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "first question"},
            {"role": "assistant", "content": "an answer"},
            {"role": "user", "content": [{"type": "text", "text": "second question"}]},
        ],
    }
    text = post(sim_server, body).json()["choices"][0]["message"]["content"]
    assert "*second question*" in text


def test_token_rate_header_paces_the_stream(sim_server: SimulatorHandle) -> None:
    body = chat_body("a/b", stream=True, max_completion_tokens=21)
    gaps: list[float] = []
    with httpx.stream(
        "POST", sim_server.url + CHAT, json=body, headers={"X-Sim-Token-Rate": "100"}
    ) as resp:
        last = time.perf_counter()
        start = last
        for line in resp.iter_lines():
            if line.startswith("data:"):
                now = time.perf_counter()
                gaps.append(now - last)
                last = now
    total = time.perf_counter() - start
    assert total >= 0.19  # 21 tokens at 100/s: the last one is due at 0.2 s
    assert total < 3.0
    assert max(gaps) < 0.5


def test_server_token_rate_applies_to_json_answers_too(sim_server_factory: Any) -> None:
    sim = sim_server_factory(token_rate=200.0)
    body = chat_body("a/b", max_completion_tokens=80)
    started = time.perf_counter()
    post(sim, body)
    paced = time.perf_counter() - started
    started = time.perf_counter()
    post(sim, body, headers={"X-Sim-Token-Rate": "0"})
    unpaced = time.perf_counter() - started
    assert paced >= 0.39  # 80 tokens at 200/s
    assert unpaced < paced / 2


def test_fast_stream_of_20000_chunks(sim_server: SimulatorHandle) -> None:
    body = chat_body("a/b", stream=True, max_completion_tokens=20_000)
    started = time.perf_counter()
    resp = post(sim_server, body)
    elapsed = time.perf_counter() - started
    events = sse_data(resp.text)
    assert len(events) == 20_000 + 3  # role, contents, finish, [DONE]
    assert elapsed < 10.0
    print(f"20,000-chunk stream: {elapsed:.2f} s, {len(resp.content) / 1e6:.1f} MB")
