"""``sim/`` models misbehave on purpose: statuses, slowness, silence, drops, errors, junk, size."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest
from fixtures_sim import chat_body, sse_data

from orq_desktop.simulator import SimulatorHandle

CHAT = "/v2/router/chat/completions"


def post(sim: SimulatorHandle, body: dict[str, Any], **kw: Any) -> httpx.Response:
    return httpx.post(sim.url + CHAT, json=body, timeout=kw.pop("timeout", 30), **kw)


def in_flight(sim: SimulatorHandle) -> int:
    return int(httpx.get(sim.url + "/_sim/health").json()["in_flight"])


@pytest.mark.parametrize("code", [400, 401, 403, 429, 500, 502, 503, 504, 529])
@pytest.mark.parametrize("stream", [False, True])
def test_status_models_answer_with_the_envelope(
    sim_server: SimulatorHandle, code: int, stream: bool
) -> None:
    resp = post(sim_server, chat_body(f"sim/status-{code}", stream=stream))
    assert resp.status_code == code
    assert resp.headers["content-type"].startswith("application/json")
    error = resp.json()["error"]
    assert error["code"] == str(code)
    assert set(error) == {"code", "message", "param", "type"}
    assert f"({code})" in error["message"]
    assert resp.headers.get("Retry-After") == ("1" if code == 429 else None)


def test_slow_model_waits_before_the_first_byte(sim_server: SimulatorHandle) -> None:
    started = time.perf_counter()
    with httpx.stream(
        "POST", sim_server.url + CHAT, json=chat_body("sim/slow-400", stream=True)
    ) as r:
        headers_after = time.perf_counter() - started
        events = sse_data(r.read().decode())
    assert headers_after >= 0.4
    assert events[-1] == "[DONE]"
    assert events[0]["model"] == "sim/slow-400"


def test_timeout_model_never_answers_and_ends_when_the_client_leaves(
    sim_server_factory: Any,
) -> None:
    sim = sim_server_factory()
    with pytest.raises(httpx.ReadTimeout):
        post(sim, chat_body("sim/timeout"), timeout=httpx.Timeout(5.0, read=0.3))
    deadline = time.monotonic() + 3
    while in_flight(sim) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert in_flight(sim) == 0


def test_stopping_the_server_ends_a_request_that_never_answers(sim_server_factory: Any) -> None:
    sim = sim_server_factory()
    errors: list[BaseException] = []

    def call() -> None:
        try:
            post(sim, chat_body("sim/timeout"), timeout=10)
        except httpx.HTTPError as exc:
            errors.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    deadline = time.monotonic() + 3
    while not in_flight(sim) and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.perf_counter()
    sim.stop()
    worker.join(5)
    assert time.perf_counter() - started < 2.0
    assert not worker.is_alive()
    assert len(errors) == 1  # the client saw the connection end, not an answer


def test_drop_after_n_closes_the_stream_abruptly(sim_server: SimulatorHandle) -> None:
    lines: list[str] = []

    def read_all() -> None:
        body = chat_body("sim/drop-after-5", stream=True)
        with httpx.stream("POST", sim_server.url + CHAT, json=body) as resp:
            lines.extend(resp.iter_lines())

    with pytest.raises(httpx.RemoteProtocolError):
        read_all()
    events = sse_data("\n".join(lines) + "\n\n")
    assert len(events) == 1 + 5  # the role chunk, then five content chunks
    assert all(e["choices"][0]["delta"].get("content") for e in events[1:])
    assert "[DONE]" not in events


def test_drop_after_n_cuts_a_json_answer_too(sim_server: SimulatorHandle) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        post(sim_server, chat_body("sim/drop-after-2"))


def test_error_after_n_sends_an_error_event(sim_server: SimulatorHandle) -> None:
    resp = post(sim_server, chat_body("sim/error-after-3", stream=True))
    assert resp.status_code == 200
    events = sse_data(resp.text)
    assert len(events) == 1 + 3 + 1
    error = events[-1]["error"]
    assert error["code"] == "500"
    assert "after 3 chunks" in error["message"]
    assert "[DONE]" not in events


def test_error_after_n_without_a_stream_is_a_500(sim_server: SimulatorHandle) -> None:
    resp = post(sim_server, chat_body("sim/error-after-3"))
    assert resp.status_code == 500
    assert resp.json()["error"]["type"] == "server_error"


def test_malformed_sends_a_data_line_that_is_not_json(sim_server: SimulatorHandle) -> None:
    events = sse_data(post(sim_server, chat_body("sim/malformed", stream=True)).text)
    bad = [e for e in events if isinstance(e, str) and e != "[DONE]"]
    assert len(bad) == 1
    with pytest.raises(json.JSONDecodeError):
        json.loads(bad[0])
    assert events[-1] == "[DONE]"  # the stream carries on after the bad line


def test_malformed_json_answer_is_not_json(sim_server: SimulatorHandle) -> None:
    resp = post(sim_server, chat_body("sim/malformed"))
    assert resp.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.content)


@pytest.mark.parametrize("stream", [True, False])
def test_huge_answer_is_50_mb(sim_server: SimulatorHandle, stream: bool) -> None:
    total = 0
    started = time.perf_counter()
    body = chat_body("sim/huge", stream=stream)
    with httpx.stream("POST", sim_server.url + CHAT, json=body, timeout=60) as resp:
        assert resp.status_code == 200
        tail = b""
        for part in resp.iter_raw():
            total += len(part)
            tail = (tail + part)[-200:]
    elapsed = time.perf_counter() - started
    assert total >= 50 * 1024 * 1024
    assert tail.endswith(b"data: [DONE]\n\n" if stream else b"}")
    print(f"sim/huge stream={stream}: {total / 1e6:.0f} MB in {elapsed:.2f} s")


def test_huge_json_answer_parses(sim_server: SimulatorHandle) -> None:
    body = post(sim_server, chat_body("sim/huge"), timeout=60).json()
    content = body["choices"][0]["message"]["content"]
    assert len(content) >= 49 * 1024 * 1024
    assert body["usage"]["completion_tokens"] == len(content) // 4


@pytest.mark.parametrize("model", ["sim/unknown", "sim/nothing-like-this", "sim/status-200"])
def test_unknown_sim_models_are_404(sim_server: SimulatorHandle, model: str) -> None:
    resp = post(sim_server, chat_body(model, stream=True))
    assert resp.status_code == 404
    assert resp.json()["error"]["message"] == f"The model {model} was not found."
