"""The server itself: the key check, the 400 envelope, start/stop, the async runner, the CLI."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
from typing import Any

import httpx
import pytest
from fixtures_sim import chat_body

from orq_desktop.simulator import SimulatorHandle, start, start_in_thread
from orq_desktop.simulator.state import SimConfig

CHAT = "/v2/gateway/chat/completions"
KEY = "sk-orq-CANARY-0123456789"


def test_key_is_required_when_configured(sim_server_factory: Any) -> None:
    sim = sim_server_factory(api_key=KEY)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
        resp = httpx.post(sim.url + CHAT, json=chat_body("a/b"), headers=headers)
        assert resp.status_code == 401
        assert resp.json()["error"]["type"] == "authentication_error"
        assert KEY not in resp.text
        assert "wrong" not in resp.text
    ok = httpx.post(
        sim.url + "/v2/router/images/generations",
        json={"model": "openai/dall-e-2", "prompt": "x", "size": "8x8"},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert ok.status_code == 200


def test_no_key_configured_accepts_anything(sim_server: SimulatorHandle) -> None:
    resp = httpx.post(sim_server.url + CHAT, json=chat_body("a/b"), headers={"Authorization": "x"})
    assert resp.status_code == 200


def test_key_stays_out_of_reprs() -> None:
    assert KEY not in repr(SimConfig(api_key=KEY))


@pytest.mark.parametrize(
    ("content", "param", "words"),
    [
        (b"{not json", None, "not valid JSON"),
        (b"[1, 2]", None, "must be a JSON object"),
        (b"\xff\xfe", None, "not UTF-8"),
        (b'{"model": "a/b"}', "messages", "Messages is required"),
        (b'{"model": "a/b", "messages": [], "temperature": 9}', "temperature", "between 0 and 2"),
        (b'{"model": "a/b", "messages": [], "tempreture": 1}', "tempreture", "temperature"),
        (
            b'{"model": "a/b", "messages": [], "orq": {"retry": {"count": 9}}}',
            "orq.retry.count",
            "between 1 and 5",
        ),
    ],
)
def test_invalid_bodies_get_the_400_envelope(
    sim_server: SimulatorHandle, content: bytes, param: str | None, words: str
) -> None:
    resp = httpx.post(sim_server.url + CHAT, content=content)
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert error["code"] == "400"
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert words in error["message"]


def test_invalid_image_body_gets_the_400_envelope(sim_server: SimulatorHandle) -> None:
    resp = httpx.post(sim_server.url + "/v2/router/images/generations", json={"model": "a/b"})
    assert resp.status_code == 400
    assert resp.json()["error"]["param"] == "prompt"


def test_sdk_shaped_body_with_float_numbers_is_accepted(sim_server: SimulatorHandle) -> None:
    body = chat_body(
        "openai/gpt-4o",
        orq={
            "retry": {"count": 3.0, "on_codes": [429.0, 500.0, 502.0]},
            "cache": {"type": "exact_match", "ttl": 3600.0},
            "timeout": {"call_timeout": 30000.0},
            "thread": {"id": "thread_01ARZ3NDEKTSV4RRFFQ69G5FAV", "tags": ["support"]},
        },
        stream=False,
    )
    assert httpx.post(sim_server.url + CHAT, json=body).status_code == 200


def test_health(sim_server: SimulatorHandle) -> None:
    resp = httpx.get(sim_server.url + "/_sim/health")
    assert resp.status_code == 200
    assert resp.json()["ok"] is True


def test_handle_binds_loopback_and_stops_idempotently() -> None:
    handle = start_in_thread()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", handle.url)
    assert handle.url.endswith(f":{handle.port}")
    assert httpx.get(handle.url + "/_sim/health").status_code == 200
    handle.stop()
    handle.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(handle.url + "/_sim/health")


def test_handle_as_context_manager_and_stop_from_two_threads() -> None:
    with start_in_thread() as handle:
        url = handle.url
        threads = [threading.Thread(target=handle.stop) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(5)
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/_sim/health")


def test_port_in_use_raises_at_start(sim_server: SimulatorHandle) -> None:
    with pytest.raises(OSError, match="address already in use"):
        start_in_thread(port=sim_server.port)


def test_handle_reads_state_on_the_server_loop(sim_server_factory: Any) -> None:
    sim = sim_server_factory()
    resp = httpx.post(sim.url + CHAT, json=chat_body("a/b", "from the handle"))
    assert sim.run(lambda state: len(state.traces)) == 1
    trace = sim.trace(resp.headers["x-orq-trace-id"])
    assert trace is not None
    assert trace["answered_by"] == "a/b"
    assert sim.trace("trace_missing") is None
    (record,) = sim.recorded_requests()
    assert record["body"]["messages"][0]["content"] == "from the handle"


def test_async_start_inside_a_running_loop() -> None:
    async def main() -> tuple[int, str]:
        async with await start(seed=1) as server, httpx.AsyncClient() as client:
            resp = await client.post(server.url + CHAT, json=chat_body("a/b", stream=True))
            return resp.status_code, resp.text

    status, text = asyncio.run(main())
    assert status == 200
    assert text.endswith("data: [DONE]\n\n")


def test_command_line_runs_in_the_foreground() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "orq_desktop.simulator", "--port", "0", "--token-rate", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        assert match, line
        resp = httpx.post(match.group(1) + CHAT, json=chat_body("a/b"))
        assert resp.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "Traceback" not in err


def test_command_line_key_is_required_and_not_printed() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "orq_desktop.simulator", "--port", "0", "--key", KEY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        assert match, line
        assert httpx.post(match.group(1) + CHAT, json=chat_body("a/b")).status_code == 401
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert KEY not in line + out + err
    assert proc.returncode == 0
